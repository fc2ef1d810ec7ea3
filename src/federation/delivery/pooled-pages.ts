// The pages a V8 heap frees are not given back to the system: V8 (13.6, Node 24) keeps them in a
// pool for the heap to grow into again, resident, and empties the pool only in a memory-reducing
// collection — which it runs when it sees the process idle (its memory reducer) or is told of
// memory pressure, so under steady load never. A heap that grew to 156 MB in *sustained*'s first
// seconds and shrank to 85 MB kept the other 71 MB resident to the end: the 50–100 MB by which
// V8's pages exceeded its heaps' totals in the runs that passed the 512 MB budget
// (docs/PERFORMANCE.md, "Memory"). Each isolate (the main thread, every sender thread) has its own
// pool; this measures one and empties it.
import { getHeapStatistics } from "node:v8";
import { canReduceMemory, reduceMemory } from "../../util/memory-reducing-gc.ts";

/** Collections for the pool at most this often per isolate: each pauses its thread, and a heap that keeps growing back would otherwise be collected every time it is asked. */
export const RELEASE_EVERY_MS = 30_000;

/**
 * One isolate's heap: how far it has shrunk since its largest — about what V8 keeps pooled for it
 * (the pool is filled by the heap shrinking, and drained by it growing again) — and the collection
 * that gives that back.
 */
export class PooledPages {
  private largest = 0;
  private lastRelease = -Infinity;

  /** Reads the heap's size (V8's own counter: microseconds). Called every second; a peak between two readings is missed, so the pool is underestimated, never over. */
  sample(): void {
    this.largest = Math.max(this.largest, heapBytes());
  }

  /** Bytes the heap has shrunk by since its largest reading. */
  pooled(): number {
    return Math.max(0, this.largest - heapBytes());
  }

  /**
   * Gives the pool back with a memory-reducing collection (util/memory-reducing-gc.ts: the only
   * kind that empties it) when at least `minimumBytes` are pooled and the last one was
   * RELEASE_EVERY_MS ago or more. It pauses this thread for a full collection or a few (~0.2 s for
   * a main heap of 80 MB live), so it is for a process near its memory target, not a routine.
   * Without V8's gc() exposed, nothing. Returns whether it collected.
   */
  release(minimumBytes: number, now = performance.now()): boolean {
    this.sample();
    if (!canReduceMemory() || this.pooled() < minimumBytes || now - this.lastRelease < RELEASE_EVERY_MS) return false;
    reduceMemory();
    this.lastRelease = now;
    this.largest = heapBytes();
    return true;
  }
}

function heapBytes(): number {
  return getHeapStatistics().total_heap_size;
}
