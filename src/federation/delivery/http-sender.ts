// Sends one signed delivery and says what the answer means. One undici agent for all
// deliveries: a connection pool per host with keep-alive (a busy host's deliveries reuse a few
// warm TLS connections), at most `perHost` connections to any one host, and timeouts short
// enough that a host which accepts and then hangs holds a slot for seconds, not minutes.
// Every connection is opened by src/net/connection-guard.ts: an inbox on a refused address
// (loopback, private … in any spelling, or a name resolving there) is never connected to.
// The agent is made on the first delivery (net/undici-on-demand.ts). TLS sessions the servers
// issue are kept (net/tls-sessions.ts), so a host posted to again after its connection closed
// costs a resumed handshake, not a full one.
import { createSecureContext } from "node:tls";
import type { Agent } from "undici";
import { OnDemandDispatcher } from "../../net/undici-on-demand.ts";
import { SKEIN_VERSION } from "../../version.ts";
import { guardedConnector } from "../../net/connection-guard.ts";
import { TlsSessionCache } from "../../net/tls-sessions.ts";
import { federationPolicy } from "../http-client.ts";

export const DELIVERY_TIMEOUTS = { connectMs: 5_000, headersMs: 10_000, bodyMs: 5_000 };

export type Outcome =
  /** 2xx: done. */
  | { kind: "delivered"; status: number }
  /** The server will never take it (404, 410, 400, 403, 422, 501 …): do not retry. */
  | { kind: "refused"; status: number; error: string }
  /** 429, or 503 with Retry-After: alive but asking us to wait. */
  | { kind: "throttled"; status: number; retryAfterMs: number | null; error: string }
  /** Network error, timeout, 5xx, 401 (keys being fetched), 408: try again later. */
  | { kind: "failed"; status: number | null; error: string };

/** Mastodon's reading of statuses: 4xx are final except 401, 408 and 429; 501 is final too. */
export function classify(status: number, retryAfter: string | null, now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  if (status === 429 || (status === 503 && retryAfter !== null)) {
    return { kind: "throttled", status, retryAfterMs: parseRetryAfter(retryAfter, now), error: `HTTP ${status}` };
  }
  if (status === 501 || (status >= 400 && status < 500 && status !== 401 && status !== 408)) return { kind: "refused", status, error: `HTTP ${status}` };
  return { kind: "failed", status, error: `HTTP ${status}` };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; null if absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface SenderOptions {
  /** Connections to one host at most (the engine's highest per-host limit). */
  perHost: number;
  testHosts: Record<string, string>;
  /** Private and loopback inboxes too (the test environment only). */
  allowPrivateAddresses: boolean;
  userAgent: string;
  /** How long an idle connection stays open (default 4 s; memory-budget.ts shortens it under a small MEMORY_TARGET). */
  keepAliveMs?: number;
  /** Bytes of TLS sessions kept for resumption (memory-budget.ts gives each sender thread its share). */
  tlsSessionBytes?: number;
}

/** TLS sessions kept when no budget says otherwise: a few thousand hosts' worth. */
export const DEFAULT_TLS_SESSION_BYTES = 4 * 1024 * 1024;

/** What a sender holds now (GET /metrics): connections open (busy or idle) and requests in flight. */
export interface ConnectionFigures {
  connections: number;
  requests: number;
  /** TLS sessions kept for resumption, and the bytes they are counted at. */
  tlsSessions: number;
  tlsSessionBytes: number;
}

export class HttpSender {
  private readonly agent: OnDemandDispatcher<Agent>;
  private readonly userAgent: string;
  /** The agent once made, for its connection counts (GET /metrics). */
  private made: Agent | null = null;
  private readonly sessions: TlsSessionCache;

  constructor(options: SenderOptions) {
    this.userAgent = options.userAgent;
    this.sessions = new TlsSessionCache(options.tlsSessionBytes ?? DEFAULT_TLS_SESSION_BYTES);
    this.agent = new OnDemandDispatcher((undici) => (this.made = new undici.Agent({
      connections: options.perHost,
      pipelining: 1,
      // Long enough to reuse a connection through a burst (a busy host takes many deliveries in
      // a row), short enough that thousands of idle TLS connections do not linger.
      keepAliveTimeout: options.keepAliveMs ?? 4_000,
      // A server's Keep-Alive hint may not stretch that: Node servers and the bench's fleet say 60 s,
      // which kept ~3,900 idle TLS connections open (700 MB) while posting to 5,000 hosts.
      keepAliveMaxTimeout: options.keepAliveMs ?? 60_000,
      connect: guardedConnector(undici, federationPolicy(options.testHosts, options.allowPrivateAddresses), {
        timeout: DELIVERY_TIMEOUTS.connectMs,
        // One TLS context (with its parsed root certificates) for every connection: building one
        // per connection was the largest single cost of delivering to thousands of hosts, in CPU
        // and in memory.
        secureContext: createSecureContext({ ecdhCurve: "X25519:P-256" }),
      }, this.sessions),
      headersTimeout: DELIVERY_TIMEOUTS.headersMs,
      bodyTimeout: DELIVERY_TIMEOUTS.bodyMs,
      // Inboxes answer with nothing worth reading.
      maxResponseSize: 64 * 1024,
    })));
  }

  async post(url: URL, headers: Record<string, string>, body: Uint8Array): Promise<Outcome> {
    try {
      const agent = await this.agent.get();
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: { ...headers, "user-agent": this.userAgent, accept: "application/activity+json" },
        body,
      });
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const retryAfter = response.headers["retry-after"];
      return classify(response.statusCode, typeof retryAfter === "string" ? retryAfter : null);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      const message = `${e.code ?? e.name}: ${e.message}`.slice(0, 500);
      // An inbox on a refused address stays refused: retrying would only knock again.
      if (e.code === "ERR_PRIVATE_ADDRESS") return { kind: "refused", status: 0, error: message };
      return { kind: "failed", status: null, error: message };
    }
  }

  figures(): ConnectionFigures {
    let connections = 0;
    let requests = 0;
    for (const pool of Object.values(this.made?.stats ?? {}) as { connected?: number; running?: number; pending?: number }[]) {
      connections += pool.connected ?? 0;
      requests += (pool.running ?? 0) + (pool.pending ?? 0);
    }
    return { connections, requests, tlsSessions: this.sessions.size, tlsSessionBytes: this.sessions.bytes };
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}

export function deliveryUserAgent(origin: string): string {
  return `Skein/${SKEIN_VERSION} (+${origin}/)`;
}
