// The server's figures over time, for the admin console's charts: every minute the scheduler's
// sweep (server/scheduler.ts, "server-samples") reads the figures `./skein queue status` prints —
// jobs and deliveries waiting, deliveries made and failed in the last minute — and, hourly, the
// media storage (local uploads' files from their rows, the remote media cache from its
// accounting row: the storage side of `./skein cost` without its file-by-file walk), and keeps
// them a week in server_samples. The same sweep deletes what is older, so the table stays
// bounded (about 10,000 rows) without a job of its own.
import type { Stores } from "../../store/stores.ts";
import type { ServerSampleValues } from "../../store/server-samples.ts";

export type ServerSample = ServerSampleValues;

/** What the queues hold now, as `./skein queue status` reads them (plugged in by server/context.ts). */
export interface QueueSnapshot {
  jobsQueued: number;
  jobsReady: number;
  deliveriesQueued: number;
  deliveriesReady: number;
  /** Deliveries made and failed in the last minute. */
  delivered: number;
  failed: number;
}

export const HISTORY_DAYS = 7;
/** Storage grows slowly and its local figure scans the attachments: measured at most this often. */
const STORAGE_EVERY_MS = 3600_000;
const MINUTES_KEPT = HISTORY_DAYS * 24 * 60;

const minuteOf = (time: Date) => time.toISOString().slice(0, 16);

export class ServerHistory {
  private readonly stores: Stores;
  /** The queues' figures; null in a process that has none to read (then nothing is sampled). */
  readonly ports: { queues: (() => Promise<QueueSnapshot>) | null } = { queues: null };

  constructor(stores: Stores) {
    this.stores = stores;
  }

  /**
   * Takes the minute's sample (replacing one already taken that minute by another process) and
   * deletes samples older than a week. Storage is measured when the last measure is an hour old,
   * or when `measureStorage` asks (a moderator's "sample now"). Null when no queue is readable.
   */
  async sample(options: { now?: Date; measureStorage?: boolean } = {}): Promise<ServerSample | null> {
    if (!this.ports.queues) return null;
    const now = options.now ?? new Date();
    const minute = minuteOf(now);
    const lastStorage = await this.stores.serverSamples.lastStorageMinute();
    const storageDue = options.measureStorage || lastStorage === null || Date.parse(`${lastStorage}Z`) <= now.getTime() - STORAGE_EVERY_MS;
    const [queues, mediaBytes, cacheBytes] = await Promise.all([
      this.ports.queues(),
      storageDue ? this.stores.serverSamples.localMediaBytes() : null,
      storageDue ? this.stores.mediaCache.usedBytes() : null,
    ]);
    const row: ServerSample = {
      minute,
      sampled_at: now.toISOString(),
      jobs_queued: queues.jobsQueued,
      jobs_ready: queues.jobsReady,
      deliveries_queued: queues.deliveriesQueued,
      deliveries_ready: queues.deliveriesReady,
      delivered: queues.delivered,
      failed: queues.failed,
      media_bytes: mediaBytes,
      cache_bytes: cacheBytes,
    };
    await this.stores.serverSamples.upsert(row);
    await this.stores.serverSamples.pruneBefore(minuteOf(new Date(now.getTime() - MINUTES_KEPT * 60_000)));
    return row;
  }

  /** The samples of the last `hours` (at most a week), oldest first. */
  async history(hours: number, now = new Date()): Promise<ServerSample[]> {
    const span = Math.min(Math.max(1, hours), HISTORY_DAYS * 24);
    return this.stores.serverSamples.since(minuteOf(new Date(now.getTime() - span * 3600_000)), MINUTES_KEPT + 60);
  }
}
