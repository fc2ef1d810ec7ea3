// The delivery engine against real HTTP servers on loopback, over the suite's database: one
// request per shared inbox, signatures a receiving server accepts, and the ways hosts fail —
// down, gone, throttling, hanging, down for days — each kept from slowing the healthy ones.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicKey } from "node:crypto";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { DeliveryStore } from "../../src/store/deliveries.ts";
import { Fanout, type Audience } from "../../src/federation/delivery/fanout.ts";
import { DeliveryEngine, type EngineOptions } from "../../src/federation/delivery/engine.ts";
import { InlineSender, POOL_REMEMBERS, type DeliverySender } from "../../src/federation/delivery/sender.ts";
import { SenderPool } from "../../src/federation/delivery/sender-pool.ts";
import { CIRCUIT_THRESHOLD, UNAVAILABLE_AFTER_DAYS } from "../../src/federation/delivery/host-health.ts";
import { digestOf } from "../../src/federation/delivery/http-signature.ts";
import { keyPairsOf, signingKeyOf } from "../../src/federation/keys.ts";
import { verifyDelivery } from "../../bench/fleet/verify.ts";
import { eventually } from "../support/federation-fleet.ts";
import { newId } from "../../src/util/ids.ts";

type Behaviour = "accept" | "down" | "gone" | "throttle" | "hang" | "slow";

interface Received {
  host: string;
  path: string;
  at: number;
  verified: boolean;
  body: string;
}

let runtime: Runtime;
let drop: () => Promise<void>;
let server: http.Server;
let port: number;
const received: Received[] = [];
const hanging = new Set<http.ServerResponse>();
/** Requests being answered per host now, and the most at once. */
const open = new Map<string, number>();
const mostOpen = new Map<string, number>();
let alice: { id: string; uri: string };
let publicKey: ReturnType<typeof createPublicKey>;

// Every host name is served by one server; its behaviour is the first label: accept1.test, down.test …
const behaviourOf = (host: string): Behaviour => host.replace(/\d*\..*$/, "") as Behaviour;
const url = (host: string, path = "/inbox") => `http://${host}:${port}${path}`;
const hostOf = (host: string) => `${host}:${port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const database = await freshDatabase();
  drop = database.drop;
  runtime = await openRuntime(loadConfig(database.env));
  const { account } = await runtime.services.accounts.createLocal({ username: "alice", email: "alice@example.test", password: "correct horse battery" });
  alice = { id: account.id, uri: account.uri };
  await keyPairsOf(runtime.stores, account.id); // made on first use, as when the actor is first fetched
  publicKey = createPublicKey({ key: JSON.parse((await runtime.stores.actorKeys.get(account.id))!.rsa_public), format: "jwk" });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      const body = Buffer.concat(chunks);
      const check = await verifyDelivery(
        { method: req.method ?? "", url: new URL(`http://${req.headers.host}${req.url}`), headers: req.headers, body },
        async (keyId) => (keyId === `${alice.uri}#main-key` ? { key: publicKey, owner: alice.uri } : null),
      );
      received.push({ host, path: req.url ?? "", at: Date.now(), verified: check.ok, body: body.toString() });
      switch (behaviourOf(host)) {
        case "accept":
          return res.writeHead(202).end();
        case "down":
          return res.writeHead(503).end();
        case "gone":
          return res.writeHead(410).end();
        case "throttle":
          return res.writeHead(429, { "Retry-After": "120" }).end();
        case "slow": {
          open.set(host, (open.get(host) ?? 0) + 1);
          mostOpen.set(host, Math.max(mostOpen.get(host) ?? 0, open.get(host)!));
          return setTimeout(() => {
            open.set(host, open.get(host)! - 1);
            res.writeHead(202).end();
          }, 200);
        }
        case "hang":
          hanging.add(res);
          return;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  for (const res of hanging) res.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await runtime?.close();
  await drop?.();
});

const store = () => new DeliveryStore(runtime.database.db, runtime.database.kind);
const fanout = () => new Fanout(store(), { allowPlainHttp: true });
const activity = (n: string) => ({ accountId: alice.id, uri: `${alice.uri}#test/${n}`, body: JSON.stringify({ id: `${alice.uri}#test/${n}`, type: "Create", actor: alice.uri }) });
/** What the outbox does: the audience's inboxes, then the activity and its deliveries. */
const send = async (f: Fanout, a: ReturnType<typeof activity>, audience: Audience) => f.enqueue(a, await f.inboxesFor(audience));

/** Runs an engine until `done()` (or 15 s), then stops it; returns it for its counters. */
async function runEngine(done: () => boolean | Promise<boolean>, options: Partial<EngineOptions> & { threads?: number } = {}): Promise<DeliveryEngine> {
  const senderOptions = { perHost: options.perHostMax ?? options.perHost ?? 4, testHosts: { "*.test": "127.0.0.1" }, allowPrivateAddresses: true, userAgent: "Skein test" };
  // Two sender threads, as on a two-core server; 0 signs and sends on this thread.
  const threads = options.threads ?? 2;
  const sender: DeliverySender = threads > 0 ? new SenderPool(senderOptions, threads) : new InlineSender(senderOptions);
  const engine = new DeliveryEngine(store(), sender, (id) => signingKeyOf(runtime.stores, id), { concurrency: 50, perHost: 4, pollMs: 20, leaseMs: 5000, ...options });
  const controller = new AbortController();
  const running = engine.run(controller.signal);
  const deadline = Date.now() + 15_000;
  while (!(await done()) && Date.now() < deadline) await sleep(20);
  // Hanging requests would hold the stop until their timeout: cut them.
  for (const res of hanging) res.destroy();
  controller.abort();
  await running;
  await sender.close();
  return engine;
}

const to = (host: string) => received.filter((r) => r.host === host);
const rowsFor = (host: string) => runtime.database.db.selectFrom("deliveries").selectAll().where("host", "=", hostOf(host)).execute();

async function addRemoteFollower(username: string, host: string, sharedInbox: boolean): Promise<void> {
  const now = new Date().toISOString();
  const id = newId();
  const uri = `http://${hostOf(host)}/users/${username}`;
  await runtime.database.db.insertInto("accounts").values({
    id, username, domain: hostOf(host), display_name: username, note: "", fields: "[]", locked: 0, bot: 0, discoverable: 0, indexable: 0,
    uri, url: uri, avatar_url: null, header_url: null, followers_count: 0, following_count: 1, statuses_count: 0, last_status_at: null,
    suspended_at: null, created_at: now, updated_at: now, inbox_url: `${uri}/inbox`, shared_inbox_url: sharedInbox ? url(host) : null,
    followers_url: `${uri}/followers`, featured_url: null, also_known_as: null, fetched_at: now, actor_type: "Person", moved_to_account_id: null,
  }).execute();
  await runtime.database.db.insertInto("follows").values({ id: newId(), account_id: id, target_account_id: alice.id, uri: `${uri}#follow`, created_at: now, show_reblogs: 1, notify: 0 }).execute();
}

test("an activity to many followers goes once to each shared inbox, signed so the receiver can verify it, and leaves nothing queued", async () => {
  for (let i = 0; i < 6; i++) await addRemoteFollower(`big${i}`, "accept1.test", true);
  for (let i = 0; i < 3; i++) await addRemoteFollower(`small${i}`, "accept2.test", false);
  const queued = await send(fanout(), activity("followers"), { inboxes: [url("accept3.test")], followersOf: alice.id });
  assert.equal(queued, 1 + 3 + 1, "one shared inbox, three personal inboxes, one named recipient");
  await runEngine(() => received.length >= 5);
  await sleep(300);
  assert.equal(to("accept1.test").length, 1, "six followers on one server: one request to its shared inbox");
  assert.deepEqual(to("accept2.test").map((r) => r.path).sort(), ["/users/small0/inbox", "/users/small1/inbox", "/users/small2/inbox"]);
  assert.equal(to("accept3.test").length, 1);
  assert.ok(received.every((r) => r.verified), "every delivery carries a valid HTTP signature");
  assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048, "RSA-2048, as Mastodon: a bigger key costs several times as much on every delivery");
  assert.equal(JSON.parse(to("accept1.test")[0].body).id, `${alice.uri}#test/followers`);
  assert.equal((await runtime.database.db.selectFrom("deliveries").select("id").execute()).length, 0, "delivered rows are deleted");
});

test("sent from the main thread (DELIVERY_THREADS=0), deliveries are signed and delivered the same way", async () => {
  await send(fanout(), activity("inline"), { inboxes: [url("accept10.test"), url("accept11.test")] });
  await runEngine(() => to("accept10.test").length + to("accept11.test").length >= 2, { threads: 0 });
  const got = [...to("accept10.test"), ...to("accept11.test")];
  assert.equal(got.length, 2);
  assert.ok(got.every((r) => r.verified && JSON.parse(r.body).id === `${alice.uri}#test/inline`));
});

test("a sender thread is sent each body and key once and still has them when they are needed again", async () => {
  // One thread: every host shares it. Each activity goes to one host, then — after all the
  // others — to another, so the thread must still hold bodies sent long before.
  const pool = new SenderPool({ perHost: 4, testHosts: { "*.test": "127.0.0.1" }, allowPrivateAddresses: true, userAgent: "Skein test" }, 1);
  const key = await signingKeyOf(runtime.stores, alice.id);
  const count = POOL_REMEMBERS.bodies + 10;
  const parcel = (host: string, i: number) => {
    const body = Buffer.from(JSON.stringify({ id: `${alice.uri}#test/many-${i}`, type: "Create", actor: alice.uri }));
    return { inbox: url(host), host: hostOf(host), activityId: `many-${i}`, body, digest: digestOf(body), accountId: alice.id, key };
  };
  try {
    const order = Array.from({ length: count }, (_, i) => i);
    // The second host takes them newest first: the oldest the pool still remembers sending come last.
    for (const [host, indexes] of [["accept12.test", order], ["accept13.test", order.toReversed()]] as const) {
      const outcomes = await Promise.all(indexes.map((i) => pool.send(parcel(host, i))));
      assert.deepEqual(new Set(outcomes.map((o) => o.kind)), new Set(["delivered"]));
    }
  } finally {
    await pool.close();
  }
  for (const host of ["accept12.test", "accept13.test"]) {
    const ids = to(host).map((r) => JSON.parse(r.body).id as string);
    assert.equal(new Set(ids).size, count, `${host}: every activity, once`);
    assert.ok(to(host).every((r) => r.verified));
  }
});

test("a sender thread with nothing to send ends, and the next delivery starts one again", async () => {
  // An idle server keeps no sender threads (each has its own heap and connections).
  const pool = new SenderPool({ perHost: 4, testHosts: { "*.test": "127.0.0.1" }, allowPrivateAddresses: true, userAgent: "Skein test" }, 2, 100);
  const key = await signingKeyOf(runtime.stores, alice.id);
  const parcel = (n: string) => {
    const body = Buffer.from(JSON.stringify({ id: `${alice.uri}#test/${n}`, type: "Create", actor: alice.uri }));
    return { inbox: url("accept14.test"), host: hostOf("accept14.test"), activityId: n, body, digest: digestOf(body), accountId: alice.id, key };
  };
  try {
    assert.equal(pool.running, 0, "no thread before there is something to send");
    assert.equal((await pool.send(parcel("idle-1"))).kind, "delivered");
    assert.equal(pool.running, 1);
    await eventually(async () => pool.running === 0, 10_000, "the idle thread to end");
    // A new thread knows nothing of what the old one was sent: the body and key go again.
    assert.equal((await pool.send(parcel("idle-2"))).kind, "delivered");
    assert.equal((await pool.send(parcel("idle-1"))).kind, "delivered");
  } finally {
    await pool.close();
  }
  const ids = to("accept14.test").map((r) => JSON.parse(r.body).id as string);
  assert.deepEqual(ids, [`${alice.uri}#test/idle-1`, `${alice.uri}#test/idle-2`, `${alice.uri}#test/idle-1`]);
  assert.ok(to("accept14.test").every((r) => r.verified));
});

test("a host that keeps failing trips its breaker: its other deliveries wait without requests, healthy hosts are not slowed", async () => {
  const f = fanout();
  for (let i = 0; i < 20; i++) await send(f, activity(`down-${i}`), { inboxes: [url("down.test"), url("accept4.test")] });
  // The healthy host finishing says nothing about the failing one, whose failures are recorded
  // more slowly (a database write each): run until every delivery to it has been dealt with,
  // that is, none is due any more — each was tried and put off for a retry, or put off untried
  // when the breaker opened. Whether that happened after few requests is what is asserted.
  const settled = async () => (await rowsFor("down.test")).every((r) => Date.parse(r.run_at) > Date.now());
  await runEngine(async () => to("accept4.test").length >= 20 && (await settled()));
  const down = to("down.test").length;
  assert.equal(to("accept4.test").length, 20, "the healthy host got everything");
  assert.ok(down >= CIRCUIT_THRESHOLD && down < CIRCUIT_THRESHOLD + 4, `the failing host got ${down} requests, not 20`);
  const host = await store().host(hostOf("down.test"));
  assert.ok(host && host.paused_until && Date.parse(host.paused_until) > Date.now(), "the host is paused");
  assert.equal(host.failure_days, 1);
  const rows = await rowsFor("down.test");
  assert.equal(rows.length, 20, "nothing is lost: every delivery to the failing host waits");
  assert.ok(rows.every((r) => Date.parse(r.run_at) >= Date.parse(host.paused_until!) - 1000), "none is due before the pause ends");
  assert.ok(rows.filter((r) => r.attempts > 0).every((r) => r.lane === 1), "tried ones are retries");
});

test("410 Gone is final after one request; 429 pauses the host for its Retry-After", async () => {
  const f = fanout();
  await send(f, activity("gone"), { inboxes: [url("gone.test")] });
  for (let i = 0; i < 3; i++) await send(f, activity(`throttle-${i}`), { inboxes: [url("throttle.test")] });
  const startedAt = Date.now();
  // Until the 410 is recorded and every delivery to the throttling host is put off (the one sent
  // and the two waiting): a request having arrived does not mean its answer has been acted on.
  const throttleSettled = async () => (await rowsFor("throttle.test")).every((r) => Date.parse(r.run_at) > Date.now());
  await runEngine(async () => (await rowsFor("gone.test"))[0]?.gave_up_at != null && (await throttleSettled()), { perHost: 1 });
  await sleep(200);
  assert.equal(to("gone.test").length, 1, "no retry after 410");
  const [gone] = await rowsFor("gone.test");
  assert.ok(gone.gave_up_at, "given up");
  assert.match(gone.last_error ?? "", /410/);
  assert.equal(to("throttle.test").length, 1, "one request, then the host waits as asked");
  const throttled = await rowsFor("throttle.test");
  assert.equal(throttled.length, 3);
  for (const row of throttled) assert.ok(Date.parse(row.run_at) >= startedAt + 119_000, `not before Retry-After: ${row.run_at}`);
  const host = await store().host(hostOf("throttle.test"));
  assert.ok(host?.paused_until && Date.parse(host.paused_until) >= startedAt + 119_000);
});

test("a host that accepts and then hangs holds only its own slots", async () => {
  const f = fanout();
  for (let i = 0; i < 8; i++) await send(f, activity(`hang-${i}`), { inboxes: [url("hang.test")] });
  for (let i = 0; i < 30; i++) await send(f, activity(`beside-hang-${i}`), { inboxes: [url("accept5.test")] });
  // Not a stopwatch (a loaded machine is slow either way): the healthy host must be served while
  // the hung requests still hang, not once they have timed out and freed their slots.
  let hangingWhenServed = -1;
  await runEngine(
    () => {
      if (to("accept5.test").length < 30) return false;
      hangingWhenServed = [...hanging].filter((res) => !res.socket?.destroyed).length;
      return true;
    },
    { concurrency: 12, perHost: 4 },
  );
  assert.equal(to("accept5.test").length, 30);
  assert.equal(hangingWhenServed, 4, "the healthy host was served while the other's requests still hung");
  assert.equal(to("hang.test").length, 4, "at most the per-host limit of requests hang at once");
  await runtime.database.db.deleteFrom("deliveries").where("host", "=", hostOf("hang.test")).execute();
});

test("a healthy host with a backlog gets more requests at once, up to the maximum", async () => {
  const f = fanout();
  for (let i = 0; i < 60; i++) await send(f, activity(`busy-${i}`), { inboxes: [url("slow1.test")] });
  await runEngine(() => to("slow1.test").length >= 60, { concurrency: 100, perHost: 2, perHostMax: 6 });
  assert.ok((mostOpen.get("slow1.test") ?? 0) > 2, `more than the starting 2 at once (saw ${mostOpen.get("slow1.test")})`);
  assert.ok((mostOpen.get("slow1.test") ?? 0) <= 6, `never more than the maximum (saw ${mostOpen.get("slow1.test")})`);
});

test("near the memory target the engine holds only its share of deliveries, and still delivers them all", async () => {
  const f = fanout();
  for (let i = 0; i < 24; i++) await send(f, activity(`held-${i}`), { inboxes: [url("slow2.test")] });
  // The host would take 12 at once, and 50 may be held; a memory share of a tenth leaves 5.
  await runEngine(() => to("slow2.test").length >= 24, { concurrency: 50, perHost: 12, memoryShare: () => 0.1 });
  assert.equal(to("slow2.test").length, 24);
  assert.ok((mostOpen.get("slow2.test") ?? 0) <= 5, `at most 5 at once (saw ${mostOpen.get("slow2.test")})`);
  // The same without the cut: more at once.
  for (let i = 0; i < 24; i++) await send(f, activity(`unheld-${i}`), { inboxes: [url("slow3.test")] });
  await runEngine(() => to("slow3.test").length >= 24, { concurrency: 50, perHost: 12 });
  assert.ok((mostOpen.get("slow3.test") ?? 0) > 5, `more than 5 at once without it (saw ${mostOpen.get("slow3.test")})`);
});

test("first attempts are not queued behind retries", async () => {
  const now = new Date().toISOString();
  const s = store();
  const activityId = await s.enqueue(activity("retries"), [], () => now);
  // A backlog of ready retries to a slow host…
  await runtime.database.db.insertInto("deliveries").values(
    Array.from({ length: 40 }, () => ({ id: newId(), activity_id: activityId, inbox_url: url("slow.test"), host: hostOf("slow.test"), lane: 1, run_at: now, attempts: 1, locked_by: null, locked_until: null, last_error: "HTTP 500", gave_up_at: null, created_at: now })),
  ).execute();
  // …then a new post.
  for (let i = 0; i < 10; i++) await send(fanout(), activity(`fresh-${i}`), { inboxes: [url(`accept6.test`)] });
  let retriesWhenFreshDone = -1;
  await runEngine(() => {
    if (retriesWhenFreshDone === -1 && to("accept6.test").length >= 10) retriesWhenFreshDone = to("slow.test").length;
    return to("slow.test").length >= 40;
  }, { concurrency: 8, perHost: 8 });
  assert.equal(to("accept6.test").length, 10);
  assert.ok(retriesWhenFreshDone >= 0 && retriesWhenFreshDone <= 4, `the new post was out after ${retriesWhenFreshDone} of 40 retries`);
  assert.equal(to("slow.test").length, 40, "and the retries still ran");
});

test("a host failing on many separate days becomes unavailable, and any activity from it revives it", async () => {
  const host = hostOf("down2.test");
  const yesterday = new Date(Date.now() - 86400_000).toISOString();
  await store().saveHost({ host, consecutive_failures: 30, failure_days: UNAVAILABLE_AFTER_DAYS - 1, last_failure_day: yesterday.slice(0, 10), last_failure_at: yesterday, last_error: "HTTP 503", paused_until: null, unavailable_since: null });
  for (let i = 0; i < 3; i++) await send(fanout(), activity(`unavailable-${i}`), { inboxes: [url("down2.test")] });
  await runEngine(async () => (await store().host(host))?.unavailable_since != null, { perHost: 1 });
  const row = await store().host(host);
  assert.ok(row?.unavailable_since, "marked unavailable on the seventh day");
  assert.equal(to("down2.test").length, 1, "one request found it still down");
  assert.ok((await rowsFor("down2.test")).every((r) => r.gave_up_at !== null), "its pending deliveries were given up");
  assert.equal(await send(fanout(), activity("unavailable-later"), { inboxes: [url("down2.test"), url("accept7.test")] }), 1, "new activities skip it");
  const f = fanout();
  await f.revive(host);
  assert.equal(await store().host(host), undefined, "an activity from the host cleared its record");
  assert.equal(await send(fanout(), activity("revived"), { inboxes: [url("down2.test")] }), 1, "and it gets deliveries again");
  await runtime.database.db.deleteFrom("deliveries").execute();
});

test("deliveries held by a worker that died are delivered by another once the lease runs out", async () => {
  await send(fanout(), activity("orphaned"), { inboxes: [url("accept8.test"), url("accept9.test")] });
  const claimed = await store().claim({ lane: 0, worker: "dead-worker", limit: 10, leaseMs: 300, skipHosts: [] });
  assert.equal(claimed.length, 2);
  const early = await store().claim({ lane: 0, worker: "other", limit: 10, leaseMs: 300, skipHosts: [] });
  assert.equal(early.length, 0, "leased deliveries are not handed out twice");
  await runEngine(() => to("accept8.test").length + to("accept9.test").length >= 2);
  assert.equal(to("accept8.test").length, 1);
  assert.equal(to("accept9.test").length, 1);
});
