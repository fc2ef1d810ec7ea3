// How many requests the server handles at once; the others wait their turn, in order, before any
// of their work starts (their body stays unread in the socket, their handler has allocated
// nothing). Under a posting burst (`./skein bench fanout --workload sustained`: 50 posts/s
// against a server answering in seconds) ~500 requests were in the handlers at once, each holding
// its parsed body, its transaction's results and its rendered answer until the database got to
// it: the main thread's heap reached 300 MB and the process 570–600 MB, over MEMORY_TARGET. With a
// bound, a burst makes the server slower to answer, not bigger. The bounds come from
// MEMORY_TARGET (federation/delivery/memory-budget.ts, requestLimits).
//
// Three lanes, each with its own bound and line:
// - `api`: the client API and web pages;
// - `inbox`: other servers' deliveries (POSTs to inboxes), which may fetch the sender's key;
// - `federation`: other servers reading ours (actors and their keys, objects, WebFinger).
// A server verifying one of our deliveries fetches our key; behind a line of posts it would time
// out and refuse the delivery (401), which is then retried: more work, not less. And a read never
// waits on anything remote, so two servers' inbox requests fetching each other's keys can never
// wait on each other in a circle. /health and /metrics are never held: an operator watches the
// lines through them.
import type { MiddlewareHandler } from "hono";

export type RequestLane = "api" | "inbox" | "federation";
const LANES: RequestLane[] = ["api", "inbox", "federation"];

/** ActivityPub's paths (as the federation middleware answers them) and NodeInfo. */
const FEDERATION_PATHS = /^\/(users\/[^/]+(\/.*)?|inbox|\.well-known\/(webfinger|nodeinfo|host-meta)|nodeinfo\/.*)$/;
const NEVER_HELD = new Set(["/health", "/metrics"]);

export function laneOf(method: string, path: string): RequestLane | null {
  if (NEVER_HELD.has(path)) return null;
  if (!FEDERATION_PATHS.test(path)) return "api";
  return method === "GET" || method === "HEAD" ? "federation" : "inbox";
}

export interface LaneFigures {
  lane: RequestLane;
  limit: number;
  running: number;
  waiting: number;
}

/** A first-in first-out count of requests running, with a bound. */
class Lane {
  readonly limit: number;
  running = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves once the request may run; `signal` (the client went away) takes it out of the line. */
  acquire(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.running < this.limit && this.waiters.length === 0) {
      this.running++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const turn = () => {
        signal?.removeEventListener("abort", gone);
        this.running++;
        resolve(true);
      };
      const gone = () => {
        const at = this.waiters.indexOf(turn);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(false);
      };
      if (signal?.aborted) return resolve(false);
      signal?.addEventListener("abort", gone, { once: true });
      this.waiters.push(turn);
    });
  }

  release(): void {
    this.running--;
    const next = this.waiters.shift();
    if (next) next();
  }
}

export class RequestGate {
  private readonly lanes: Record<RequestLane, Lane>;

  constructor(limits: Record<RequestLane, number>) {
    this.lanes = { api: new Lane(limits.api), inbox: new Lane(limits.inbox), federation: new Lane(limits.federation) };
  }

  figures(): LaneFigures[] {
    return LANES.map((lane) => ({ lane, limit: this.lanes[lane].limit, running: this.lanes[lane].running, waiting: this.lanes[lane].waiting }));
  }

  /**
   * Outermost middleware. A request holds its place until its handler has produced the response
   * (a streamed body, as server-sent events, is then on its way and no longer counted).
   */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const which = laneOf(c.req.method, c.req.path);
      if (!which) return next();
      const lane = this.lanes[which];
      // Nobody to answer: the client closed its connection while it waited.
      if (!(await lane.acquire(c.req.raw.signal))) return c.body(null, 503);
      try {
        await next();
      } finally {
        lane.release();
      }
    };
  }
}
