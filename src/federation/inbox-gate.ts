// What an inbox POST must be before Fedify does any JSON-LD work for it. Fedify 2.3.6 reads the
// body as JSON-LD — to look for Linked Data Signatures and Object Integrity Proofs — before it
// checks the HTTP signature, so an unsigned body nested deeply enough held the process for tens of
// seconds. Here, in order, each step cheaper than the next:
//
//   1. the body's text within REMOTE_JSON_LIMITS (one pass over the bytes, before JSON.parse);
//   2. a JSON object (not an array, a string or malformed JSON) whose `@context` arrays name at
//      most 32 contexts (a walk of the parsed object, cheap now that its size is known);
//   3. an HTTP signature (draft-cavage or RFC 9421) that covers the body and verifies against its
//      key, as Mastodon and GoToSocial require of every inbox POST. Activities forwarded by a
//      third server (relays, replies to threads) carry the forwarder's HTTP signature as well;
//      Fedify then checks the author's Linked Data Signature or proof itself.
//
// Only then does the request reach Fedify, which verifies again (the key is cached) and parses.
import { FetchError, UrlError, verifyRequestDetailed, type DocumentLoader } from "@fedify/fedify";
import { REMOTE_JSON_LIMITS, checkJsonValue, scanJsonText } from "./remote-json.ts";
import { uncoveredBodyRefusal } from "./signature-policy.ts";

export interface InboxLoaders {
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
}

/** Either a refusal to send back, or the request to hand to Fedify (its body read and checked). */
export type GateResult = { refusal: Response } | { request: Request };

const INBOX_PATH = /^\/(users\/[^/]+\/)?inbox$/;

export function isInboxPost(request: Request, path: string): boolean {
  return request.method === "POST" && INBOX_PATH.test(path);
}

export async function passInboxGate(request: Request, loaders: () => InboxLoaders): Promise<GateResult> {
  // Read whole even when refused on its headers, so the sender gets its answer instead of a
  // connection closed under it (the HTTP layer caps its size and the time it may take).
  const body = new Uint8Array(await request.arrayBuffer());
  const uncovered = uncoveredBodyRefusal(request);
  if (uncovered) return { refusal: uncovered };
  if (!request.headers.has("Signature")) return refuse(401, "Inbox requests must carry an HTTP signature");
  if (body.length > REMOTE_JSON_LIMITS.maxBytes) return refuse(413, "The activity is too large");
  const shape = scanJsonText(body);
  if (shape) return refuse(400, `The activity was refused: ${shape}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return refuse(400, "The activity is not valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return refuse(400, "The activity must be a JSON object");
  const parsed = checkJsonValue(json);
  if (parsed) return refuse(400, `The activity was refused: ${parsed}`);

  // The body is read; each consumer below gets its own copy of the request.
  const again = () => new Request(request.url, { method: "POST", headers: request.headers, body });
  const { documentLoader, contextLoader } = loaders();
  // Fedify throws, rather than answering "not verified", on some malformed signatures (a
  // signature value that is not base64, for one): the sender's fault all the same.
  const verification = await verifyRequestDetailed(again(), { documentLoader, contextLoader }).catch(() => null);
  if (!verification) return refuse(401, "The request's signature was refused: it cannot be read");
  if (!verification.verified) {
    const reason = verification.reason.type === "keyFetchError" ? "its key could not be fetched" : "it does not verify";
    return refuse(401, `The request's signature was refused: ${reason}`);
  }
  return { request: again() };
}

/**
 * The answer for an error Fedify threw while reading a signed activity, when the sender's
 * document is at fault — a JSON-LD context or linked document that cannot be loaded or is
 * refused, malformed JSON-LD: 400, as Fedify answers other unreadable activities. Null for
 * anything else (our database, a bug), which stays a server error so the sender retries.
 */
export function unreadableActivity(error: unknown): Response | null {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = (cause as { details?: { cause?: unknown }; cause?: unknown }).details?.cause ?? cause.cause, depth++) {
    if (cause instanceof FetchError || cause instanceof UrlError || cause.name.startsWith("jsonld.")) {
      return refuse(400, `The activity could not be read: ${cause.message.slice(0, 200)}`).refusal;
    }
  }
  return null;
}

function refuse(status: number, error: string): { refusal: Response } {
  return { refusal: Response.json({ error }, { status }) };
}
