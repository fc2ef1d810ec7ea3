// The pages a V8 heap frees stay resident until a memory-reducing collection (pooled-pages.ts):
// what a process near MEMORY_TARGET gives back, measured on a real Node process with the flags
// the ./skein wrapper gives the server.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const module = path.resolve(import.meta.dirname, "../../src/federation/delivery/pooled-pages.ts");
const MB = 1024 * 1024;

/** Runs a Node process that grows its heap by ~200 MB of garbage, lets a full collection shrink it, then asks PooledPages to give the pool back (at t = 100 s; then twice more after growing and shrinking again, at 110 and 130 s). */
function run(nodeFlags: string[], minimumMb: number) {
  const script = `
    const { PooledPages } = await import(${JSON.stringify(module)});
    // A full collection for the test itself, leaving globalThis.gc as the flags made it.
    const v8 = await import("node:v8"), vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const collect = vm.runInNewContext("gc");
    const pages = new PooledPages();
    const growAndShrink = () => {
      let garbage = [];
      for (let i = 0; i < 2_000_000; i++) garbage.push({ i, s: "x" + i, a: [i] });
      pages.sample();
      garbage = null;
      collect();
    };
    growAndShrink();
    const before = process.memoryUsage.rss();
    const pooled = pages.pooled();
    const released = pages.release(${minimumMb} * ${MB}, 100_000);
    const after = process.memoryUsage.rss();
    const pooledAfter = pages.pooled();
    // The heap grows and shrinks again: not collected 10 s after the last time, collected 30 s after.
    growAndShrink();
    const again = [pages.release(${minimumMb} * ${MB}, 110_000), pages.release(${minimumMb} * ${MB}, 130_000)];
    console.log(JSON.stringify({ before, after, pooled, released, pooledAfter, again }));
  `;
  const out = execFileSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out) as { before: number; after: number; pooled: number; released: boolean; pooledAfter: number; again: [boolean, boolean] };
}

test("a heap that shrank keeps its pages resident until they are given back", () => {
  const r = run(["--expose-gc", "--max-semi-space-size=8"], 16);
  assert.ok(r.pooled > 100 * MB, `the heap shrank by ${Math.round(r.pooled / MB)} MB`);
  assert.equal(r.released, true);
  assert.ok(r.before - r.after > 100 * MB, `RSS ${Math.round(r.before / MB)} → ${Math.round(r.after / MB)} MB: over 100 MB given back`);
  assert.ok(r.pooledAfter < 16 * MB, "nothing counted as pooled after");
  assert.deepEqual(r.again, [false, true], "at most one collection for it every 30 s");
});

test("nothing is collected when fewer pages are pooled than asked for, or without V8's gc()", () => {
  const few = run(["--expose-gc"], 4096);
  assert.equal(few.released, false);
  const noGc = run([], 16);
  assert.equal(noGc.released, false);
  assert.ok(noGc.pooled > 100 * MB, "the pool is still measured");
});
