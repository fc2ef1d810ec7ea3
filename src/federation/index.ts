// Starts federation for a server process. At start-up only what runs whether or not anyone
// federates: the delivery engine (it waits on the database), the fan-out, and the listeners of the
// queues. Fedify and everything built on it (stack.ts) load on first use through one seam
// (stack-loader.ts): the domain's ports (outbox, quote outbox, remote lookups, archive documents)
// are plugged to stand-ins that wait for the stack, ActivityPub requests wait for it in the
// middleware, and the inbox, outbox and thread jobs wait for it in their handlers.
import type { MiddlewareHandler } from "hono";
import { getLogger } from "@logtape/logtape";
import { watchMemory } from "./delivery/memory-watch.ts";
import type { Database } from "../db/database.ts";
import type { Notifier } from "../db/notify.ts";
import type { FederationDeps } from "./context.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { FEDIFY_QUEUE } from "../queue/fedify-queue.ts";
import { DeliveryStore } from "../store/deliveries.ts";
import { deferred, FederationLoader, OUTBOX_QUEUE } from "./stack-loader.ts";
import type { FederationStack } from "./stack.ts";
import type { Outbox } from "../domain/outbox.ts";
import type { QuoteOutbox } from "../domain/quotes/quote-outbox.ts";
import type { RemoteLookup } from "../domain/remote-lookup.ts";
import type { ArchiveDocuments } from "../domain/account-data/archives.ts";
import { Fanout } from "./delivery/fanout.ts";
import { DeliveryEngine } from "./delivery/engine.ts";
import { deliveryUserAgent } from "./delivery/http-sender.ts";
import { InlineSender, type DeliverySender, type ThreadFigures } from "./delivery/sender.ts";
import { SenderPool, SENDER_IDLE_MS } from "./delivery/sender-pool.ts";
import { deliveryLimits, type DeliveryLimits } from "./delivery/memory-budget.ts";
import { deliveryKeyOf } from "./keys.ts";
import { deliveryPolicy } from "./moderation-policy.ts";
import { MODERATION_QUEUE } from "../domain/moderation/domain-enforcement.ts";
import { ACCOUNT_JOBS_QUEUE } from "../domain/moderation/account-moderation.ts";
import { ACCOUNT_DATA_QUEUE } from "../domain/account-data/account-data.ts";
import { MEDIA_QUEUE } from "../domain/media/media-service.ts";

const logger = getLogger(["skein", "federation"]);

export interface FederationRuntime {
  /** Fedify and what is built on it, loaded on the first call (stack-loader.ts). */
  stack(): Promise<FederationStack>;
  /** Whether the stack has been loaded in this process yet. */
  loaded(): boolean;
  jobs: JobQueue;
  deliveries: DeliveryStore;
  engine: DeliveryEngine;
  /** What MEMORY_TARGET allows the delivery engine (memory-budget.ts). */
  limits: DeliveryLimits;
  /** Each sending thread's heap and connections now (GET /metrics). */
  senders(): Promise<ThreadFigures[]>;
  /** Times the main thread gave back the pages V8 kept pooled after its heap shrank (memory-watch.ts). */
  memoryReleases(): number;
  /** Serves WebFinger, actors, objects, collections and inboxes; everything else passes on. */
  middleware: MiddlewareHandler;
  /** Runs inbox jobs and deliveries until `signal` aborts. */
  runQueue(signal: AbortSignal): Promise<void>;
}

// Paths Fedify answers; other requests never reach it.
const FEDERATION_PATHS = /^\/(users\/[^/]+(\/.*)?|inbox|\.well-known\/webfinger)$/;
const SWEEP_MS = 5 * 60_000;
const KEEP_GAVE_UP_MS = 7 * 24 * 3600_000;
/**
 * Fan-outs built at once per process. `./skein bench fanout --workload sustained` (PostgreSQL, 50
 * posts/s): 4 let the jobs pile up (239 deliveries/s); 16 kept up (48.9 posts/s, API p50 2.4 s,
 * 1,192 deliveries/s; 15 s and 850/s with the fan-out inside the request); 32 did no better.
 */
const OUTBOX_CONCURRENCY = 16;
/**
 * PostgreSQL connections of the delivery engine's own (the fan-out's inserts use them too): claims,
 * deletes of what was delivered and retries never wait behind API requests for the shared pool.
 * `./skein bench fanout --workload sustained` on PostgreSQL: 3 held a median of 271 deliveries in
 * flight where the shared pool let it hold 90, and delivered 463/s instead of 257/s.
 */
const DELIVERY_ENGINE_CONNECTIONS = 3;
/** Inbox jobs (Fedify's queue) run at once per process. */
const INBOX_CONCURRENCY = 16;

export interface FederationQueues {
  /** The process's job queue (server/context.ts), which wakes listeners in every process. */
  jobs: JobQueue;
  /** Tells other processes' delivery engines that deliveries were queued. */
  notifier: Notifier;
  /** Deliveries held at once (DELIVERY_CONCURRENCY by default). */
  deliveryConcurrency?: number;
}

export function startFederation(deps: FederationDeps, database: Database, queues: FederationQueues): FederationRuntime {
  const { config } = deps;
  const { jobs } = queues;
  // Behind the API's requests in the shared pool (64 at once for its 10 connections under
  // sustained posting), the engine waited for a connection at every claim.
  const deliveries = new DeliveryStore(database.ownPool(DELIVERY_ENGINE_CONNECTIONS, "deliveries"), database.kind);
  const testing = config.environment === "test";
  // DELIVERY_THREADS and DELIVERY_CONCURRENCY are ceilings; MEMORY_TARGET may lower them.
  const limits = deliveryLimits(config.delivery.memoryTargetBytes, { threads: config.delivery.threads, concurrency: queues.deliveryConcurrency ?? config.delivery.concurrency });
  const senderOptions = {
    perHost: config.delivery.perHostMax,
    testHosts: config.testHosts,
    allowPrivateAddresses: testing,
    userAgent: deliveryUserAgent(config.origin),
    keepAliveMs: limits.keepAliveMs,
    // Each host is always sent from the same thread, so each keeps the sessions of its own hosts.
    tlsSessionBytes: Math.floor(limits.tlsSessionBytes / Math.max(1, limits.threads)),
  };
  const sender: DeliverySender =
    limits.threads > 0
      ? new SenderPool(senderOptions, limits.threads, SENDER_IDLE_MS, { maxOldGenerationSizeMb: limits.threadHeapMb, maxYoungGenerationSizeMb: limits.threadYoungMb })
      : new InlineSender(senderOptions);
  // The process's RSS against the target, every second: V8's heap growth capped near it
  // (process-wide, the sender threads' isolates too), pooled pages given back, and fewer
  // deliveries held past it.
  const memory = watchMemory(limits.targetBytes, limits.heapGrowingPercent, () => sender.releasePooledPages?.());
  const policy = deliveryPolicy(deps);
  const engine = new DeliveryEngine(deliveries, sender, deliveryKeyOf(deps.stores, config.origin), {
    policy,
    concurrency: limits.concurrency,
    memoryShare: memory.deliveryShare,
    claimBatch: limits.claimBatch,
    perHost: config.delivery.perHost,
    perHostMax: config.delivery.perHostMax,
    notifier: queues.notifier,
  });
  const fanout = new Fanout(deliveries, { allowPlainHttp: testing, queued: () => engine.queued(), policy });
  const heardFrom = (host: string) => void fanout.revive(host).catch((error) => logger.warn("Could not revive {host}: {error}", { host, error }));
  const loader = new FederationLoader({ deps, database, jobs, fanout, heardFrom, inboxConcurrency: INBOX_CONCURRENCY });
  const stack = () => loader.load();
  // Fan-outs to followers are jobs (outbox-queue.ts): off the request path, run below.
  deps.services.outbox.target = deferred<Outbox>(loader, (s) => s.outbox);
  deps.services.quotes.outbox.target = deferred<QuoteOutbox>(loader, (s) => s.quoteOutbox);
  deps.services.resolver.target = deferred<RemoteLookup>(loader, (s) => s.resolver);
  deps.services.accountData.archives.documents.target = deferred<ArchiveDocuments>(loader, (s) => s.archiveDocuments);

  const middleware: MiddlewareHandler = async (c, next) => {
    if (!FEDERATION_PATHS.test(c.req.path)) return next();
    return (await stack()).serve(c, next);
  };

  const runQueue = async (signal: AbortSignal) => {
    const sweep = setInterval(() => {
      deliveries.sweep(KEEP_GAVE_UP_MS).catch((error) => logger.warn("Could not sweep deliveries: {error}", { error }));
    }, SWEEP_MS);
    try {
      await Promise.all([
        // Fedify's queue (inbox activities), handled as Fedify's own worker would (startQueue); the stack loads with the first job.
        jobs.listen(FEDIFY_QUEUE, async (message) => (await stack()).federation.processQueuedTask(undefined, message as never), { signal, concurrency: INBOX_CONCURRENCY }),
        engine.run(signal),
        // Posts, edits, deletes and profile updates to every follower's server: signed and queued for delivery here,
        // OUTBOX_CONCURRENCY at once (they wait mostly on the database).
        jobs.listen(OUTBOX_QUEUE, async (payload) => (await stack()).outbox.handle(payload), { signal, concurrency: OUTBOX_CONCURRENCY }),
        // Moderation's jobs (a suspended server's purge): one at a time per process, long leases renewed.
        jobs.listen(MODERATION_QUEUE, (payload) => deps.services.moderation.enforcement.handle(payload).then(() => undefined), { signal, concurrency: 1 }),
        // Purges of suspended accounts (DELETE /api/v1/admin/accounts/:id), here where the outbox federates their Delete.
        jobs.listen(ACCOUNT_JOBS_QUEUE, (payload) => deps.services.moderation.accounts.handleJob(payload), { signal, concurrency: 1 }),
        // Users' CSV imports and archives (domain/account-data), a few at once; imports resolve remote accounts here.
        jobs.listen(ACCOUNT_DATA_QUEUE, (payload) => deps.services.accountData.handleJob(payload), { signal, concurrency: 2 }),
        // Uploads to process (domain/media): two at once, the pipeline's own gates bound the CPU and memory.
        jobs.listen(MEDIA_QUEUE, (payload) => deps.services.media.handleJob(payload), { signal, concurrency: 2 }),
      ]);
    } finally {
      clearInterval(sweep);
      await sender.close().catch(() => undefined);
    }
  };

  return { stack, loaded: () => loader.loaded, jobs, deliveries, engine, limits, senders: async () => (await sender.figures?.()) ?? [], memoryReleases: memory.releases, middleware, runQueue };
}
