// What an inbox POST must be before Fedify does any JSON-LD work for it. Fedify 2.3.6 reads the
// body as JSON-LD — to look for Linked Data Signatures and Object Integrity Proofs — before it
// checks the HTTP signature, so an unsigned body nested deeply enough held the process for tens of
// seconds. Here, in order, each step cheaper than the next:
//
//   1. the body's text within REMOTE_JSON_LIMITS (one pass over the bytes, before JSON.parse);
//   2. a JSON object (not an array, a string or malformed JSON) whose `@context` arrays name at
//      most 32 contexts (a walk of the parsed object, cheap now that its size is known);
//   3. an HTTP signature (draft-cavage or RFC 9421) that covers the body, the method, target and
//      host (signature-policy.ts) and verifies against its key, as Mastodon and GoToSocial require
//      of every inbox POST. Activities forwarded by a third server (relays, replies to threads)
//      carry the forwarder's HTTP signature; Fedify then checks the author's Linked Data
//      Signature or proof itself, and a proof's key must first be one the author's actor lists
//      (integrity-proofs.ts).
//
// Only then does the request reach Fedify, which verifies again (the key is cached) and parses.
//
// The server's domain policy comes first of all: a POST whose signing key or actor is on a
// server that does not federate with us (suspended, or not allowed in allowlist mode) is refused
// with 403 as soon as its headers and body are read — a map lookup per host name, before any
// parsing, key fetch or signature check. An account a moderator here suspended is refused once
// its signature is known to be its own (one indexed lookup).
import { FetchError, UrlError, verifyRequestDetailed, type DocumentLoader } from "@fedify/fedify";
import { REMOTE_JSON_LIMITS, checkJsonValue, scanJsonText } from "./remote-json.ts";
import { weakSignatureRefusal } from "./signature-policy.ts";
import { forwardedProofRefusal } from "./integrity-proofs.ts";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["skein", "federation", "inbox"]);

/** What the moderation policy says about a sender; both answer with a refusal, or null. */
export interface InboxPolicy {
  /** By host name alone, from memory (the domain policy's maps). */
  refuseHost(host: string): Promise<string | null>;
  /** By actor URI: an account suspended here (looked up once the signature verified). */
  refuseActor(uri: string): Promise<string | null>;
}

export interface InboxLoaders {
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
  /** Forgets a key's cached documents so it is fetched again (key-refresh.ts); false when it may not be now. */
  refreshKey?: (keyId: URL) => Promise<boolean>;
}

/** Either a refusal to send back, or the request to hand to Fedify (its body read and checked). */
export type GateResult = { refusal: Response } | { request: Request };

const INBOX_PATH = /^\/(users\/[^/]+\/)?inbox$/;

export function isInboxPost(request: Request, path: string): boolean {
  return request.method === "POST" && INBOX_PATH.test(path);
}

export async function passInboxGate(request: Request, loaders: () => InboxLoaders, policy?: InboxPolicy): Promise<GateResult> {
  // Read whole even when refused on its headers, so the sender gets its answer instead of a
  // connection closed under it (the HTTP layer caps its size and the time it may take).
  const body = new Uint8Array(await request.arrayBuffer());
  if (policy) {
    for (const host of signingKeyHosts(request.headers)) {
      const refusal = await policy.refuseHost(host);
      if (refusal) return refuse(403, refusal);
    }
  }
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
  const actor = actorUriOf(json);
  if (policy && actor) {
    const refusal = await policy.refuseHost(actor.hostname);
    if (refusal) return refuse(403, refusal);
  }

  // A signature that covers too little is refused before its key is fetched.
  const weak = weakSignatureRefusal(request);
  if (weak) return { refusal: weak };

  // The body is read; each consumer below gets its own copy of the request.
  const again = () => new Request(request.url, { method: "POST", headers: request.headers, body });
  const { documentLoader, contextLoader, refreshKey } = loaders();
  // Fedify throws, rather than answering "not verified", on some malformed signatures (a
  // signature value that is not base64, for one): the sender's fault all the same.
  const verify = () => verifyRequestDetailed(again(), { documentLoader, contextLoader }).catch(() => null);
  let verification = await verify();
  // A key rotated since its document was cached: fetched again, once, before the refusal.
  if (verification && !verification.verified && verification.reason.type === "invalidSignature" && verification.reason.keyId && refreshKey && (await refreshKey(verification.reason.keyId))) {
    verification = await verify();
  }
  if (!verification) return refuse(401, "The request's signature was refused: it cannot be read");
  if (!verification.verified) {
    const reason = verification.reason.type === "keyFetchError" ? "its key could not be fetched" : "it does not verify";
    return refuse(401, `The request's signature was refused: ${reason}`);
  }
  if (policy) {
    for (const uri of new Set([verification.key.ownerId?.href, actor?.href])) {
      const refusal = uri ? await policy.refuseActor(uri) : null;
      if (refusal) return refuse(403, refusal);
    }
  }
  // Forwarded (signed by another than its actor): a proof must be by a key the actor lists.
  if (verification.key.ownerId?.href !== actor?.href) {
    const refusal = await forwardedProofRefusal(json, actor, { documentLoader, contextLoader });
    if (refusal) return refuse(401, `The forwarded activity was refused: ${refusal}`);
  }
  return { request: again() };
}

/** The hosts of the keys an inbox POST says it is signed with (draft-cavage `keyId`, RFC 9421 `keyid`). */
export function signingKeyHosts(headers: Headers): string[] {
  const hosts = new Set<string>();
  for (const name of ["Signature", "Signature-Input"]) {
    const value = headers.get(name);
    if (!value) continue;
    for (const match of value.slice(0, 8192).matchAll(/keyid="([^"]{1,2048})"/gi)) {
      const url = URL.canParse(match[1]) ? new URL(match[1]) : null;
      if (url?.hostname) hosts.add(url.hostname);
    }
  }
  return [...hosts];
}

/** The activity's `actor`, when it names one URL (a string or an object with an `id`). */
function actorUriOf(json: object): URL | null {
  const actor = (json as { actor?: unknown }).actor;
  const id = typeof actor === "string" ? actor : actor && typeof actor === "object" && !Array.isArray(actor) ? (actor as { id?: unknown }).id : null;
  return typeof id === "string" && URL.canParse(id) ? new URL(id) : null;
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
  logger.debug("Refused an inbox POST with {status}: {error}", { status, error });
  return { refusal: Response.json({ error }, { status }) };
}
