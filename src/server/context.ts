// Opens what every command needs: the database (migrated), the stores and the services.
import type { Config } from "../config/config.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { createStores, type Stores } from "../store/stores.ts";
import { createServices, type Services } from "../domain/services.ts";
import { openNotifier, type Notifier } from "../db/notify.ts";
import { forwardEvents } from "./event-transport.ts";
import { JobQueue } from "../queue/job-queue.ts";
import { WakeSignal } from "../queue/wake-signal.ts";
import { ANNOUNCEMENTS_SWEEP, SEARCH_INDEX_SWEEP } from "./scheduler.ts";
import { createMailTransport } from "../mail/transport.ts";
import { configureMediaPipeline } from "../media/pipeline.ts";
import { measureDatabaseSize } from "../db/dialects/database-size.ts";
import { DeliveryStore } from "../store/deliveries.ts";

export interface Runtime {
  config: Config;
  database: Database;
  stores: Stores;
  services: Services;
  /** Messages between this server's processes (streaming fan-out, queued work); see db/notify.ts. */
  notifier: Notifier;
  /** The durable job queue every service queues its background work on (queue/job-queue.ts). */
  jobs: JobQueue;
  /** Nudges for the scheduler's sweeps, from every process (server/scheduler.ts). */
  sweeps: WakeSignal;
  close(): Promise<void>;
}

export async function openRuntime(config: Config): Promise<Runtime> {
  // The media pipeline's tools and bounds for this process (FFMPEG_PATH, images/transcodes at once).
  configureMediaPipeline(config.media.pipeline);
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database, { childProcess: config.database });
  } catch (error) {
    await database.close();
    throw error;
  }
  const stores = createStores(database.db);
  const services = createServices(stores, config);
  const notifier = await openNotifier(config.database, database.db);
  // One queue for every service's jobs, from every process (the CLI's too); a job queued here
  // wakes the listeners of every process through the notifier (queue/wake-signal.ts).
  const jobs = new JobQueue(database.db, database.kind, notifier);
  // Moderation's durable jobs (a suspended server's purge, an account's).
  services.moderation.enforcement.jobs = jobs;
  services.moderation.accounts.jobs = jobs;
  // Mails are queued from every process and sent by full servers and workers (server/mail-queue.ts).
  services.emails.jobs = jobs;
  // Uploads are queued by web processes and processed by full servers and workers (the `media` queue).
  services.media.jobs = jobs;
  // Pushes are queued by whichever process creates a notification, sent by full servers and workers (server/push-queue.ts).
  services.push.jobs = jobs;
  // Thread completions are queued by web processes (a context opened), run by full servers and workers (server/thread-queue.ts).
  services.threads.jobs = jobs;
  // Link previews are queued by whichever process stores a status, fetched by full servers and workers (server/card-queue.ts).
  services.cards.jobs = jobs;
  // Work this process leaves for a sweep nudges the sweeping processes (workers, full servers), or
  // only this process's own sweep where it runs one (wake-signal.ts, nudge).
  const sweeps = new WakeSignal(notifier, "skein_sweeps");
  services.search.indexer.onQueued(() => sweeps.nudge(SEARCH_INDEX_SWEEP));
  services.announcements.onPending(() => sweeps.send(ANNOUNCEMENTS_SWEEP));
  // The prune reports the database's size, which each engine measures its own way.
  services.pruning.ports.databaseSize = () => measureDatabaseSize(database.db, database.kind);
  // The charts' samples read the queues as `./skein queue status` does (domain/instance/server-history.ts).
  const deliveries = new DeliveryStore(database.db, database.kind);
  services.serverHistory.ports.queues = async () => {
    const [jobStats, d, lastMinute] = await Promise.all([jobs.stats(), deliveries.stats(), deliveries.recentCounts(1)]);
    return {
      jobsQueued: jobStats.reduce((n, q) => n + q.ready + q.running + q.delayed, 0),
      jobsReady: jobStats.reduce((n, q) => n + q.ready, 0),
      deliveriesQueued: d.ready + d.running + d.delayed,
      deliveriesReady: d.ready,
      delivered: lastMinute.delivered ?? 0,
      failed: lastMinute.failed ?? 0,
    };
  };
  services.emails.transport = createMailTransport(config);
  // The media proxy's signing secret (made once, in the settings table) before any entity names a remote file.
  await services.remoteMedia.start();
  // Every process's events reach the streaming clients of every process.
  const stopForwarding = forwardEvents(services.events, notifier);
  const close = async () => {
    await stopForwarding();
    // Served-media counters not yet written, and views not yet recorded.
    await services.mediaUsage.close();
    await services.remoteMedia.close();
    await services.emails.transport?.close();
    await notifier.close();
    await database.close();
  };
  return { config, database, stores, services, notifier, jobs, sweeps, close };
}
