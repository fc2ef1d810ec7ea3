// The delivery engine: takes deliveries from the database in batches and sends them with
// thousands in flight, without letting any one host slow the others.
//
//   claim (lease) ──▶ per-host waiting lists ──▶ in flight per host: adaptive (host-limits.ts),
//                                               `concurrency` in flight (and held) in all
//        ▲                                                  │ sign + POST (sender threads)
//        └── retry lane (a share of the slots) ◀── failed ──┤
//                                                 delivered ─▶ deleted in batches
//
// At least once: a delivery is deleted only after its host accepted it; a worker that dies
// loses its leases and another takes the deliveries again. First attempts and retries are
// claimed separately, and retries get at most a share of the slots, so a backlog of retries to
// dead hosts never delays a new post. Host health (breaker, Retry-After, unavailable hosts):
// host-health.ts. Deliveries to a host the domain policy no longer federates with (a block
// created after they were queued) are given up when claimed, with the reason as their last error.
import { getLogger } from "@logtape/logtape";
import { randomUUID } from "node:crypto";
import type { DeliveryRow, DeliveryStore } from "../../store/deliveries.ts";
import { digestOf, type SigningKey } from "./http-signature.ts";
import type { Outcome } from "./http-sender.ts";
import type { DeliverySender } from "./sender.ts";
import { HostHealth, MAX_ATTEMPTS, retryDelayMs } from "./host-health.ts";
import { HostLimits } from "./host-limits.ts";
import type { DeliveryPolicy } from "./fanout.ts";
import type { Notifier } from "../../db/notify.ts";
import { Alarm, idleSleepUntil, WakeSignal } from "../../queue/wake-signal.ts";

const logger = getLogger(["skein", "federation", "delivery"]);

export interface EngineOptions {
  /** Deliveries held at once (waiting for their host or in flight). */
  concurrency: number;
  /** Requests in flight to one host at first (see host-limits.ts)… */
  perHost: number;
  /** …and at most, while a healthy host has a backlog (default: perHost). */
  perHostMax?: number;
  leaseMs?: number;
  /** How often to look for deliveries while some are held, or while idle without a notifier reaching other processes. */
  pollMs?: number;
  /** Tells the engines of other processes that deliveries were queued, so idle ones can sleep (queue/wake-signal.ts). */
  notifier?: Notifier | null;
  /** The share of `concurrency` retries may hold. */
  retryShare?: number;
  /** Why a host gets nothing (the domain policy), checked once per host of each claimed batch. */
  policy?: DeliveryPolicy;
  /** The share of `concurrency` to hold now, read before each claim (memory-watch.ts: less near MEMORY_TARGET; default 1). */
  memoryShare?: () => number;
  /** Deliveries claimed in one query (default 500; memory-budget.ts lowers it under a small MEMORY_TARGET). */
  claimBatch?: number;
}

/** What the engine holds now (GET /metrics). */
export interface EngineFigures {
  /** Deliveries it may hold now: its concurrency, or fewer near the memory target. */
  allowed: number;
  held: number;
  inFlight: number;
  waiting: number;
  hostsInFlight: number;
}

export interface DeliveryCounters {
  delivered: number;
  refused: number;
  failed: number;
  throttled: number;
  gaveUp: number;
}

interface Prepared {
  accountId: string;
  body: Buffer;
  digest: string;
}

const FLUSH_MS = 100;
const BODY_CACHE = 256;
const START_PER_TURN = 64;

export class DeliveryEngine {
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly counters: DeliveryCounters = { delivered: 0, refused: 0, failed: 0, throttled: 0, gaveUp: 0 };
  private readonly store: DeliveryStore;
  private readonly sender: DeliverySender;
  private readonly keyOf: (accountId: string) => Promise<SigningKey>;
  private readonly health: HostHealth;
  private readonly concurrency: number;
  private readonly memoryShare: () => number;
  private readonly limits: HostLimits;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryCap: number;
  private readonly policy: DeliveryPolicy | null;
  private readonly claimBatch: number;

  private readonly waiting = new Map<string, DeliveryRow[]>();
  private readonly inFlightByHost = new Map<string, number>();
  private readonly held = new Map<string, DeliveryRow>();
  private retriesHeld = 0;
  private readonly bodies = new Map<string, Prepared>();
  private completed: string[] = [];
  /** Counts not yet added to delivery_counts. */
  private unsaved: Record<string, number> = {};
  private lastCountSave = 0;
  private clearedHosts = new Set<string>();
  private readonly alarm = new Alarm();
  private readonly queuedSignal: WakeSignal;
  private readonly idle = new Set<() => void>();
  private readonly starting: (() => void)[] = [];

  constructor(store: DeliveryStore, sender: DeliverySender, keyOf: (accountId: string) => Promise<SigningKey>, options: EngineOptions) {
    this.store = store;
    this.sender = sender;
    this.keyOf = keyOf;
    this.health = new HostHealth(store);
    this.concurrency = options.concurrency;
    this.memoryShare = options.memoryShare ?? (() => 1);
    this.limits = new HostLimits(options.perHost, options.perHostMax ?? options.perHost);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 250;
    this.retryCap = Math.max(1, Math.floor(options.concurrency * (options.retryShare ?? 0.25)));
    this.policy = options.policy ?? null;
    this.claimBatch = options.claimBatch ?? 500;
    this.queuedSignal = new WakeSignal(options.notifier ?? null, "skein_deliveries");
  }

  /** New deliveries were queued in this process: this engine and the other processes' look now rather than at their next poll. */
  queued(): void {
    this.queuedSignal.send("queued");
  }

  figures(): EngineFigures {
    let inFlight = 0;
    for (const n of this.inFlightByHost.values()) inFlight += n;
    return { allowed: this.allowed(), held: this.held.size, inFlight, waiting: this.held.size - inFlight, hostsInFlight: this.inFlightByHost.size };
  }

  /** Deliveries to hold now: `concurrency`, or fewer while the process is near its memory target. */
  private allowed(): number {
    return Math.max(1, Math.floor(this.concurrency * this.memoryShare()));
  }

  private wake(): void {
    this.alarm.wake();
  }

  /** Delivers until `signal` aborts; then finishes what is in flight and lets go of the rest. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.wake();
    signal.addEventListener("abort", onAbort);
    const stopListening = this.queuedSignal.listen("queued", onAbort);
    const renew = setInterval(() => void this.renewLeases(), Math.max(1000, this.leaseMs / 3));
    const flush = setInterval(() => void this.flush(), FLUSH_MS);
    const refresh = setInterval(() => void this.health.refresh().catch(() => undefined), 30_000);
    void this.health.refresh().catch(() => undefined);
    try {
      while (!signal.aborted) {
        let claimed = 0;
        const room = this.allowed() - this.held.size;
        if (room > 0) {
          try {
            claimed = await this.claim(room);
          } catch (error) {
            logger.warn("Could not claim deliveries: {error}", { error });
          }
        }
        if (claimed > 0 && this.held.size < this.allowed()) continue;
        await this.alarm.sleep(await this.idleSleepMs());
      }
      await this.drain();
    } finally {
      clearInterval(renew);
      clearInterval(flush);
      clearInterval(refresh);
      stopListening();
      signal.removeEventListener("abort", onAbort);
      this.lastCountSave = 0;
      await this.flush();
    }
  }

  /**
   * Holding deliveries, it polls (their completions wake it too). Idle, with other processes able
   * to signal what they queue, it sleeps until the next delivery is due (a retry, a paused host),
   * with a backstop for what no signal announces (another worker's expired lease, a lost signal).
   */
  private async idleSleepMs(): Promise<number> {
    if (this.held.size > 0 || !this.queuedSignal.crossProcess) return this.pollMs;
    let next: string | null;
    try {
      next = await this.store.nextDueAt();
    } catch (error) {
      logger.warn("Could not read when deliveries are next due: {error}", { error });
      return this.pollMs;
    }
    return idleSleepUntil(next, this.pollMs);
  }

  private async claim(room: number): Promise<number> {
    // Hosts with a full waiting list are left to other workers (or to later).
    const skipHosts = [...this.waiting].filter(([host, list]) => list.length >= this.limits.of(host) * 4).map(([host]) => host);
    const base = { worker: this.workerId, leaseMs: this.leaseMs, skipHosts };
    const retryRoom = Math.max(0, Math.min(room, this.retryCap - this.retriesHeld));
    let rows = await this.store.claim({ ...base, lane: 0, limit: Math.min(this.claimBatch, room - Math.min(retryRoom, Math.floor(room / 4))) });
    if (retryRoom > 0 && rows.length < room) rows.push(...(await this.store.claim({ ...base, lane: 1, limit: Math.min(this.claimBatch, retryRoom, room - rows.length) })));
    if (rows.length < room && rows.length > 0) rows.push(...(await this.store.claim({ ...base, lane: 0, limit: Math.min(this.claimBatch, room - rows.length) })));
    if (rows.length === 0) return 0;
    const claimed = rows.length;
    rows = await this.refuseBlocked(rows);
    if (rows.length === 0) return claimed;
    await this.prepare(rows);
    const hosts = new Set<string>();
    for (const row of rows) {
      this.held.set(row.id, row);
      if (row.lane === 1) this.retriesHeld++;
      const list = this.waiting.get(row.host) ?? [];
      // First attempts go before retries to the same host.
      if (row.lane === 0) {
        const firstRetry = list.findIndex((r) => r.lane === 1);
        list.splice(firstRetry === -1 ? list.length : firstRetry, 0, row);
      } else list.push(row);
      this.waiting.set(row.host, list);
      hosts.add(row.host);
    }
    for (const host of hosts) this.pump(host);
    return rows.length;
  }

  /** Gives up the deliveries whose host the domain policy refuses; returns the others. */
  private async refuseBlocked(rows: DeliveryRow[]): Promise<DeliveryRow[]> {
    if (!this.policy) return rows;
    const refusal = await this.policy();
    const reasons = new Map<string, string | null>();
    const refused = new Map<string, string[]>();
    const kept: DeliveryRow[] = [];
    for (const row of rows) {
      if (!reasons.has(row.host)) reasons.set(row.host, refusal(row.host));
      const reason = reasons.get(row.host);
      if (reason === null || reason === undefined) kept.push(row);
      else {
        const ids = refused.get(reason) ?? [];
        ids.push(row.id);
        refused.set(reason, ids);
      }
    }
    for (const [reason, ids] of refused) {
      this.counters.gaveUp += ids.length;
      this.unsaved.gaveUp = (this.unsaved.gaveUp ?? 0) + ids.length;
      await this.store.giveUp(ids, `not delivered: ${reason}`);
    }
    return kept;
  }

  /** Loads (once) the bodies of the activities these deliveries carry. */
  private async prepare(rows: DeliveryRow[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.activity_id))].filter((id) => !this.bodies.has(id));
    if (missing.length === 0) return;
    for (const activity of await this.store.activityBodies(missing)) {
      if (this.bodies.size >= BODY_CACHE) this.bodies.delete(this.bodies.keys().next().value!);
      const body = Buffer.from(activity.body);
      this.bodies.set(activity.id, { accountId: activity.account_id, body, digest: digestOf(body) });
    }
  }

  private pump(host: string): void {
    const list = this.waiting.get(host);
    while (list && list.length > 0) {
      const inFlight = this.inFlightByHost.get(host) ?? 0;
      if (inFlight >= this.limits.of(host)) return;
      const admission = this.health.admit(host, inFlight);
      if (admission.kind === "wait") return;
      if (admission.kind === "paused") {
        this.postponeWaiting(host, admission.until);
        return;
      }
      const row = list.shift()!;
      if (list.length === 0) this.waiting.delete(host);
      this.inFlightByHost.set(host, inFlight + 1);
      this.start(() => this.deliver(row)).finally(() => {
        const left = (this.inFlightByHost.get(host) ?? 1) - 1;
        if (left > 0) this.inFlightByHost.set(host, left);
        else {
          this.inFlightByHost.delete(host);
          if (!this.waiting.has(host)) this.limits.forget(host);
        }
        this.release(row);
        this.pump(host);
        if (this.held.size <= this.allowed() / 2) this.wake();
        if (this.held.size === 0) for (const resolve of this.idle) resolve();
      });
    }
  }

  /**
   * Starts deliveries a few dozen at a time, one batch per turn of the event loop, so API
   * requests in the same process interleave with a claimed batch of hundreds (which, with
   * DELIVERY_THREADS=0, also means hundreds of TLS handshakes on this thread).
   */
  private start(work: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.starting.push(() => void work().finally(resolve));
      if (this.starting.length === 1) setImmediate(() => this.startSome());
    });
  }

  private startSome(): void {
    for (const begin of this.starting.splice(0, START_PER_TURN)) begin();
    if (this.starting.length > 0) setImmediate(() => this.startSome());
  }

  private release(row: DeliveryRow): void {
    if (this.held.delete(row.id) && row.lane === 1) this.retriesHeld--;
  }

  /** The host is paused: its waiting deliveries go back to the database until the pause ends. */
  private postponeWaiting(host: string, until: number): void {
    const list = this.waiting.get(host) ?? [];
    this.waiting.delete(host);
    for (const row of list) this.release(row);
    if (list.length > 0) {
      void this.store.reschedule(list.map((r) => r.id), new Date(until).toISOString(), null, false).catch((error) => logger.warn("Could not postpone deliveries to {host}: {error}", { host, error }));
    }
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    try {
      const prepared = this.bodies.get(row.activity_id) ?? (await this.prepare([row]), this.bodies.get(row.activity_id));
      if (!prepared) {
        // The activity is gone (swept after its other deliveries): nothing left to send.
        this.completed.push(row.id);
        return;
      }
      const key = await this.keyOf(prepared.accountId);
      const outcome = await this.sender.send({ inbox: row.inbox_url, host: row.host, activityId: row.activity_id, body: prepared.body, digest: prepared.digest, accountId: prepared.accountId, key });
      await this.settle(row, outcome);
    } catch (error) {
      // Our own failure (keys, database): retry later like a network error.
      logger.warn("Delivery {id} to {inbox} failed before sending: {error}", { id: row.id, inbox: row.inbox_url, error });
      await this.retry(row, String(error)).catch(() => undefined);
    }
  }

  private tally(outcome: keyof DeliveryCounters): void {
    this.counters[outcome]++;
    this.unsaved[outcome] = (this.unsaved[outcome] ?? 0) + 1;
  }

  private async settle(row: DeliveryRow, outcome: Outcome): Promise<void> {
    // What a host answered, for an operator following one delivery (LOG_LEVEL=debug).
    if (outcome.kind !== "delivered") logger.debug("Delivery {id} to {inbox} (attempt {attempt}): {kind}, {error}", { id: row.id, inbox: row.inbox_url, attempt: row.attempts + 1, kind: outcome.kind, error: outcome.error });
    switch (outcome.kind) {
      case "delivered":
        this.tally("delivered");
        this.completed.push(row.id);
        this.limits.succeeded(row.host, this.waiting.has(row.host));
        if (this.health.succeeded(row.host)) this.clearedHosts.add(row.host);
        return;
      case "refused":
        // The host is up and said no for good (gone, forbidden, malformed): do not retry.
        this.tally("refused");
        this.tally("gaveUp");
        if (this.health.succeeded(row.host)) this.clearedHosts.add(row.host);
        await this.store.giveUp([row.id], outcome.error);
        return;
      case "throttled": {
        this.tally("throttled");
        this.limits.failed(row.host);
        const until = await this.health.throttled(row.host, outcome.retryAfterMs);
        await this.retry(row, outcome.error, until);
        await this.store.postponeHost(row.host, new Date(until).toISOString());
        this.postponeWaiting(row.host, until);
        return;
      }
      case "failed": {
        this.tally("failed");
        this.limits.failed(row.host);
        const { pausedUntil, unavailable } = await this.health.failed(row.host, outcome.error);
        // Not due before the host's pause ends — read after the await, so a pause that a
        // concurrent failure to the same host has just lengthened counts too.
        await this.retry(row, outcome.error, this.health.pausedUntil(row.host));
        if (unavailable) {
          logger.warn("{host} failed on too many days; marked unavailable until it contacts us", { host: row.host });
          await this.store.giveUpHost(row.host, "host unavailable");
          const list = this.waiting.get(row.host) ?? [];
          this.waiting.delete(row.host);
          for (const r of list) this.release(r);
        } else if (pausedUntil !== null) {
          await this.store.postponeHost(row.host, new Date(pausedUntil).toISOString());
          this.postponeWaiting(row.host, pausedUntil);
        }
        return;
      }
    }
  }

  private async retry(row: DeliveryRow, error: string, notBefore = 0): Promise<void> {
    const attempts = row.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      this.tally("gaveUp");
      logger.info("Giving up delivery {id} to {inbox} after {attempts} attempts: {error}", { id: row.id, inbox: row.inbox_url, attempts, error });
      await this.store.giveUp([row.id], error);
      return;
    }
    const runAt = Math.max(notBefore, Date.now() + retryDelayMs(attempts));
    await this.store.reschedule([row.id], new Date(runAt).toISOString(), error, true);
  }

  private async flush(): Promise<void> {
    const ids = this.completed;
    const hosts = this.clearedHosts;
    this.completed = [];
    this.clearedHosts = new Set();
    try {
      if (ids.length > 0) await this.store.complete(ids);
      if (hosts.size > 0) await this.store.clearHosts([...hosts]);
    } catch (error) {
      // Put them back: the next flush tries again (and a crash only means a duplicate delivery).
      this.completed.push(...ids);
      for (const host of hosts) this.clearedHosts.add(host);
      logger.warn("Could not record finished deliveries: {error}", { error });
    }
    if (Date.now() - this.lastCountSave >= 1000) {
      this.lastCountSave = Date.now();
      const counts = this.unsaved;
      this.unsaved = {};
      await this.store.count(counts).catch((error) => logger.warn("Could not save delivery counts: {error}", { error }));
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.store.renew([...this.held.keys()], this.workerId, this.leaseMs);
    } catch (error) {
      logger.warn("Could not renew delivery leases: {error}", { error });
    }
  }

  /** Stops taking work: lets go of what waits, and waits for what is in flight. */
  private async drain(): Promise<void> {
    const waitingRows = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const row of waitingRows) this.release(row);
    if (waitingRows.length > 0) await this.store.release(waitingRows.map((r) => r.id)).catch(() => undefined);
    if (this.held.size > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }
}
