// V8's memory-reducing collection ("last-resort", what V8 runs on memory pressure): every
// collection it would make before giving up on memory, shrinking the young generation and emptying
// the pool of pages its heap freed — the only kind that gives those back to the system. It needs
// V8's gc(), which the ./skein wrapper exposes (--expose-gc) for `start`, `web` and `worker`; a
// process started otherwise (the tests) has none. Used at start-up (server/startup-memory.ts) and
// near MEMORY_TARGET (federation/delivery/pooled-pages.ts).
type Collect = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

const collect = (): Collect | undefined => {
  const gc = (globalThis as { gc?: Collect }).gc;
  return typeof gc === "function" ? gc : undefined;
};

/** Whether this thread can run one (V8's gc() is exposed). */
export function canReduceMemory(): boolean {
  return collect() !== undefined;
}

/** Runs one on this thread, pausing it for a full collection or a few; false if gc() is not exposed. */
export function reduceMemory(): boolean {
  const gc = collect();
  if (!gc) return false;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  return true;
}
