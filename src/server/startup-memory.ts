// Start-up leaves garbage behind (migrations, module loading, the first queries) and V8's young
// generation grown to its maximum (the wrapper's --max-semi-space-size): V8 keeps both while the
// server idles, and its own memory reducer had not run 30 s later. One memory-reducing collection
// once the server is up gives them back — ~12 MB of an idle server's RSS (docs/PERFORMANCE.md,
// "Memory"). It needs V8's gc(), which the ./skein wrapper exposes (--expose-gc) for the
// long-running commands only; a process started otherwise (the tests) skips it.
import { canReduceMemory, reduceMemory } from "../util/memory-reducing-gc.ts";

const SETTLE_MS = 1000;

/** Collects once, `SETTLE_MS` after the call (when start-up's first jobs are done); the returned function cancels it. */
export function collectStartupGarbage(): () => void {
  if (!canReduceMemory()) return () => {};
  const timer = setTimeout(reduceMemory, SETTLE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}
