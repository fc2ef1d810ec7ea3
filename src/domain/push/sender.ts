// Posting one encrypted push to a push service, through net/'s guard like every connection
// made to a URL someone else chose (the endpoint comes from a client): in production only
// public addresses, judged on the connection actually made. Push has its own agent, so a slow
// push service never holds a federation connection, and its own limits: a deadline per request
// and a few requests at once per push-service host (Apple, Google, Mozilla and the relays of iOS
// apps are few hosts with many subscriptions each).
import type { Agent } from "undici";
import type { OutboundPolicy } from "../../net/connection-guard.ts";
import { guardedConnector } from "../../net/connection-guard.ts";
import { loadUndici, OnDemandDispatcher } from "../../net/undici-on-demand.ts";

export interface PushRequest {
  endpoint: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type PushOutcome =
  | { kind: "delivered" }
  /** 404/410: the push service forgot the subscription; or its address is refused (never reachable): delete ours. */
  | { kind: "gone"; reason: string }
  /** 408/429/5xx, a network failure, a deadline: try again later. */
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  /** Another 4xx: the service refuses this message; trying again would not help. */
  | { kind: "refused"; status: number }
  /** As many pushes to this host wait as are in flight: not sent, nothing failed. */
  | { kind: "busy" };

export interface PushSenderOptions {
  policy: OutboundPolicy;
  /** Requests in flight to one push-service host. */
  perHost: number;
  /** One request from connecting to the end of the answer. */
  timeoutMs: number;
  userAgent: string;
}

/** What is read of an answer (push services answer with nothing, or a short error). */
const MAX_ANSWER_BYTES = 16 * 1024;

export class PushSender {
  private readonly agent: OnDemandDispatcher<Agent>;
  private readonly options: PushSenderOptions;
  private readonly hosts = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(options: PushSenderOptions) {
    this.options = options;
    // Made on the first push sent (net/undici-on-demand.ts).
    this.agent = new OnDemandDispatcher((undici) => new undici.Agent({
      connect: guardedConnector(undici, options.policy, { timeout: Math.min(10_000, options.timeoutMs) }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: options.perHost,
    }));
  }

  async send(push: PushRequest): Promise<PushOutcome> {
    const host = new URL(push.endpoint).host;
    const release = await this.slot(host);
    if (!release) return { kind: "busy" };
    try {
      const [{ request }, agent] = await Promise.all([loadUndici(), this.agent.get()]);
      const answer = await request(push.endpoint, {
        method: "POST",
        headers: { ...push.headers, "user-agent": this.options.userAgent },
        body: push.body,
        dispatcher: agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await drain(answer.body);
      const status = answer.statusCode;
      if (status >= 200 && status < 300) return { kind: "delivered" };
      if (status === 404 || status === 410) return { kind: "gone", reason: `the push service answered ${status}` };
      if (status === 408 || status === 429 || status >= 500) {
        const after = Number(answer.headers["retry-after"]);
        return { kind: "retry", reason: `the push service answered ${status}`, retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined };
      }
      return { kind: "refused", status };
    } catch (error) {
      if (refusedAddress(error)) return { kind: "gone", reason: describe(error) };
      return { kind: "retry", reason: describe(error) };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  /**
   * A slot for one request to `host`, waiting for one when all are taken; null when as many
   * pushes already wait as are in flight (the job comes back later instead of holding a place
   * in the queue that other hosts' pushes could use).
   */
  private async slot(host: string): Promise<(() => void) | null> {
    let state = this.hosts.get(host);
    if (!state) this.hosts.set(host, (state = { active: 0, waiting: [] }));
    const s = state;
    if (s.active >= this.options.perHost) {
      if (s.waiting.length >= this.options.perHost) return null;
      await new Promise<void>((resolve) => s.waiting.push(resolve));
    } else {
      s.active++;
    }
    return () => {
      const next = s.waiting.shift();
      if (next) return next(); // the slot passes on, still counted
      s.active--;
      if (s.active === 0) this.hosts.delete(host);
    };
  }
}

async function drain(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<void> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy?.();
      return;
    }
  }
}

/** The connection guard refused the endpoint's address (net/connection-guard.ts): no retry will reach it. */
function refusedAddress(error: unknown): boolean {
  const code = (e: unknown) => (e as { code?: unknown } | null)?.code;
  return code(error) === "ERR_PRIVATE_ADDRESS" || code((error as { cause?: unknown })?.cause) === "ERR_PRIVATE_ADDRESS";
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const inner = cause instanceof Error ? cause.message : null;
  const outer = error instanceof Error ? error.message : String(error);
  return inner && inner !== outer ? `${outer} (${inner})` : outer;
}
