// V8's heap growth capped only while the process is near its memory target. The cap
// (memory-budget.ts heapGrowingPercent) is what keeps a posting burst within MEMORY_TARGET (the
// main heap grew to 3–4× what it kept alive), but it costs CPU in the collector wherever a process
// allocates fast: a small server far below its target, or a test's, paid ~20 % more CPU for an
// inbox fuzz of 8,000 requests. So it applies from half the target up, and is lifted again below
// a third: a quiet server runs as V8 likes, a loaded one degrades by collecting more, not by growing.
import v8 from "node:v8";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["skein", "memory"]);

/** Share of the target above which the cap applies, and below which it is lifted again. */
const CAP_ABOVE = 0.5;
const LIFT_BELOW = 1 / 3;
const CHECK_MS = 1000;

/** Watches the process's RSS and sets V8's --heap-growing-percent (process-wide) accordingly; returns how to stop. */
export function guardHeapGrowth(targetBytes: number, cappedPercent: number): () => void {
  if (cappedPercent <= 0) return () => {};
  let capped = false;
  const check = () => {
    const rss = process.memoryUsage.rss();
    if (!capped && rss > targetBytes * CAP_ABOVE) {
      capped = true;
      v8.setFlagsFromString(`--heap-growing-percent=${cappedPercent}`);
      logger.info("Memory at {mb} MB: heaps now grow by {percent} % at most between collections", { mb: Math.round(rss / 2 ** 20), percent: cappedPercent });
    } else if (capped && rss < targetBytes * LIFT_BELOW) {
      capped = false;
      // 0 is V8's own choice.
      v8.setFlagsFromString("--heap-growing-percent=0");
    }
  };
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
