// Fetching another server's media file for the cache: the one place the cache opens a
// connection, and it goes through net/'s guard like every connection made on another server's
// say-so (the file's URL came in a remote post or profile). Bounded in size (counted as bytes
// arrive, never trusted from Content-Length), in time (connect, first byte, idle body and a
// deadline for the whole file), and in redirects: at most MAX_REDIRECTS, each target judged
// again — an http(s) URL whose host's media are not rejected — before it is fetched, and each
// connection judged by the guard on the address actually connected to.
import fs from "node:fs";
import path from "node:path";
import type { Agent } from "undici";
import { guardedGet, type GuardedGetProblem } from "../../net/guarded-get.ts";
import { testHostAddress, type Config } from "../../config/config.ts";
import { guardedConnector, type OutboundPolicy } from "../../net/connection-guard.ts";
import { OnDemandDispatcher } from "../../net/undici-on-demand.ts";
import { SKEIN_VERSION } from "../../version.ts";

export const REMOTE_MEDIA_LIMITS = {
  /** Originals larger than this are not fetched (Mastodon's remote limit is about the same). */
  maxBytes: 40 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  /** Between two chunks of the body. */
  bodyTimeoutMs: 15_000,
  /** The whole file, however it trickles in. */
  totalTimeoutMs: 60_000,
  maxRedirects: 3,
};

/** A fetch that did not give a file; `status` is the origin's answer when it gave one. */
export class RemoteFetchError extends Error {
  readonly status: number | null;
  readonly refused: boolean;
  constructor(message: string, options: { status?: number; refused?: boolean } = {}) {
    super(message);
    this.name = "RemoteFetchError";
    this.status = options.status ?? null;
    this.refused = options.refused ?? false;
  }
}

export interface FetchedFile {
  path: string;
  size: number;
  /** The URL the bytes finally came from (after redirects). */
  finalUrl: string;
}

export interface RemoteMediaFetcherOptions {
  /** Asked for every URL before it is fetched (the first and each redirect target). */
  mayFetch: (url: string) => Promise<boolean>;
  maxBytes?: number;
  totalTimeoutMs?: number;
}

export class RemoteMediaFetcher {
  private readonly agent: OnDemandDispatcher<Agent>;
  private readonly userAgent: string;
  private readonly options: RemoteMediaFetcherOptions;

  constructor(config: Pick<Config, "environment" | "testHosts" | "origin">, options: RemoteMediaFetcherOptions) {
    const hosts = config.testHosts;
    // The test environment fetches from loopback (test origins), as federation does; test host
    // names resolve only to their pinned loopback address.
    const policy: OutboundPolicy = { allowPrivate: config.environment === "test", pinned: Object.keys(hosts).length ? (name) => testHostAddress(hosts, name) : undefined };
    // One pooled agent per process: media are fetched often, from few hosts at a time. Made on
    // the first fetch (net/undici-on-demand.ts).
    this.agent = new OnDemandDispatcher((undici) => new undici.Agent({
      connect: guardedConnector(undici, policy, { timeout: REMOTE_MEDIA_LIMITS.connectTimeoutMs }),
      headersTimeout: REMOTE_MEDIA_LIMITS.headersTimeoutMs,
      bodyTimeout: REMOTE_MEDIA_LIMITS.bodyTimeoutMs,
      connections: 8,
    }));
    this.userAgent = `Skein/${SKEIN_VERSION} (media cache; +${config.origin})`;
    this.options = options;
  }

  /** Fetches `url` into a new file in `dir` (removed again on any failure). */
  async fetchToFile(url: string, dir: string): Promise<FetchedFile> {
    const maxBytes = this.options.maxBytes ?? REMOTE_MEDIA_LIMITS.maxBytes;
    const deadline = AbortSignal.timeout(this.options.totalTimeoutMs ?? REMOTE_MEDIA_LIMITS.totalTimeoutMs);
    const file = path.join(dir, `fetch-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
    try {
      const { response, finalUrl } = await guardedGet(url, {
        agent: this.agent,
        accept: "image/*, video/*, audio/*;q=0.9, */*;q=0.1",
        userAgent: this.userAgent,
        maxRedirects: REMOTE_MEDIA_LIMITS.maxRedirects,
        signal: deadline,
        mayFetch: this.options.mayFetch,
        fail: mediaProblem,
      });
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body.dump().catch(() => {});
        throw new RemoteFetchError(`the file is ${declared} bytes; files over ${maxBytes} bytes are not fetched`);
      }
      const size = await writeBounded(response.body, file, maxBytes);
      return { path: file, size, finalUrl };
    } catch (error) {
      await fs.promises.rm(file, { force: true });
      if (error instanceof RemoteFetchError) throw error;
      if (deadline.aborted) throw new RemoteFetchError("the file did not arrive in time");
      const cause = (error as { cause?: unknown })?.cause;
      throw new RemoteFetchError(`the file could not be fetched: ${error instanceof Error ? error.message : String(error)}${cause instanceof Error ? ` (${cause.message})` : ""}`);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }
}

function mediaProblem(problem: GuardedGetProblem): RemoteFetchError {
  switch (problem.kind) {
    case "not-url": return new RemoteFetchError("the file's URL is not a URL", { refused: true });
    case "scheme": return new RemoteFetchError("only http(s) URLs are fetched", { refused: true });
    case "not-allowed": return new RemoteFetchError(`media of ${problem.host} are not fetched`, { refused: true });
    case "redirects": return new RemoteFetchError(`more than ${problem.max} redirects`);
    case "status": return new RemoteFetchError(`the origin answered ${problem.status}`, { status: problem.status });
  }
}

async function writeBounded(body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown }, file: string, maxBytes: number): Promise<number> {
  const out = fs.createWriteStream(file, { flags: "wx" });
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        body.destroy();
        throw new RemoteFetchError(`the file is larger than ${maxBytes} bytes; it is not fetched`);
      }
      if (!out.write(chunk)) await new Promise<void>((resolve, reject) => out.once("drain", resolve).once("error", reject));
    }
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
  return size;
}
