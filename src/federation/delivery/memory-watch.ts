// The process's RSS against MEMORY_TARGET, read every second, and what follows from it:
//
//   1. V8's heap growth is capped (memory-budget.ts heapGrowingPercent) from half the target up,
//      and lifted again below a third. The cap keeps a posting burst within the target (the main
//      heap grew to 3–4× what it kept alive) but costs CPU in the collector wherever a process
//      allocates fast: a quiet server runs as V8 likes, a loaded one collects more.
//   2. Past the target, the delivery engine holds fewer deliveries (deliveryShareAt): all of them
//      up to the target, then fewer the further over it, down to an eighth at 15 % over. The
//      limits memory-budget.ts derives are estimates made in advance; this is the backstop for
//      what they do not count, so that a process over its target delivers slowly instead of
//      growing until the kernel kills it. It starts at the target, not below: RSS does not fall
//      back once the memory is freed (the allocator keeps its pages, and V8 kept its own too
//      before 3.), so a cut made below the target stayed on for good after one burst and cost
//      three quarters of the deliveries while the peak stayed where it was (docs/PERFORMANCE.md,
//      "memory").
//   3. Above three quarters of the target, the pages V8 keeps pooled after a heap shrank are given
//      back (pooled-pages.ts): the main thread's when 16 MB or more are pooled, and each sender
//      thread is asked to give back its own; each at most every 30 s.
import v8 from "node:v8";
import { getLogger } from "@logtape/logtape";
import { PooledPages } from "./pooled-pages.ts";

const logger = getLogger(["skein", "memory"]);

/** Share of the target above which the heap-growth cap applies, and below which it is lifted again. */
const CAP_ABOVE = 0.5;
const LIFT_BELOW = 1 / 3;
/** Share of the target at which deliveries held reach their least share (they are cut from the target itself), and that share. */
const THROTTLE_FULL = 1.15;
const MIN_DELIVERY_SHARE = 1 / 8;
const CHECK_MS = 1000;
/** Share of the target above which pooled pages are given back, and how many the main thread must hold for its pause to be worth it. */
const RELEASE_ABOVE = 0.75;
const MAIN_RELEASE_AT_LEAST = 16 * 2 ** 20;

/**
 * The share of its deliveries the engine may hold with the process at `rssBytes`: 1 up to the
 * target, falling in a straight line to an eighth at 15 % over it, an eighth beyond (never none: a
 * process over its target still delivers, slowly, rather than letting the backlog grow without
 * end). A target of 0 means none was set.
 */
export function deliveryShareAt(rssBytes: number, targetBytes: number): number {
  if (targetBytes <= 0) return 1;
  if (rssBytes <= targetBytes) return 1;
  return Math.max(MIN_DELIVERY_SHARE, 1 - ((1 - MIN_DELIVERY_SHARE) * (rssBytes - targetBytes)) / (targetBytes * (THROTTLE_FULL - 1)));
}

/** Whether pooled pages are to be given back (each isolate then decides whether it holds enough, and when it last did): above three quarters of the target. */
export function releaseDue(rssBytes: number, targetBytes: number): boolean {
  return targetBytes > 0 && rssBytes > targetBytes * RELEASE_ABOVE;
}

export interface MemoryWatch {
  /** The share of its deliveries the engine may hold now (1 while the process is within its target). */
  deliveryShare(): number;
  /** Times the main thread gave its pooled pages back. */
  releases(): number;
}

/**
 * Watches the process's RSS: caps V8's heap growth (process-wide) near the target, says how many
 * deliveries to hold, and gives back the pages V8 keeps pooled — the main thread's itself, the
 * sender threads' through `releaseThreads`.
 */
export function watchMemory(targetBytes: number, cappedPercent: number, releaseThreads: () => void = () => {}): MemoryWatch {
  let capped = false;
  let share = 1;
  const pages = new PooledPages();
  let releases = 0;
  const check = () => {
    pages.sample();
    const rss = process.memoryUsage.rss();
    if (releaseDue(rss, targetBytes)) {
      releaseThreads();
      if (pages.release(MAIN_RELEASE_AT_LEAST)) {
        releases++;
        logger.info("Memory at {mb} MB: gave back pages V8 kept after its heap shrank ({after} MB now)", { mb: Math.round(rss / 2 ** 20), after: Math.round(process.memoryUsage.rss() / 2 ** 20) });
      }
    }
    if (cappedPercent > 0 && !capped && rss > targetBytes * CAP_ABOVE) {
      capped = true;
      v8.setFlagsFromString(`--heap-growing-percent=${cappedPercent}`);
      logger.info("Memory at {mb} MB: heaps now grow by {percent} % at most between collections", { mb: Math.round(rss / 2 ** 20), percent: cappedPercent });
    } else if (capped && rss < targetBytes * LIFT_BELOW) {
      capped = false;
      // 0 is V8's own choice.
      v8.setFlagsFromString("--heap-growing-percent=0");
    }
    const next = deliveryShareAt(rss, targetBytes);
    if ((next < 1) !== (share < 1)) {
      if (next < 1) logger.info("Memory at {mb} MB of {target} MB: holding fewer deliveries until it falls", { mb: Math.round(rss / 2 ** 20), target: Math.round(targetBytes / 2 ** 20) });
      else logger.info("Memory at {mb} MB: holding all deliveries again", { mb: Math.round(rss / 2 ** 20) });
    }
    share = next;
  };
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  return { deliveryShare: () => share, releases: () => releases };
}
