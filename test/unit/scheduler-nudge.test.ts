// The scheduler's nudge (server/scheduler.ts): work queued in this process runs its task soon
// rather than at its interval (the full-text indexing after a post, issue 15), a nudge during a
// sweep runs the task again right after it, and a stopped scheduler listens no more.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { startScheduler } from "../../src/server/scheduler.ts";

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function nudgeable() {
  const listeners = new Set<() => void>();
  return {
    wake: () => listeners.forEach((listener) => listener()),
    listen: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listening: () => listeners.size,
  };
}

test("a nudged task runs again long before its interval; a nudge during a sweep runs it once more after", async () => {
  const source = nudgeable();
  let runs = 0;
  let release: (() => void) | null = null;
  const scheduler = startScheduler([{
    name: "nudged",
    intervalMs: 3_600_000,
    nudge: { listen: source.listen, delayMs: 10 },
    run: async () => {
      runs++;
      if (runs === 2) await new Promise<void>((resolve) => (release = resolve));
      return 0;
    },
  }]);
  try {
    await until(() => runs === 1, "the first sweep at start");
    source.wake();
    await until(() => runs === 2, "the nudged sweep");
    // Nudged twice while the second sweep runs: one more sweep after it, not two.
    source.wake();
    source.wake();
    release!();
    await until(() => runs === 3, "the sweep after the one in progress");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(runs, 3);
  } finally {
    await scheduler.stop();
  }
  assert.equal(source.listening(), 0, "stopping stops listening");
  source.wake();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(runs, 3);
});
