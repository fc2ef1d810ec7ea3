// Sends deliveries on a few worker threads (DELIVERY_THREADS), each with its own connection
// pools: TLS handshakes and RSA signatures were most of a delivery's CPU, and on one thread they
// capped a process at one core and kept the API waiting. Each host always goes to the same
// thread, so its keep-alive connections are reused and the per-host connection limit holds.
// A thread is sent an activity's body and an account's key once, not with every delivery.
// Threads start when there is something to send and end after SENDER_IDLE_MS with nothing to
// send: each holds its own V8 heap and connection pools (four took 148 MB sending to 40 hosts),
// which an idle server should not keep (docs/PERFORMANCE.md, "Memory").
import { Worker, type ResourceLimits } from "node:worker_threads";
import { getLogger } from "@logtape/logtape";
import type { Outcome, SenderOptions } from "./http-sender.ts";
import { FifoMap, POOL_REMEMBERS, type DeliverySender, type FiguresRequest, type Parcel, type ReleaseRequest, type ThreadFigures, type ThreadReply, type ThreadRequest } from "./sender.ts";

const logger = getLogger(["skein", "federation", "delivery"]);

/** How long a sender thread waits with nothing to send before it ends. */
export const SENDER_IDLE_MS = 60_000;

class SenderThread {
  readonly worker: Worker;
  readonly pending = new Map<number, (outcome: Outcome) => void>();
  /** Asked for figures and not answered yet (not deliveries: they do not keep a thread from retiring). */
  readonly asked = new Map<number, (figures: ThreadFigures | null) => void>();
  readonly bodiesSent = new FifoMap<string, true>(POOL_REMEMBERS.bodies);
  readonly keysSent = new FifoMap<string, true>(POOL_REMEMBERS.keys);
  exited = false;
  /** When it was last given a delivery or answered one (performance.now()). */
  lastActive = performance.now();

  constructor(options: SenderOptions, resourceLimits: ResourceLimits | undefined, onExit: () => void) {
    // resourceLimits (memory-budget.ts): a thread past its heap cap ends, and what it had in
    // flight is retried, instead of the process growing past MEMORY_TARGET.
    this.worker = new Worker(new URL("./sender-thread.ts", import.meta.url), { workerData: options, name: "skein-sender", resourceLimits });
    // Threads never keep the process alive; close() ends them.
    this.worker.unref();
    this.worker.on("message", (reply: ThreadReply) => {
      if ("figures" in reply) {
        this.asked.get(reply.seq)?.(reply.figures);
        this.asked.delete(reply.seq);
        return;
      }
      const resolve = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      this.lastActive = performance.now();
      resolve?.(reply.outcome);
    });
    this.worker.on("error", (error) => logger.error("A sender thread failed: {error}", { error }));
    this.worker.on("exit", () => {
      this.exited = true;
      // What it had in flight is retried like any network failure.
      for (const resolve of this.pending.values()) resolve({ kind: "failed", status: null, error: "sender thread exited" });
      this.pending.clear();
      for (const resolve of this.asked.values()) resolve(null);
      this.asked.clear();
      onExit();
    });
  }
}

export class SenderPool implements DeliverySender {
  private readonly options: SenderOptions;
  private readonly threads: (SenderThread | null)[];
  private readonly idleMs: number;
  private readonly resourceLimits: ResourceLimits | undefined;
  private seq = 0;
  private closing = false;
  /** Looks for idle threads while any runs; stopped when none does, so an idle server has no timer here. */
  private sweep: NodeJS.Timeout | null = null;

  constructor(options: SenderOptions, threads: number, idleMs = SENDER_IDLE_MS, resourceLimits?: ResourceLimits) {
    this.options = options;
    this.resourceLimits = resourceLimits;
    this.threads = Array.from({ length: Math.max(1, threads) }, () => null);
    this.idleMs = idleMs;
  }

  /** Threads running now. */
  get running(): number {
    return this.threads.filter((thread) => thread && !thread.exited).length;
  }

  send(parcel: Parcel): Promise<Outcome> {
    if (this.closing) return Promise.resolve({ kind: "failed", status: null, error: "shutting down" });
    const thread = this.threadFor(parcel.host);
    const seq = ++this.seq;
    const request: ThreadRequest = { seq, inbox: parcel.inbox, activityId: parcel.activityId, accountId: parcel.accountId };
    if (!thread.bodiesSent.has(parcel.activityId)) {
      request.body = parcel.body;
      request.digest = parcel.digest;
      thread.bodiesSent.set(parcel.activityId, true);
    }
    if (!thread.keysSent.has(parcel.accountId)) {
      request.key = { keyId: parcel.key.keyId, privateKey: parcel.key.privateKey };
      thread.keysSent.set(parcel.accountId, true);
    }
    thread.lastActive = performance.now();
    return new Promise<Outcome>((resolve) => {
      thread.pending.set(seq, resolve);
      thread.worker.postMessage(request);
    });
  }

  /** Asks each running thread for its heap and connections (a thread that ends meanwhile is left out). */
  async figures(): Promise<ThreadFigures[]> {
    const asked = this.threads.filter((thread): thread is SenderThread => thread !== null && !thread.exited).map(
      (thread) =>
        new Promise<ThreadFigures | null>((resolve) => {
          const seq = ++this.seq;
          thread.asked.set(seq, resolve);
          thread.worker.postMessage({ seq, figures: true } satisfies FiguresRequest);
        }),
    );
    return (await Promise.all(asked)).filter((f): f is ThreadFigures => f !== null);
  }

  releasePooledPages(): void {
    for (const thread of this.threads) if (thread && !thread.exited) thread.worker.postMessage({ release: true } satisfies ReleaseRequest);
  }

  /** The thread for a host, started when first needed (and again if it died). */
  private threadFor(host: string): SenderThread {
    const index = hostHash(host) % this.threads.length;
    let thread = this.threads[index];
    if (!thread || thread.exited) {
      const started: SenderThread = new SenderThread(this.options, this.resourceLimits, () => {
        if (this.threads[index] === started) this.threads[index] = null;
      });
      thread = started;
      this.threads[index] = thread;
      if (!this.sweep) {
        this.sweep = setInterval(() => this.retireIdle(), Math.max(50, this.idleMs / 4));
        this.sweep.unref();
      }
    }
    return thread;
  }

  /** Ends threads with nothing in flight for idleMs; their hosts' next delivery starts a new one. */
  private retireIdle(): void {
    const now = performance.now();
    this.threads.forEach((thread, index) => {
      if (!thread || thread.exited || thread.pending.size > 0 || now - thread.lastActive < this.idleMs) return;
      // Out of the slot first: a delivery from now on starts a fresh thread, never this ending one.
      this.threads[index] = null;
      void thread.worker.terminate();
    });
    if (this.running === 0) this.stopSweep();
  }

  private stopSweep(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopSweep();
    await Promise.all(this.threads.map((thread) => thread?.worker.terminate()));
  }
}

/** FNV-1a: cheap, and spreads host names evenly. */
function hostHash(host: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) hash = Math.imul(hash ^ host.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
