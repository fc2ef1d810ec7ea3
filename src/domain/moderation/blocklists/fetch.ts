// Fetching a subscribed blocklist: the one place moderation opens a connection, and it goes
// through net/'s guard like every connection made on someone else's say-so (a moderator types
// the URL, but the list's server chooses where it redirects). Bounded in size (5 MiB, counted
// as it arrives, not trusted from Content-Length) and in time (30 s from start to the last
// byte, however it trickles), and conditional: the ETag and Last-Modified of the last answer
// are sent back, and a 304 means nothing to do.
import { testHostAddress, type Config } from "../../../config/config.ts";
import { guardedConnector, type OutboundPolicy } from "../../../net/connection-guard.ts";
import { loadUndici } from "../../../net/undici-on-demand.ts";
import { SKEIN_VERSION } from "../../../version.ts";
import { BLOCKLIST_LIMITS } from "./formats.ts";
import type { BlocklistFormat } from "../../../db/schema.ts";

export type FetchedList =
  | { notModified: true }
  | { notModified: false; text: string; etag: string | null; lastModified: string | null };

export interface BlocklistSource {
  fetch(url: string, format: BlocklistFormat, previous: { etag: string | null; lastModified: string | null }): Promise<FetchedList>;
}

/** A fetch that failed; its message is what the subscription's status shows. */
export class BlocklistFetchError extends Error {}

const ACCEPT: Record<BlocklistFormat, string> = {
  csv: "text/csv, text/plain;q=0.9, */*;q=0.1",
  text: "text/plain, */*;q=0.1",
  json: "application/json, */*;q=0.1",
  rapidblock: "application/json, */*;q=0.1",
};

export class HttpBlocklistSource implements BlocklistSource {
  private readonly policy: OutboundPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string;

  constructor(config: Pick<Config, "environment" | "testHosts" | "blocklists" | "origin">) {
    const hosts = config.testHosts;
    // The test environment fetches from loopback (the tests' list servers), as federation does.
    this.policy = { allowPrivate: config.environment === "test", pinned: Object.keys(hosts).length ? (name) => testHostAddress(hosts, name) : undefined };
    this.timeoutMs = Math.ceil(config.blocklists.fetchTimeoutSeconds * 1000);
    this.userAgent = `Skein/${SKEIN_VERSION} (blocklist subscription; +${config.origin})`;
  }

  async fetch(url: string, format: BlocklistFormat, previous: { etag: string | null; lastModified: string | null }): Promise<FetchedList> {
    // One agent per fetch: lists are fetched daily, and nothing is left open after it.
    const undici = await loadUndici();
    const { fetch } = undici;
    const agent = new undici.Agent({
      connect: guardedConnector(undici, this.policy, { timeout: Math.min(10_000, this.timeoutMs) }),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const seconds = `${this.timeoutMs / 1000} s`;
    try {
      const headers: Record<string, string> = { accept: ACCEPT[format], "user-agent": this.userAgent };
      if (previous.etag) headers["if-none-match"] = previous.etag;
      if (previous.lastModified) headers["if-modified-since"] = previous.lastModified;
      const response = await fetch(url, { dispatcher: agent, headers, signal: deadline, redirect: "follow" });
      if (response.status === 304) {
        await response.body?.cancel();
        return { notModified: true };
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new BlocklistFetchError(`the list's server answered ${response.status} ${response.statusText}`.trim());
      }
      const declared = Number(response.headers.get("content-length"));
      if (Number.isFinite(declared) && declared > BLOCKLIST_LIMITS.maxBytes) {
        await response.body?.cancel();
        throw new BlocklistFetchError(`the list is ${declared} bytes; lists larger than ${BLOCKLIST_LIMITS.maxBytes} bytes are refused`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > BLOCKLIST_LIMITS.maxBytes) {
            await reader.cancel();
            throw new BlocklistFetchError(`the list is larger than ${BLOCKLIST_LIMITS.maxBytes} bytes; it is refused`);
          }
          chunks.push(value);
        }
      }
      return {
        notModified: false,
        text: new TextDecoder("utf-8").decode(Buffer.concat(chunks)),
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
      };
    } catch (error) {
      if (error instanceof BlocklistFetchError) throw error;
      if (deadline.aborted) throw new BlocklistFetchError(`the list did not arrive within ${seconds}`);
      throw new BlocklistFetchError(`the list could not be fetched: ${describe(error)}`);
    } finally {
      agent.destroy().catch(() => {});
    }
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const inner = cause instanceof Error ? cause.message : null;
  const outer = error instanceof Error ? error.message : String(error);
  return inner && inner !== outer ? `${outer} (${inner})` : outer;
}
