// Everything federation needs Fedify for, assembled in one module that a server loads on first use
// (stack-loader.ts), not at start-up: Fedify, its vocabulary, JSON-LD, PKI and OpenTelemetry are
// about 55 MB of a server's memory (docs/PERFORMANCE.md, "Memory"), and a server nobody federates
// with yet has no use for them. Here: Fedify's federation object (dispatchers, inbox listeners),
// the resolver, the outbox that builds activities, the quote outbox, the archive's documents, the
// answer to ActivityPub requests (inbox gate, signed fetches) and the completion of remote threads.
// Only stack-loader.ts imports this file, and only dynamically.
import type { Context as HonoContext, Next } from "hono";
import type { Database } from "../db/database.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { ThreadJob } from "../domain/threads/thread-service.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import type { Fanout } from "./delivery/fanout.ts";
import { buildFederation, isGoneLocalDocument } from "./federation.ts";
import { QueuedOutbox } from "./outbox-queue.ts";
import { FedifyQuoteOutbox } from "./quotes.ts";
import type { Resolver } from "./resolver.ts";
import { isInboxPost, passInboxGate, signingKeyHosts, unreadableActivity } from "./inbox-gate.ts";
import { weakSignatureRefusal } from "./signature-policy.ts";
import { KeyRefresh } from "./key-refresh.ts";
import { DatabaseKvStore } from "../queue/kv-store.ts";
import { moderationInboxPolicy } from "./moderation-policy.ts";
import { FederationArchiveDocuments } from "./archive-documents.ts";
import { ThreadCompletion, type ThreadOutcome } from "./threads.ts";

export interface FederationStackParts {
  deps: FederationDeps;
  database: Database;
  jobs: JobQueue;
  /** The process's fan-out (delivery rows per inbox), built at start-up with the delivery engine. */
  fanout: Fanout;
  /** A server was heard from: its deliveries may be retried now. */
  heardFrom: (host: string) => void;
  /** Inbox jobs (Fedify's queue) run at once per process. */
  inboxConcurrency: number;
}

export interface FederationStack {
  federation: SkeinFederation;
  resolver: Resolver;
  outbox: QueuedOutbox;
  quoteOutbox: FedifyQuoteOutbox;
  archiveDocuments: FederationArchiveDocuments;
  /** Answers one request to a federation path (WebFinger, actors, objects, collections, inboxes); `next` for what Fedify does not serve. */
  serve(c: HonoContext, next: Next): Promise<Response | void>;
  /** Completes one remote thread (the `threads` queue's job). */
  completeThread(job: ThreadJob, signal: AbortSignal): Promise<ThreadOutcome>;
}

export function buildFederationStack(parts: FederationStackParts): FederationStack {
  const { deps, database, jobs, fanout } = parts;
  const { config } = deps;
  const { federation, resolver } = buildFederation(deps, database.db, jobs, parts.heardFrom, parts.inboxConcurrency);
  const outbox = new QueuedOutbox(federation, deps, fanout, jobs);
  const inboxPolicy = moderationInboxPolicy(deps);
  const keyRefresh = new KeyRefresh(new DatabaseKvStore(database.db));
  const context = () => federation.createContext(new URL(config.origin), undefined);
  const threads = new ThreadCompletion(deps, resolver, context);

  /** Fedify's answer, or the next handler's for paths and formats Fedify does not serve. */
  const answer = async (request: Request, next: Next) => {
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

  const serve = async (c: HonoContext, next: Next) => {
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

  return {
    federation,
    resolver,
    outbox,
    quoteOutbox: new FedifyQuoteOutbox(deps, outbox),
    // Account archives are rendered with the same documents other servers are served.
    archiveDocuments: new FederationArchiveDocuments(federation, deps),
    serve,
    completeThread: (job, signal) => threads.complete(job, signal),
  };
}
