// Starts federation for a server process: Fedify over Skein's queue and key–value store for what
// arrives, the delivery engine for what leaves, the outbox plugged into the domain, the HTTP
// entry point for ActivityPub requests, and (in processes that do background work) the inbox
// jobs and deliveries themselves.
import type { MiddlewareHandler } from "hono";
import { getLogger } from "@logtape/logtape";
import type { Database } from "../db/database.ts";
import type { Notifier } from "../db/notify.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { DeliveryStore } from "../store/deliveries.ts";
import { buildFederation, isGoneLocalDocument } from "./federation.ts";
import { OUTBOX_QUEUE, QueuedOutbox } from "./outbox-queue.ts";
import { FedifyQuoteOutbox } from "./quotes.ts";
import type { Resolver } from "./resolver.ts";
import { isInboxPost, passInboxGate, signingKeyHosts, unreadableActivity } from "./inbox-gate.ts";
import { Fanout } from "./delivery/fanout.ts";
import { DeliveryEngine } from "./delivery/engine.ts";
import { deliveryUserAgent } from "./delivery/http-sender.ts";
import { InlineSender, type DeliverySender } from "./delivery/sender.ts";
import { SenderPool } from "./delivery/sender-pool.ts";
import { deliveryKeyOf } from "./keys.ts";
import { weakSignatureRefusal } from "./signature-policy.ts";
import { KeyRefresh } from "./key-refresh.ts";
import { DatabaseKvStore } from "../queue/kv-store.ts";
import { deliveryPolicy, moderationInboxPolicy } from "./moderation-policy.ts";
import { MODERATION_QUEUE } from "../domain/moderation/domain-enforcement.ts";
import { ACCOUNT_JOBS_QUEUE } from "../domain/moderation/account-moderation.ts";
import { ACCOUNT_DATA_QUEUE } from "../domain/account-data/account-data.ts";
import { MEDIA_QUEUE } from "../domain/media/media-service.ts";
import { FederationArchiveDocuments } from "./archive-documents.ts";

const logger = getLogger(["skein", "federation"]);

export interface FederationRuntime {
  federation: SkeinFederation;
  resolver: Resolver;
  jobs: JobQueue;
  deliveries: DeliveryStore;
  engine: DeliveryEngine;
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
  const deliveries = new DeliveryStore(database.db, database.kind);
  const testing = config.environment === "test";
  const senderOptions = {
    perHost: config.delivery.perHostMax,
    testHosts: config.testHosts,
    allowPrivateAddresses: testing,
    userAgent: deliveryUserAgent(config.origin),
  };
  const sender: DeliverySender = config.delivery.threads > 0 ? new SenderPool(senderOptions, config.delivery.threads) : new InlineSender(senderOptions);
  const policy = deliveryPolicy(deps);
  const engine = new DeliveryEngine(deliveries, sender, deliveryKeyOf(deps.stores, config.origin), {
    policy,
    concurrency: queues.deliveryConcurrency ?? config.delivery.concurrency,
    perHost: config.delivery.perHost,
    perHostMax: config.delivery.perHostMax,
    notifier: queues.notifier,
  });
  const fanout = new Fanout(deliveries, { allowPlainHttp: testing, queued: () => engine.queued(), policy });
  const heardFrom = (host: string) => void fanout.revive(host).catch((error) => logger.warn("Could not revive {host}: {error}", { host, error }));
  const { federation, resolver } = buildFederation(deps, database.db, jobs, heardFrom);
  // Fan-outs to followers are jobs (outbox-queue.ts): off the request path, run below.
  const outbox = new QueuedOutbox(federation, deps, fanout, jobs);
  deps.services.outbox.target = outbox;
  deps.services.quotes.outbox.target = new FedifyQuoteOutbox(deps, outbox);
  deps.services.resolver.target = resolver;
  // Account archives are rendered with the same documents other servers are served.
  deps.services.accountData.archives.documents.target = new FederationArchiveDocuments(federation, deps);

  const inboxPolicy = moderationInboxPolicy(deps);
  const keyRefresh = new KeyRefresh(new DatabaseKvStore(database.db));
  const middleware: MiddlewareHandler = async (c, next) => {
    if (!FEDERATION_PATHS.test(c.req.path)) return next();
    let request = c.req.raw;
    // A fetch signed by a refused server's key gets nothing (Mastodon answers suspended servers' signed fetches so too).
    if (request.method === "GET") {
      for (const host of signingKeyHosts(request.headers)) {
        const refusal = await inboxPolicy.refuseHost(host);
        if (refusal) return c.json({ error: refusal }, 403);
      }
      // Secure mode answers by who signed: a signature that could be replayed elsewhere names no one.
      if (config.authorizedFetch) {
        const weak = weakSignatureRefusal(request);
        if (weak) return weak;
      }
    }
    if (isInboxPost(request, c.req.path)) {
      const gate = await passInboxGate(request, () => {
        const ctx = federation.createContext(request, undefined);
        return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, refreshKey: (keyId) => keyRefresh.forget(keyId) };
      }, inboxPolicy);
      if ("refusal" in gate) return gate.refusal;
      request = gate.request;
      try {
        return await answer(request, next);
      } catch (error) {
        const refusal = unreadableActivity(error);
        if (refusal) return refusal;
        throw error;
      }
    }
    if (request.method === "GET" && (await isGoneLocalDocument(deps.stores, c.req.path))) return c.body(null, 410);
    return answer(request, next);
  };

  /** Fedify's answer, or the next handler's for paths and formats Fedify does not serve. */
  const answer = async (request: Request, next: () => Promise<void>) => {
    let passOn = false;
    const response = await federation.fetch(request, {
      contextData: undefined,
      // Not ours, or a browser asking for HTML: the web routes answer.
      onNotFound: () => {
        passOn = true;
        return new Response(null, { status: 404 });
      },
      onNotAcceptable: () => {
        passOn = true;
        return new Response(null, { status: 406 });
      },
    });
    if (passOn) return next();
    return response;
  };

  const runQueue = async (signal: AbortSignal) => {
    const sweep = setInterval(() => {
      deliveries.sweep(KEEP_GAVE_UP_MS).catch((error) => logger.warn("Could not sweep deliveries: {error}", { error }));
    }, SWEEP_MS);
    try {
      await Promise.all([
        federation.startQueue(undefined, { signal }),
        engine.run(signal),
        // Posts, edits, deletes and profile updates to every follower's server: signed and queued for delivery here,
        // OUTBOX_CONCURRENCY at once (they wait mostly on the database).
        jobs.listen(OUTBOX_QUEUE, (payload) => outbox.handle(payload), { signal, concurrency: OUTBOX_CONCURRENCY }),
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

  return { federation, resolver, jobs, deliveries, engine, middleware, runQueue };
}
