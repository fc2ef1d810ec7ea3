// The body of a sender thread (sender-pool.ts starts them): signs and posts the deliveries it is
// given, keeping the bodies and parsed keys it has been sent, and its own connection pools.
import { parentPort, threadId, workerData } from "node:worker_threads";
import type { Outcome, SenderOptions } from "./http-sender.ts";
import { HttpSender } from "./http-sender.ts";
import type { SigningKey } from "./http-signature.ts";
import { PooledPages } from "./pooled-pages.ts";
import { FifoMap, POOL_REMEMBERS, signAndPost, threadFigures, type FiguresRequest, type ReleaseRequest, type ThreadReply, type ThreadRequest } from "./sender.ts";

/**
 * Pooled bytes a thread gives back when asked (every second while the process is above three
 * quarters of its target; at most every 30 s): its heap moves by 5–10 MB under steady sending
 * (40–47 MB in *sustained*), pages it takes back within seconds; less is not worth a collection.
 */
const RELEASE_AT_LEAST = 16 * 2 ** 20;

const http = new HttpSender(workerData as SenderOptions);
const bodies = new FifoMap<string, { body: Uint8Array; digest: string }>(POOL_REMEMBERS.bodies * 2);
const keys = new FifoMap<string, SigningKey>(POOL_REMEMBERS.keys * 2);
const port = parentPort!;
const pages = new PooledPages();
setInterval(() => pages.sample(), 1000).unref();

async function handle(request: ThreadRequest): Promise<Outcome> {
  if (request.body && request.digest) bodies.set(request.activityId, { body: request.body, digest: request.digest });
  if (request.key) keys.set(request.accountId, request.key);
  const activity = bodies.get(request.activityId);
  const key = keys.get(request.accountId);
  // Cannot happen while the pool and this thread agree on what was sent; a retry would resend both.
  if (!activity || !key) return { kind: "failed", status: null, error: "sender thread lost the body or key" };
  return signAndPost(http, request.inbox, activity.body, activity.digest, key);
}

port.on("message", (request: ThreadRequest | FiguresRequest | ReleaseRequest) => {
  if ("release" in request) {
    pages.release(RELEASE_AT_LEAST);
    return;
  }
  if ("figures" in request) {
    port.postMessage({ seq: request.seq, figures: threadFigures(`sender-${threadId}`, http) } satisfies ThreadReply);
    return;
  }
  handle(request).then(
    (outcome) => port.postMessage({ seq: request.seq, outcome } satisfies ThreadReply),
    (error) => port.postMessage({ seq: request.seq, outcome: { kind: "failed", status: null, error: String(error).slice(0, 500) } } satisfies ThreadReply),
  );
});
