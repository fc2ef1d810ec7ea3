// Starts federation for a server process: Fedify over Skein's queue and key–value store, the
// outbox plugged into the domain, the HTTP entry point for ActivityPub requests, and (in
// processes that do background work) the queue of deliveries and inbox jobs.
import type { MiddlewareHandler } from "hono";
import type { Database } from "../db/database.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import { JobQueue } from "../queue/job-queue.ts";
import { buildFederation } from "./federation.ts";
import { FedifyOutbox } from "./outbox.ts";
import type { Resolver } from "./resolver.ts";
import { uncoveredBodyRefusal } from "./signature-policy.ts";

export interface FederationRuntime {
  federation: SkeinFederation;
  resolver: Resolver;
  jobs: JobQueue;
  /** Serves WebFinger, actors, objects, collections and inboxes; everything else passes on. */
  middleware: MiddlewareHandler;
  /** Runs queued deliveries and inbox jobs until `signal` aborts. */
  runQueue(signal: AbortSignal): Promise<void>;
}

// Paths Fedify answers; other requests never reach it.
const FEDERATION_PATHS = /^\/(users\/[^/]+(\/.*)?|inbox|\.well-known\/webfinger)$/;

export function startFederation(deps: FederationDeps, database: Database, options: { concurrency?: number } = {}): FederationRuntime {
  const jobs = new JobQueue(database.db, database.kind);
  const { federation, resolver } = buildFederation(deps, database.db, jobs, options.concurrency);
  deps.services.outbox.target = new FedifyOutbox(federation, deps);
  deps.services.resolver.target = resolver;

  const middleware: MiddlewareHandler = async (c, next) => {
    if (!FEDERATION_PATHS.test(c.req.path)) return next();
    const refused = uncoveredBodyRefusal(c.req.raw);
    if (refused) return refused;
    let passOn = false;
    const response = await federation.fetch(c.req.raw, {
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

  return {
    federation,
    resolver,
    jobs,
    middleware,
    runQueue: (signal) => federation.startQueue(undefined, { signal }),
  };
}
