// `./skein worker [--concurrency N]`: background work without a web server — federation
// deliveries (N held at once; DELIVERY_CONCURRENCY by default), inbox jobs and periodic sweeps —
// for scaled deployments on PostgreSQL, where any number of workers on any number of machines
// share the queues (FOR UPDATE SKIP LOCKED).
import { getLogger } from "@logtape/logtape";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { setUpLogging } from "../../server/logging.ts";
import { openRuntime } from "../../server/context.ts";
import { backgroundTasks, startScheduler } from "../../server/scheduler.ts";
import { startFederation } from "../../federation/index.ts";
import { runMailQueue } from "../../server/mail-queue.ts";
import { runPushQueue } from "../../server/push-queue.ts";
import { collectStartupGarbage } from "../../server/startup-memory.ts";
import { runThreadQueue } from "../../server/thread-queue.ts";
import { runCardQueue } from "../../server/card-queue.ts";
import { installFederationHttpClient } from "../../federation/http-client.ts";
import { parseArgs, UsageError } from "../usage.ts";

const logger = getLogger(["skein", "worker"]);

export async function worker(args: string[]): Promise<number> {
  const { options } = parseArgs(args);
  const concurrencyOption = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrencyOption !== undefined && (!Number.isInteger(concurrencyOption) || concurrencyOption < 1 || concurrencyOption > 20_000)) {
    throw new UsageError("--concurrency must be a whole number from 1 to 20000");
  }
  loadDotEnv();
  const config = loadConfig();
  const concurrency = concurrencyOption ?? config.delivery.concurrency;
  if (config.database.kind === "sqlite") {
    throw new UsageError("on SQLite, ./skein start does the background work itself; separate workers need PostgreSQL (DATABASE_URL)");
  }
  await setUpLogging(config.log);
  installFederationHttpClient(config);
  const runtime = await openRuntime(config);
  const federation = startFederation({ config, services: runtime.services, stores: runtime.stores }, runtime.database, { jobs: runtime.jobs, notifier: runtime.notifier, deliveryConcurrency: concurrency });
  const scheduler = startScheduler(backgroundTasks(runtime.services, runtime.sweeps));
  const stop = new AbortController();
  const queueDone = federation.runQueue(stop.signal);
  const mailDone = runMailQueue(runtime, stop.signal);
  const pushDone = runPushQueue(runtime, stop.signal);
  const threadsDone = runThreadQueue(runtime, federation, stop.signal);
  const cardsDone = runCardQueue(runtime, stop.signal);
  logger.info("Skein worker running: up to {concurrency} deliveries at once, {perHost} to {perHostMax} per host", { concurrency, perHost: config.delivery.perHost, perHostMax: config.delivery.perHostMax });
  const cancelCollect = collectStartupGarbage();
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  cancelCollect();
  stop.abort();
  await scheduler.stop();
  await queueDone.catch(() => {});
  await mailDone.catch(() => {});
  await pushDone.catch(() => {});
  await threadsDone.catch(() => {});
  await cardsDone.catch(() => {});
  await runtime.close();
  return 0;
}
