// Fetching a linked page (and its oEmbed document) for a preview card. The link came from a post,
// anyone's, so this is a fetch on a stranger's say-so and it is bounded like federation's:
// through net/'s guard (public addresses only in production, judged on the connection actually
// made, redirects included: each hop is a new connection), at most MAX_REDIRECTS hops each judged
// again (http(s), the domain policy), deadlines for connect, first byte, each chunk and the whole
// page, a content-type check, and at most MAX_PAGE_BYTES read — reading stops at </head>, which
// is all a card needs. A few pages per host at a time (PER_HOST), so one post cannot make us
// hammer a site.
import type { Agent } from "undici";
import { guardedGet, type GuardedGetProblem, type GuardedResponse } from "../../net/guarded-get.ts";
import { guardedConnector, type OutboundPolicy } from "../../net/connection-guard.ts";
import { OnDemandDispatcher } from "../../net/undici-on-demand.ts";
import { Semaphore } from "../../media/gate.ts";
import { PageMetadataReader, robotsForbidImage, type PageMetadata } from "./page-metadata.ts";

export const CARD_FETCH_LIMITS = {
  /** HTML read at most (the head is almost always in the first few KB). */
  maxPageBytes: 1024 * 1024,
  /** An oEmbed document (JSON). */
  maxOembedBytes: 64 * 1024,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  /** A page from the first byte asked to the last read, however it trickles in. */
  totalTimeoutMs: 15_000,
  maxRedirects: 3,
  /** Pages fetched at once from one host, by one process. */
  perHost: 2,
};

/** A page that gave no card: not found, not HTML, refused, too slow… (remembered as a failure). */
export class CardFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CardFetchError";
  }
}

export interface FetchedPage {
  /** Where the page was finally read (after redirects). */
  url: string;
  metadata: PageMetadata;
}

export interface CardFetcherOptions {
  policy: OutboundPolicy;
  /** Asked for every URL before it is fetched (the first and each redirect target): the domain policy. */
  mayFetch: (url: string) => Promise<boolean>;
  userAgent: string;
}

type Body = AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown; dump(): Promise<void> };

export class CardPageFetcher {
  private readonly agent: OnDemandDispatcher<Agent>;
  private readonly options: CardFetcherOptions;
  private readonly hosts = new Map<string, { gate: Semaphore; users: number }>();
  /** Requests made, by URL (tests and logs read it). */
  readonly counters = { pages: 0, oembeds: 0 };

  constructor(options: CardFetcherOptions) {
    this.options = options;
    // Made on the first page fetched (net/undici-on-demand.ts).
    this.agent = new OnDemandDispatcher((undici) => new undici.Agent({
      connect: guardedConnector(undici, options.policy, { timeout: CARD_FETCH_LIMITS.connectTimeoutMs }),
      headersTimeout: CARD_FETCH_LIMITS.headersTimeoutMs,
      bodyTimeout: CARD_FETCH_LIMITS.bodyTimeoutMs,
      connections: 16,
    }));
  }

  /** The page's head, read within the bounds above. */
  fetchPage(url: string): Promise<FetchedPage> {
    return this.perHost(url, () =>
      this.get(url, "text/html, application/xhtml+xml;q=0.9, */*;q=0.1", async (response, finalUrl) => {
        const type = String(response.headers["content-type"] ?? "").toLowerCase();
        if (!/^\s*(text\/html|application\/xhtml\+xml)\b/.test(type)) {
          await response.body.dump().catch(() => {});
          throw new CardFetchError(`not a web page (${type.slice(0, 60) || "no content type"})`);
        }
        this.counters.pages++;
        const reader = new PageMetadataReader(finalUrl);
        const decoder = decoderFor(type);
        let read = 0;
        for await (const chunk of response.body as Body) {
          const room = CARD_FETCH_LIMITS.maxPageBytes - read;
          const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
          read += part.byteLength;
          if (!reader.write(decoder.decode(part, { stream: true })) || read >= CARD_FETCH_LIMITS.maxPageBytes) break;
        }
        // Leaving the loop early destroys the body: the rest of a large page is never downloaded.
        (response.body as Body).destroy();
        const metadata = reader.result();
        const robots = response.headers["x-robots-tag"];
        if (robots && robotsForbidImage(Array.isArray(robots) ? robots.join(",") : robots)) metadata.noImage = true;
        return { url: finalUrl, metadata };
      }),
    );
  }

  /** An oEmbed document: a JSON object, or an error. */
  fetchOembed(url: string): Promise<Record<string, unknown>> {
    return this.perHost(url, () =>
      this.get(url, "application/json", async (response) => {
        const type = String(response.headers["content-type"] ?? "").toLowerCase();
        if (!type.includes("json")) {
          await response.body.dump().catch(() => {});
          throw new CardFetchError("the oEmbed document is not JSON");
        }
        this.counters.oembeds++;
        const chunks: Uint8Array[] = [];
        let size = 0;
        for await (const chunk of response.body as Body) {
          size += chunk.byteLength;
          if (size > CARD_FETCH_LIMITS.maxOembedBytes) {
            (response.body as Body).destroy();
            throw new CardFetchError("the oEmbed document is too large");
          }
          chunks.push(chunk);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          throw new CardFetchError("the oEmbed document is not JSON");
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CardFetchError("the oEmbed document is not an object");
        return parsed as Record<string, unknown>;
      }),
    );
  }

  private async perHost<T>(url: string, task: () => Promise<T>): Promise<T> {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new CardFetchError("not a URL");
    }
    let entry = this.hosts.get(host);
    if (!entry) this.hosts.set(host, (entry = { gate: new Semaphore(CARD_FETCH_LIMITS.perHost), users: 0 }));
    entry.users++;
    try {
      return await entry.gate.run(task);
    } finally {
      if (--entry.users === 0) this.hosts.delete(host);
    }
  }

  /** GET with the redirect, policy and deadline rules; `read` gets the 200 answer. */
  private async get<T>(url: string, accept: string, read: (response: GuardedResponse, finalUrl: string) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(CARD_FETCH_LIMITS.totalTimeoutMs);
    try {
      const { response, finalUrl } = await guardedGet(url, {
        agent: this.agent,
        accept,
        userAgent: this.options.userAgent,
        maxRedirects: CARD_FETCH_LIMITS.maxRedirects,
        signal: deadline,
        mayFetch: this.options.mayFetch,
        fail: (problem) => new CardFetchError(cardProblem(problem)),
      });
      return await read(response, finalUrl);
    } catch (error) {
      if (error instanceof CardFetchError) throw error;
      if (deadline.aborted) throw new CardFetchError("the page did not answer in time");
      const cause = (error as { cause?: unknown })?.cause;
      const code = (error as { code?: string })?.code ?? (cause as { code?: string } | undefined)?.code;
      const message = error instanceof Error ? error.message : String(error);
      throw new CardFetchError(`the page could not be fetched: ${code === "ERR_PRIVATE_ADDRESS" ? "refused address: " : ""}${message}${cause instanceof Error ? ` (${cause.message})` : ""}`);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }
}

function cardProblem(problem: GuardedGetProblem): string {
  switch (problem.kind) {
    case "not-url": return "not a URL";
    case "scheme": return "only http(s) pages are fetched";
    case "not-allowed": return `pages of ${problem.host} are not fetched`;
    case "redirects": return `more than ${problem.max} redirects`;
    case "status": return `the page answered ${problem.status}`;
  }
}

/** A decoder for the charset the answer names (UTF-8 when it names none, or one Node does not know). */
function decoderFor(contentType: string): TextDecoder {
  const charset = /charset\s*=\s*"?([\w-]+)/.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8");
  }
}
