// `./skein start` (and `./skein web`): migrate, then serve until SIGINT/SIGTERM.
import { getLogger } from "@logtape/logtape";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { setUpLogging } from "../../server/logging.ts";
import { acquireServerLock } from "../../db/server-lock.ts";
import { openRuntime } from "../../server/context.ts";
import { createApp } from "../../http/app.ts";
import { RequestGate } from "../../http/request-gate.ts";
import { requestLimits } from "../../federation/delivery/memory-budget.ts";
import { listen } from "../../server/http-server.ts";
import { createStreaming } from "../../server/streaming.ts";
import { backgroundTasks, startScheduler } from "../../server/scheduler.ts";
import { SKEIN_VERSION } from "../../version.ts";
import { startFederation } from "../../federation/index.ts";
import { runMailQueue } from "../../server/mail-queue.ts";
import { runPushQueue } from "../../server/push-queue.ts";
import { runThreadQueue } from "../../server/thread-queue.ts";
import { runCardQueue } from "../../server/card-queue.ts";
import { installFederationHttpClient } from "../../federation/http-client.ts";
import { loadWebClient } from "../../http/web/client.ts";
import { ensureWebClientBuilt, WEB_DIST } from "../../../web/build.ts";
import { collectStartupGarbage } from "../../server/startup-memory.ts";

const logger = getLogger(["skein", "server"]);

/** The web client, built first when web/dist is missing or older than web/src (a few ms when it is not). */
async function prepareWebClient() {
  try {
    await ensureWebClientBuilt({ log: (message) => logger.info(message) });
  } catch (error) {
    logger.warn("The web client could not be built, so / shows the about page: {error}", { error: String(error) });
  }
  return loadWebClient(WEB_DIST);
}

async function serve(role: "all" | "web"): Promise<number> {
  const startedAt = performance.now();
  loadDotEnv();
  const config = loadConfig();
  await setUpLogging(config.log);
  const webClient = await prepareWebClient();
  const releaseLock = config.database.kind === "sqlite" ? acquireServerLock(config.database.file) : () => {};
  let runtime;
  try {
    runtime = await openRuntime(config);
  } catch (error) {
    releaseLock();
    throw error;
  }
  installFederationHttpClient(config);
  const federation = startFederation({ config, services: runtime.services, stores: runtime.stores }, runtime.database, { jobs: runtime.jobs, notifier: runtime.notifier });
  const streaming = createStreaming(runtime);
  // What GET /metrics and the admin dashboard show of the queues (the figures of `./skein queue status`).
  const queueFigures = {
    queueStats: () => federation.jobs.stats(),
    deliveries: async () => ({ stats: await federation.deliveries.stats(), lastMinute: await federation.deliveries.recentCounts(1), process: { ...federation.engine.counters } }),
    failingHosts: (limit: number) => federation.deliveries.failingHosts(limit),
    federationLoaded: () => federation.loaded(),
    deliveryMemory: async () => ({ limits: federation.limits, engine: federation.engine.figures(), threads: await federation.senders(), releases: federation.memoryReleases() }),
  };
  const app = createApp(runtime.services, {
    streaming: streaming.hub,
    federation: federation.middleware,
    webClient,
    metrics: queueFigures,
    queue: queueFigures,
    // Requests handled at once, from MEMORY_TARGET (federation/delivery/memory-budget.ts).
    requestGate: new RequestGate(requestLimits(config.delivery.memoryTargetBytes)),
  });
  let listening;
  try {
    listening = await listen(app, config);
    streaming.attach(listening.server);
    await streaming.ready();
  } catch (error) {
    await streaming.close();
    await runtime.close();
    releaseLock();
    throw error;
  }
  // Periodic sweeps (poll endings…) run in full servers, not in web-only processes.
  const scheduler = role === "all" ? startScheduler(backgroundTasks(runtime.services, runtime.sweeps)) : null;
  // Deliveries and inbox jobs run in full servers; web-only processes just queue them.
  const stopQueue = new AbortController();
  const queueDone = role === "all" ? federation.runQueue(stopQueue.signal) : Promise.resolve();
  // Queued mails are sent by full servers too (server/mail-queue.ts).
  const mailDone = role === "all" ? runMailQueue(runtime, stopQueue.signal) : Promise.resolve();
  // Web Push sends, on their own queue (server/push-queue.ts).
  const pushDone = role === "all" ? runPushQueue(runtime, stopQueue.signal) : Promise.resolve();
  // Remote threads completed when their context is opened (server/thread-queue.ts).
  const threadsDone = role === "all" ? runThreadQueue(runtime, federation, stopQueue.signal) : Promise.resolve();
  // Link previews, on their own queue (server/card-queue.ts).
  const cardsDone = role === "all" ? runCardQueue(runtime, stopQueue.signal) : Promise.resolve();
  const where = config.database.kind === "sqlite" ? `SQLite ${config.database.file}` : "PostgreSQL";
  logger.info("Skein {version} ({role}) serving {origin} on {bind}:{port} with {where}, ready in {ms} ms", {
    version: SKEIN_VERSION,
    role,
    origin: config.origin,
    bind: config.bind,
    port: listening.port,
    where,
    ms: Math.round(performance.now() - startedAt),
  });
  // The database's connections opened and warmed before requests need them, and kept
  // (db/database.ts). Not for the suite's hundred-odd servers: ~0.3 s of PostgreSQL's CPU each,
  // for first requests no test times (test/integration/database-connections.test.ts checks it).
  const warmed = (config.environment === "test" ? Promise.resolve() : runtime.database.warmConnections()).catch((error) => logger.warn("Could not open the database's connections ahead of requests: {error}", { error: String(error) }));
  const cancelCollect = collectStartupGarbage();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info("Received {signal}; shutting down", { signal });
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // Supervisors that cannot send signals (the test harness) may close our stdin instead, so a
    // server never outlives whoever started it.
    if (process.env.SKEIN_STOP_ON_STDIN_CLOSE === "1") {
      process.stdin.on("end", () => stop("stdin closed")).resume();
    }
  });
  // A stdin still being read would keep the process alive after shutdown.
  if (process.env.SKEIN_STOP_ON_STDIN_CLOSE === "1") process.stdin.destroy();
  cancelCollect();
  await warmed;
  await scheduler?.stop();
  stopQueue.abort();
  await queueDone.catch(() => {});
  await mailDone.catch(() => {});
  await pushDone.catch(() => {});
  await threadsDone.catch(() => {});
  await cardsDone.catch(() => {});
  // Stop taking requests, let running ones finish (bounded), then close the database. Streaming
  // connections never finish by themselves: they are closed first.
  await streaming.close();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      listening.server.closeAllConnections?.();
      resolve();
    }, 5000);
    listening.server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    listening.server.closeIdleConnections?.();
  });
  await runtime.close();
  releaseLock();
  return 0;
}

export const start = () => serve("all");
export const web = () => serve("web");
