// The delivery engine's rules, one by one: what an answer means, how long to wait before trying
// again, and which addresses a delivery may never go to.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { classify, parseRetryAfter } from "../../src/federation/delivery/http-sender.ts";
import { MAX_ATTEMPTS, pauseMs, retryDelayMs, CIRCUIT_THRESHOLD } from "../../src/federation/delivery/host-health.ts";
import { HostLimits } from "../../src/federation/delivery/host-limits.ts";
import { deliveryShareAt, releaseDue } from "../../src/federation/delivery/memory-watch.ts";
import { BASE_BYTES, CONNECTION_BYTES, deliveryLimits, heapGrowingPercent, REQUEST_BYTES, requestLimits, THREAD_BYTES } from "../../src/federation/delivery/memory-budget.ts";
import { SenderPool } from "../../src/federation/delivery/sender-pool.ts";
import { digestOf } from "../../src/federation/delivery/http-signature.ts";
import { loadConfig } from "../../src/config/config.ts";
import { generateKeyPairSync } from "node:crypto";
import { federationPolicy } from "../../src/federation/http-client.ts";
import { isPublicAddress } from "../../src/net/address-policy.ts";
import { guardedLookup } from "../../src/net/connection-guard.ts";

const isPrivateAddress = (address: string) => !isPublicAddress(address);
/** Name resolution as the deliveries' connector does it. */
const federationLookup = (testHosts: Record<string, string>, allowPrivate: boolean) => guardedLookup(federationPolicy(testHosts, allowPrivate));

test("answers are read as Mastodon reads them: 2xx done, most 4xx final, 401/408/429/5xx retried", () => {
  for (const status of [200, 201, 202, 204]) assert.equal(classify(status, null).kind, "delivered", String(status));
  for (const status of [400, 403, 404, 405, 410, 413, 422, 501]) assert.equal(classify(status, null).kind, "refused", String(status));
  for (const status of [401, 408, 500, 502, 503, 504]) assert.equal(classify(status, null).kind, "failed", String(status));
  assert.equal(classify(429, null).kind, "throttled");
  assert.deepEqual(classify(503, "30"), { kind: "throttled", status: 503, retryAfterMs: 30_000, error: "HTTP 503" });
});

test("Retry-After is read as seconds or as an HTTP date, and ignored when unreadable", () => {
  const now = Date.parse("2026-11-21T10:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("Sat, 21 Nov 2026 10:05:00 GMT", now), 300_000);
  assert.equal(parseRetryAfter("Sat, 21 Nov 2026 09:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter(null, now), null);
});

test("retries back off exponentially with jitter, up to a day, for about four days in all", () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.equal(retryDelayMs(1, low), 12_000);
  assert.ok(retryDelayMs(1, high) <= 18_000);
  for (let n = 1; n < 8; n++) assert.ok(retryDelayMs(n + 1, low) > retryDelayMs(n, high) * 1.5, `attempt ${n + 1} waits longer than attempt ${n}`);
  assert.ok(retryDelayMs(30, high) <= 24 * 3600_000 * 1.2, "never much more than a day");
  let total = 0;
  for (let n = 1; n < MAX_ATTEMPTS; n++) total += retryDelayMs(n, () => 0.5);
  const days = total / 86400_000;
  assert.ok(days > 2.5 && days < 6, `gives up after ${days.toFixed(1)} days`);
});

test("the circuit breaker's pause doubles with each further failure, within half an hour", () => {
  assert.equal(pauseMs(CIRCUIT_THRESHOLD), 15_000);
  assert.equal(pauseMs(CIRCUIT_THRESHOLD + 1), 30_000);
  assert.equal(pauseMs(CIRCUIT_THRESHOLD + 50), 30 * 60_000);
});

test("private, loopback and link-local addresses are recognised; public ones are not", () => {
  for (const address of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"]) {
    assert.ok(isPrivateAddress(address), address);
  }
  for (const address of ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) assert.ok(!isPrivateAddress(address), address);
});

test("deliveries refuse names that resolve to private addresses, unless private addresses are allowed", async () => {
  const resolve = (allow: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((done) => federationLookup({}, allow)("localhost", {}, (error, address) => done({ error, address })));
  const refused = await resolve(false);
  assert.equal(refused.error?.code, "ERR_PRIVATE_ADDRESS");
  const allowed = await resolve(true);
  assert.equal(allowed.error, null);
  assert.ok(isPrivateAddress(String(allowed.address)));
  const mapped = await new Promise<unknown>((done) => federationLookup({ "*.fleet.test": "127.0.0.9" }, false)("d1.fleet.test", {}, (_e, address) => done(address)));
  assert.equal(mapped, "127.0.0.9", "test hosts map to their loopback address");
});

test("a host's limit of requests in flight grows while it keeps up with a backlog, halves when it fails, and resets when idle", () => {
  const limits = new HostLimits(4, 16);
  assert.equal(limits.of("a.example"), 4);
  limits.succeeded("a.example", false);
  assert.equal(limits.of("a.example"), 4, "no backlog: no reason to open more connections");
  for (let i = 0; i < 30; i++) limits.succeeded("a.example", true);
  assert.equal(limits.of("a.example"), 16, "grows one per success, up to the maximum");
  assert.equal(limits.of("b.example"), 4, "other hosts are untouched");
  limits.failed("a.example");
  assert.equal(limits.of("a.example"), 8);
  for (let i = 0; i < 5; i++) limits.failed("a.example");
  assert.equal(limits.of("a.example"), 1, "never below one");
  limits.forget("a.example");
  assert.equal(limits.of("a.example"), 4);
});

test("MEMORY_TARGET sets the delivery limits: a smaller target holds fewer deliveries and smaller threads, and never more than asked", () => {
  const MB = 1024 * 1024;
  const asked = { threads: 4, concurrency: 1000 };
  const small = deliveryLimits(512 * MB, asked);
  const medium = deliveryLimits(1024 * MB, asked);
  const large = deliveryLimits(2048 * MB, asked);
  // 512 MB: ~300 MB beside the base process, shared by the threads, the TLS sessions kept and the connections.
  assert.deepEqual(small, { targetBytes: 512 * MB, threads: 3, threadHeapMb: 110, threadYoungMb: 8, concurrency: 232, claimBatch: 116, keepAliveMs: 1_000, tlsSessionBytes: 20_447_232, heapGrowingPercent: 50 });
  assert.ok(small.tlsSessionBytes / 4096 >= 4_900, "TLS sessions for ~5,000 hosts even at a few KB each");
  assert.ok(large.tlsSessionBytes <= 32 * MB, "and no more than 32 MB of them under a large target");
  assert.ok(small.concurrency < medium.concurrency && medium.concurrency <= large.concurrency);
  assert.ok(small.threadHeapMb >= 96, "a thread's heap cap leaves room for its connections (34 MB ran out at 5,000 hosts)");
  assert.ok(small.keepAliveMs < medium.keepAliveMs && medium.keepAliveMs < large.keepAliveMs);
  assert.equal(large.concurrency, 1000, "what DELIVERY_CONCURRENCY asks is a ceiling");
  assert.equal(large.threads, 4, "and so is DELIVERY_THREADS");
  assert.equal(deliveryLimits(8192 * MB, { threads: 1, concurrency: 50 }).concurrency, 50);
  assert.equal(deliveryLimits(512 * MB, { threads: 0, concurrency: 1000 }).threads, 0, "0 still sends from the main thread");
  // Even a target below what the base process needs leaves a working engine.
  const tiny = deliveryLimits(200 * MB, asked);
  assert.equal(tiny.threads, 1);
  assert.ok(tiny.concurrency >= 16 && tiny.claimBatch <= tiny.concurrency);
  for (const limits of [small, medium, large]) {
    const parts = BASE_BYTES + limits.threads * THREAD_BYTES + limits.tlsSessionBytes + limits.concurrency * 2 * CONNECTION_BYTES;
    assert.ok(parts <= limits.targetBytes, `${limits.targetBytes / MB} MB: the parts add up to no more than the target`);
  }
});

test("MEMORY_TARGET bounds the requests handled at once and how far the heaps grow between full collections", () => {
  const MB = 1024 * 1024;
  // An eighth of the target at 1 MB a request for the API, half that for each of ActivityPub's lanes:
  // a burst of posts waits instead of filling the heap.
  assert.deepEqual(requestLimits(512 * MB), { api: 64, inbox: 32, federation: 32 });
  assert.deepEqual(requestLimits(1024 * MB), { api: 128, inbox: 64, federation: 64 });
  assert.equal(requestLimits(8192 * MB).api, 256, "at most 256 however large the target");
  assert.equal(requestLimits(256 * MB).api, 32);
  assert.ok(requestLimits(1).api >= 16, "and never so few that a database pool's connections sit idle");
  for (const target of [256, 512, 1024, 2048].map((n) => n * MB)) {
    const { api, inbox, federation } = requestLimits(target);
    assert.ok((api + inbox + federation) * REQUEST_BYTES <= target / 4, `${target / MB} MB: requests take at most a quarter of it`);
  }
  // V8 reserved 3-4x the main thread's live heap under sustained fan-out; a small target caps the growth at half.
  assert.equal(heapGrowingPercent(512 * MB), 50);
  assert.equal(heapGrowingPercent(1024 * MB), 100);
  assert.equal(heapGrowingPercent(2048 * MB), 0, "a large target leaves it to V8");
  assert.equal(deliveryLimits(1024 * MB, { threads: 2, concurrency: 1000 }).heapGrowingPercent, 100, "the delivery limits carry it (GET /metrics)");
});

test("past MEMORY_TARGET the engine holds fewer deliveries: all up to the target, an eighth from 15 % over, never none", () => {
  const MB = 1024 * 1024;
  const target = 512 * MB;
  assert.equal(deliveryShareAt(100 * MB, target), 1);
  assert.equal(deliveryShareAt(target, target), 1, "up to the target, all of them");
  assert.ok(Math.abs(deliveryShareAt(1.075 * target, target) - (1 + 1 / 8) / 2) < 1e-9, "half way: half way between all and an eighth");
  assert.ok(deliveryShareAt(1.05 * target, target) > deliveryShareAt(1.1 * target, target), "the further over, the fewer");
  assert.equal(deliveryShareAt(1.15 * target, target), 1 / 8);
  assert.equal(deliveryShareAt(3 * target, target), 1 / 8, "far over the target it still delivers");
  assert.equal(deliveryShareAt(900 * MB, 0), 1, "no target, no cut");
});

test("pooled pages are given back above three quarters of MEMORY_TARGET", () => {
  const MB = 1024 * 1024;
  const target = 512 * MB;
  assert.equal(releaseDue(380 * MB, target), false, "below three quarters: never");
  assert.equal(releaseDue(400 * MB, target), true);
  assert.equal(releaseDue(900 * MB, 0), false, "no target, no release");
});

test("MEMORY_TARGET is read as a size, 512 MB by default", () => {
  assert.equal(loadConfig({}).delivery.memoryTargetBytes, 512 * 1024 * 1024);
  assert.equal(loadConfig({ MEMORY_TARGET: "1GB" }).delivery.memoryTargetBytes, 1e9);
  assert.equal(loadConfig({ MEMORY_TARGET: "2GiB" }).delivery.memoryTargetBytes, 2 * 1024 ** 3);
  assert.throws(() => loadConfig({ MEMORY_TARGET: "lots" }), /MEMORY_TARGET: a size is written like/);
  assert.throws(() => loadConfig({ MEMORY_TARGET: "100MB" }), /MEMORY_TARGET must be at least 256MB/);
});

test("a sender thread reports its heap, capped as the memory budget says, and its open connections", async () => {
  const pool = new SenderPool({ perHost: 4, testHosts: {}, allowPrivateAddresses: true, userAgent: "test", keepAliveMs: 1_000 }, 1, 60_000, { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 });
  try {
    assert.deepEqual(await pool.figures(), [], "no thread before there is something to send");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const body = Buffer.from("{}");
    // Nothing listens on port 1: the delivery fails, and the thread it started stays for the next.
    const outcome = await pool.send({ inbox: "http://127.0.0.1:1/inbox", host: "127.0.0.1:1", activityId: "a", body, digest: digestOf(body), accountId: "1", key: { keyId: "k", privateKey } });
    assert.equal(outcome.kind, "failed");
    const [thread] = await pool.figures();
    assert.match(thread.thread, /^sender-\d+$/);
    assert.ok(thread.heapUsed > 0 && thread.heapUsed <= thread.heapTotal);
    assert.ok(thread.heapLimit > 40 * 1024 * 1024 && thread.heapLimit < 100 * 1024 * 1024, `the heap cap follows resourceLimits (${thread.heapLimit})`);
    assert.equal(thread.connections, 0);
    assert.equal(thread.tlsSessions, 0, "no TLS session kept from a connection that never opened");
  } finally {
    await pool.close();
  }
});
