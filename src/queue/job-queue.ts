// A durable job queue in the database (table `jobs`). Delivery is at least once: a job is
// claimed with a lease, handled, and only then deleted; a worker that dies mid-job loses its
// lease and another worker takes the job again. Failed jobs come back later with exponential
// backoff; after too many attempts they are parked in a `dead:` queue for an admin to inspect.
import type { Kysely } from "kysely";
import { getLogger } from "@logtape/logtape";
import { randomUUID } from "node:crypto";
import type { DB } from "../db/schema.ts";
import type { DatabaseKind } from "../db/database.ts";
import { claimJobs } from "../db/dialects/job-claim.ts";
import { queryTemplate } from "../db/query-templates.ts";
import { newId } from "../util/ids.ts";
import type { Notifier } from "../db/notify.ts";
import { Alarm, idleSleepUntil, WakeSignal } from "./wake-signal.ts";

// A done job's row goes by its key: every job runs it, and PostgreSQL planned it afresh each time
// (docs/performance/search.md, "Tenth pass"); kept prepared.
const deleteJob = queryTemplate((db: Kysely<DB>, p: { id: string }) => db.deleteFrom("jobs").where("id", "=", p.id), { keepPrepared: true });

const logger = getLogger(["skein", "queue"]);

export interface EnqueueOptions {
  delayMs?: number;
  /** Jobs sharing a key run one at a time; a function gives each payload of a batch its own. */
  orderingKey?: string | null | ((payload: unknown) => string | null);
}

export interface ListenOptions {
  concurrency?: number;
  signal?: AbortSignal;
  /** How long a claimed job stays ours without renewal. */
  leaseMs?: number;
  /**
   * How often to look for work while idle when other processes cannot signal theirs,
   * and while due jobs wait for a free slot or for an earlier job with their ordering key.
   */
  pollMs?: number;
}

const MAX_ATTEMPTS = 10;

export function backoffMs(attempt: number): number {
  // 1 s, 2 s, 4 s … capped at an hour, with ±25 % jitter so retries do not arrive together.
  const base = Math.min(3600_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export class JobQueue {
  private readonly db: Kysely<DB>;
  private readonly kind: DatabaseKind;
  /** "Jobs queued in <queue>", to the listeners of every process (db/notify.ts). */
  private readonly queued: WakeSignal;
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;

  /** With a notifier reaching other processes, idle listeners sleep until signalled or due (wake-signal.ts). */
  constructor(db: Kysely<DB>, kind: DatabaseKind, notifier: Notifier | null = null) {
    this.db = db;
    this.kind = kind;
    this.queued = new WakeSignal(notifier, "skein_jobs");
  }

  async enqueue(queue: string, payloads: readonly unknown[], options: EnqueueOptions = {}): Promise<void> {
    if (payloads.length === 0) return;
    const now = new Date();
    const runAt = new Date(now.getTime() + Math.max(0, options.delayMs ?? 0)).toISOString();
    const rows = payloads.map((payload) => ({
      // One id each from the clock: a batch larger than one millisecond's 65,536 ids stays unique.
      id: newId(),
      queue,
      payload: JSON.stringify(payload),
      ordering_key: typeof options.orderingKey === "function" ? options.orderingKey(payload) : (options.orderingKey ?? null),
      run_at: runAt,
      attempts: 0,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: now.toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 500) await this.db.insertInto("jobs").values(rows.slice(i, i + 500)).execute();
    // Delayed jobs too: a sleeping listener learns its next wake-up time from the database.
    this.queued.send(queue);
  }

  /** Whether a job with this ordering key waits or runs in `queue` (not counting dead ones). */
  async hasPending(queue: string, orderingKey: string): Promise<boolean> {
    const row = await this.db.selectFrom("jobs").select("id").where("queue", "=", queue).where("ordering_key", "=", orderingKey).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Runs `handler` for each job of `queue` until `signal` aborts. */
  async listen(queue: string, handler: (payload: unknown) => Promise<void> | void, options: ListenOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 8;
    const leaseMs = options.leaseMs ?? 60_000;
    const pollMs = options.pollMs ?? 1000;
    const running = new Map<string, Promise<void>>();
    const alarm = new Alarm();
    const waker = () => alarm.wake();
    const stopListening = this.queued.listen(queue, waker);
    options.signal?.addEventListener("abort", waker);

    // Keep the leases of running jobs alive, so slow jobs are not taken by another worker.
    const renew = setInterval(() => {
      if (running.size === 0) return;
      this.db
        .updateTable("jobs")
        .set({ locked_until: new Date(Date.now() + leaseMs).toISOString() })
        .where("id", "in", [...running.keys()])
        .where("locked_by", "=", this.workerId)
        .execute()
        .catch((error) => logger.warn("Could not renew job leases: {error}", { error }));
    }, Math.max(1000, leaseMs / 3));

    try {
      while (!options.signal?.aborted) {
        let claimed: Awaited<ReturnType<typeof claimJobs>> = [];
        const room = concurrency - running.size;
        if (room > 0) {
          try {
            claimed = await claimJobs(this.db, this.kind, { queue, worker: this.workerId, limit: room, leaseMs });
          } catch (error) {
            logger.warn("Could not claim jobs from {queue}: {error}", { queue, error });
          }
        }
        for (const job of claimed) {
          const task = this.run(job, handler).finally(() => {
            running.delete(job.id);
            waker();
          });
          running.set(job.id, task);
        }
        if (claimed.length === room && room > 0) continue;
        await alarm.sleep(room > claimed.length ? await this.idleSleepMs(queue, pollMs) : pollMs);
      }
      await Promise.allSettled(running.values());
    } finally {
      clearInterval(renew);
      stopListening();
      options.signal?.removeEventListener("abort", waker);
    }
  }

  /**
   * How long a listener with free slots may sleep: until the queue's next job is due, with a
   * backstop for what no signal announces (another worker's expired lease, a lost signal).
   * Where other processes cannot signal, it polls.
   */
  private async idleSleepMs(queue: string, pollMs: number): Promise<number> {
    if (!this.queued.crossProcess) return pollMs;
    let next: string | undefined;
    try {
      next = (await this.nextUnclaimed(queue))?.run_at;
    } catch (error) {
      logger.warn("Could not read when {queue} is next due: {error}", { queue, error });
      return pollMs;
    }
    return idleSleepUntil(next ?? null, pollMs);
  }

  /** The queue's first job nobody holds, by due time (on the `jobs_ready` index). */
  private nextUnclaimed(queue: string): Promise<{ run_at: string } | undefined> {
    const now = new Date().toISOString();
    return this.db
      .selectFrom("jobs")
      .select("run_at")
      .where("queue", "=", queue)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .orderBy("run_at")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
  }

  private async run(job: { id: string; payload: string; attempts: number; queue: string }, handler: (payload: unknown) => Promise<void> | void): Promise<void> {
    try {
      await handler(JSON.parse(job.payload));
      await deleteJob(this.db, { id: job.id });
    } catch (error) {
      const message = String((error as Error)?.stack ?? error).slice(0, 2000);
      if (job.attempts >= MAX_ATTEMPTS) {
        logger.error("Job {id} of {queue} failed {attempts} times; parked as dead: {error}", { id: job.id, queue: job.queue, attempts: job.attempts, error });
        await this.db.updateTable("jobs").set({ queue: `dead:${job.queue}`, locked_by: null, locked_until: null, last_error: message }).where("id", "=", job.id).execute();
      } else {
        logger.warn("Job {id} of {queue} failed (attempt {attempts}); will retry: {error}", { id: job.id, queue: job.queue, attempts: job.attempts, error });
        await this.db
          .updateTable("jobs")
          .set({ run_at: new Date(Date.now() + backoffMs(job.attempts)).toISOString(), locked_by: null, locked_until: null, last_error: message })
          .where("id", "=", job.id)
          .execute();
      }
    }
  }

  /** Jobs waiting in a queue: ready now, and scheduled for later. */
  async depth(queue: string): Promise<{ ready: number; delayed: number; oldestReadyAt: string | null }> {
    const now = new Date().toISOString();
    const rows = await this.db
      .selectFrom("jobs")
      .select((eb) => [eb.fn.countAll().as("n"), eb.fn.min("run_at").as("oldest")])
      .where("queue", "=", queue)
      .where("run_at", "<=", now)
      .executeTakeFirstOrThrow();
    const delayed = await this.db.selectFrom("jobs").select((eb) => eb.fn.countAll().as("n")).where("queue", "=", queue).where("run_at", ">", now).executeTakeFirstOrThrow();
    return { ready: Number(rows.n), delayed: Number(delayed.n), oldestReadyAt: (rows.oldest as string | null) ?? null };
  }

  /** Every queue with its depth, oldest ready job and parked (dead) jobs: for admins and /metrics. */
  async stats(): Promise<{ queue: string; ready: number; delayed: number; running: number; oldestReadyAgeSeconds: number | null }[]> {
    const now = new Date().toISOString();
    const rows = await this.db
      .selectFrom("jobs")
      .select((eb) => [
        "queue",
        eb.fn.countAll().as("total"),
        eb.fn.sum<number>(eb.case().when("run_at", ">", now).then(1).else(0).end()).as("delayed"),
        eb.fn.sum<number>(eb.case().when("locked_until", ">", now).then(1).else(0).end()).as("running"),
        eb.fn
          .min(eb.case().when(eb.and([eb("run_at", "<=", now), eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)])])).then(eb.ref("run_at")).end())
          .as("oldest"),
      ])
      .groupBy("queue")
      .orderBy("queue")
      .execute();
    return rows.map((r) => {
      const delayed = Number(r.delayed ?? 0);
      const running = Number(r.running ?? 0);
      const oldest = r.oldest as string | null;
      return {
        queue: r.queue,
        ready: Number(r.total) - delayed - running,
        delayed,
        running,
        oldestReadyAgeSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : null,
      };
    });
  }
}
