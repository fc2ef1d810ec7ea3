// The durable job queue and Fedify's key–value store over the real database of the suite's kind.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { JobQueue } from "../../src/queue/job-queue.ts";
import { DatabaseKvStore } from "../../src/queue/kv-store.ts";
import { DatabaseMessageQueue } from "../../src/queue/fedify-queue.ts";
import { claimJobs } from "../../src/db/dialects/job-claim.ts";

let runtime: Runtime;
let drop: () => Promise<void>;

before(async () => {
  const database = await freshDatabase();
  drop = database.drop;
  runtime = await openRuntime(loadConfig(database.env));
});

after(async () => {
  await runtime?.close();
  await drop?.();
});

// Fedify's typings name the standard Temporal; at run time it uses this polyfill.
const duration = (d: Record<string, number>) => Polyfill.Duration.from(d) as unknown as Temporal.Duration;

const queue = () => new JobQueue(runtime.database.db, runtime.database.kind);

/** Listens until `done()` says so (or 20 s pass), then stops. */
async function drain(jobs: JobQueue, name: string, handler: (p: any) => Promise<void> | void, done: () => boolean, options = {}) {
  const controller = new AbortController();
  const deadline = Date.now() + 20_000;
  const watcher = setInterval(() => {
    if (done() || Date.now() > deadline) controller.abort();
  }, 20);
  await jobs.listen(name, handler, { pollMs: 50, ...options, signal: controller.signal });
  clearInterval(watcher);
}

test("every job is handled exactly once by competing workers, and removed", async () => {
  const producer = queue();
  await producer.enqueue("q1", Array.from({ length: 300 }, (_, i) => ({ i })));
  const seen = new Map<number, number>();
  const handle = async (p: { i: number }) => {
    seen.set(p.i, (seen.get(p.i) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 1));
  };
  const done = () => seen.size === 300;
  await Promise.all([drain(queue(), "q1", handle, done, { concurrency: 8 }), drain(queue(), "q1", handle, done, { concurrency: 8 })]);
  assert.equal(seen.size, 300);
  assert.deepEqual([...seen.values()].filter((n) => n !== 1), [], "no job ran twice");
  assert.deepEqual(await producer.depth("q1"), { ready: 0, delayed: 0, oldestReadyAt: null });
});

test("jobs sharing an ordering key run one at a time, in order", async () => {
  const jobs = queue();
  for (let i = 0; i < 20; i++) await jobs.enqueue("q2", [{ i }], { orderingKey: "inbox-a" });
  const order: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  await drain(jobs, "q2", async (p: { i: number }) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    order.push(p.i);
    inFlight--;
  }, () => order.length === 20, { concurrency: 8 });
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(maxInFlight, 1);
});

test("a failing job is retried later; a delayed job waits", async () => {
  const jobs = queue();
  await jobs.enqueue("q3", [{ kind: "flaky" }]);
  await jobs.enqueue("q3", [{ kind: "later" }], { delayMs: 1500 });
  const started = Date.now();
  let attempts = 0;
  let laterAt = 0;
  await drain(jobs, "q3", (p: { kind: string }) => {
    if (p.kind === "later") {
      laterAt = Date.now() - started;
      return;
    }
    if (++attempts === 1) throw new Error("first attempt fails");
  }, () => attempts >= 2 && laterAt > 0);
  assert.equal(attempts, 2);
  assert.ok(laterAt >= 1400, `the delayed job ran after ${laterAt} ms`);
});

test("a job claimed by a worker that died is taken over when its lease ends", async () => {
  const jobs = queue();
  await jobs.enqueue("q4", [{ n: 1 }, { n: 2 }]);
  // A worker claims both with a short lease and then "dies" (never finishes or renews).
  const claimed = await claimJobs(runtime.database.db, runtime.database.kind, { queue: "q4", worker: "dead-worker", limit: 10, leaseMs: 300 });
  assert.equal(claimed.length, 2);
  const handled: number[] = [];
  await drain(queue(), "q4", (p: { n: number }) => void handled.push(p.n), () => handled.length === 2);
  assert.deepEqual(handled.sort(), [1, 2]);
});

test("Fedify's MessageQueue adapter delivers messages and reports depth", async () => {
  const mq = new DatabaseMessageQueue(queue(), 4);
  await mq.enqueue({ hello: "world" });
  await mq.enqueue({ later: true }, { delay: duration({ seconds: 60 }) });
  assert.deepEqual(await mq.getDepth(), { queued: 2, ready: 1, delayed: 1 });
  const got: unknown[] = [];
  const controller = new AbortController();
  const listening = mq.listen((m) => {
    got.push(m);
    controller.abort();
  }, { signal: controller.signal });
  await listening;
  assert.deepEqual(got, [{ hello: "world" }]);
});

test("the key–value store: get, set with ttl, delete, compare-and-swap, list by prefix", async () => {
  const kv = new DatabaseKvStore(runtime.database.db);
  await kv.set(["a", "b"], { x: 1 });
  await kv.set(["a", "b", "c"], [1, 2]);
  await kv.set(["a", "bb"], "not under a/b");
  await kv.set(["z"], 3, { ttl: duration({ milliseconds: 50 }) });
  assert.deepEqual(await kv.get(["a", "b"]), { x: 1 });
  assert.equal(await kv.get(["missing"]), undefined);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(await kv.get(["z"]), undefined, "expired");

  const listed = [];
  for await (const entry of kv.list(["a", "b"])) listed.push(entry);
  assert.deepEqual(listed.map((e) => e.key.join("/")).sort(), ["a/b", "a/b/c"]);

  assert.equal(await kv.cas(["a", "b"], { x: 2 }, "nope"), false);
  assert.equal(await kv.cas(["a", "b"], { x: 1 }, { x: 3 }), true);
  assert.deepEqual(await kv.get(["a", "b"]), { x: 3 });
  assert.equal(await kv.cas(["fresh"], undefined, "mine"), true);
  assert.equal(await kv.cas(["fresh"], undefined, "theirs"), false);
  await kv.delete(["a", "b"]);
  assert.equal(await kv.get(["a", "b"]), undefined);
});
