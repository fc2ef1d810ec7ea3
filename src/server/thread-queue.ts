// The `threads` queue's runner, in full servers (`./skein start`) and workers: each job completes
// one remote thread (federation/threads.ts) — missing parents, then the replies collections —
// within domain/threads' bounds. A completion is best effort: a failure is logged, not retried
// (the next open after the interval tries again), and the thread's record is marked finished
// either way, so clients waiting on its async refresh stop asking.
import { getLogger } from "@logtape/logtape";
import type { Runtime } from "./context.ts";
import type { FederationRuntime } from "../federation/index.ts";
import { THREADS_QUEUE } from "../domain/threads/thread-service.ts";

const logger = getLogger(["skein", "threads"]);
/** Threads completed at once per process (each waits mostly on other servers). */
const CONCURRENCY = 4;

export async function runThreadQueue(runtime: Runtime, federation: FederationRuntime, signal: AbortSignal): Promise<void> {
  const { services } = runtime;
  const jobs = runtime.jobs;
  await jobs.listen(
    THREADS_QUEUE,
    async (payload) => {
      const job = services.threads.jobOf(payload);
      if (!job) return;
      let outcome = { conversationId: job.conversationId, resultCount: 0 };
      try {
        // Completing a thread is federation's work: the first job loads the stack (federation/stack-loader.ts).
        outcome = await (await federation.stack()).completeThread(job, signal);
      } catch (error) {
        logger.warn("Could not complete the thread {conversation}: {error}", { conversation: job.conversationId, error });
      }
      await services.threads.finished(job, outcome.conversationId, outcome.resultCount);
    },
    { signal, concurrency: CONCURRENCY },
  );
}
