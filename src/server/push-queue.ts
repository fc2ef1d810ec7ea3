// The `push` queue's runner, in full servers (`./skein start`) and workers: each job posts one
// encrypted notification to a push service (domain/push). Push has its own queue, its own
// concurrency and its own HTTP agent, so a slow or failing push service never holds back
// federation deliveries, and the reverse. Failed pushes come back with the queue's backoff
// (1 s, 2 s, 4 s … parked as dead:push after 10 attempts); a job older than the push TTL (48 h) is
// dropped. Subscriptions of revoked tokens (no longer pushed to at once) are swept every hour.
import { getLogger } from "@logtape/logtape";
import type { Runtime } from "./context.ts";
import { PUSH_QUEUE } from "../domain/push/push-service.ts";
import { PushSender } from "../domain/push/sender.ts";
import { testHostAddress } from "../config/config.ts";
import { SKEIN_VERSION } from "../version.ts";

const logger = getLogger(["skein", "push"]);
const SWEEP_MS = 3600_000;
/** Pushes in flight per process, and per push-service host. */
const CONCURRENCY = 32;
const PER_HOST = 8;
/** One push, connect to answer. */
const TIMEOUT_MS = 15_000;

export async function runPushQueue(runtime: Runtime, signal: AbortSignal): Promise<void> {
  const { services, config } = runtime;
  const jobs = runtime.jobs;
  const hosts = config.testHosts;
  // The test environment posts to the tests' push services on loopback, as federation does.
  const sender = new PushSender({
    policy: { allowPrivate: config.environment === "test", pinned: Object.keys(hosts).length ? (name) => testHostAddress(hosts, name) : undefined },
    perHost: PER_HOST,
    timeoutMs: TIMEOUT_MS,
    userAgent: `Skein/${SKEIN_VERSION} (+${config.origin})`,
  });
  services.push.sender = sender;
  const sweep = () =>
    services.push
      .sweep()
      .then((n) => n > 0 && logger.info("Deleted {n} push subscriptions of revoked tokens", { n }))
      .catch((error) => logger.warn("Could not sweep push subscriptions: {error}", { error }));
  void sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  try {
    await jobs.listen(
      PUSH_QUEUE,
      async (payload) => {
        // A push whose host already has as many waiting as in flight steps aside (a new job, shortly), so that
        // one busy push service cannot take every slot of the queue from the others.
        const later = await services.push.handleJob(payload);
        if (later) await jobs.enqueue(PUSH_QUEUE, [later], { delayMs: 250 + Math.round(Math.random() * 500) });
      },
      { signal, concurrency: CONCURRENCY },
    );
  } finally {
    clearInterval(timer);
    services.push.sender = null;
    await sender.close();
  }
}
