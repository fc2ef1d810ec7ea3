// Work queued by one process reaches the idle loops of another at once. Two runtimes on one
// database stand for two processes (a web process or an admin command queuing, a worker or the
// server sleeping): the signal goes through LISTEN/NOTIFY on PostgreSQL and through files beside
// the database on SQLite, and idle loops otherwise look only every 30 s (IDLE_BACKSTOP_MS), so
// work done within seconds was woken, not found by the backstop.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { DeliveryStore } from "../../src/store/deliveries.ts";
import { Fanout } from "../../src/federation/delivery/fanout.ts";
import { DeliveryEngine } from "../../src/federation/delivery/engine.ts";
import { InlineSender } from "../../src/federation/delivery/sender.ts";
import { keyPairsOf, signingKeyOf } from "../../src/federation/keys.ts";
import { IDLE_BACKSTOP_MS } from "../../src/queue/wake-signal.ts";
import { eventually } from "../support/federation-fleet.ts";

/** Well under the backstop: what "at once" must beat, with room for a loaded machine. */
const WOKEN_WITHIN_MS = IDLE_BACKSTOP_MS / 3;
/** Long enough for a listener that found nothing to have gone to sleep. */
const SETTLE_MS = 1000;

let worker: Runtime;
let web: Runtime;
let drop: () => Promise<void>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const database = await freshDatabase({ migrated: true });
  drop = database.drop;
  worker = await openRuntime(loadConfig(database.env));
  web = await openRuntime(loadConfig(database.env));
});

after(async () => {
  await web?.close();
  await worker?.close();
  await drop?.();
});

test("the processes can signal each other, on both databases (so idle loops sleep instead of polling)", () => {
  assert.equal(worker.notifier.crossProcess, true);
  assert.equal(web.notifier.crossProcess, true);
});

test("a job queued by another process is handled at once by an idle listener, and a delayed one when due", async () => {
  const handled: { n: number; at: number }[] = [];
  const controller = new AbortController();
  const listening = worker.jobs.listen("wakeup-test", (payload) => void handled.push({ n: (payload as { n: number }).n, at: Date.now() }), { signal: controller.signal });
  try {
    await sleep(SETTLE_MS);
    const queuedAt = Date.now();
    await web.jobs.enqueue("wakeup-test", [{ n: 1 }]);
    await eventually(async () => handled.length === 1, WOKEN_WITHIN_MS);
    assert.ok(handled[0].at - queuedAt < WOKEN_WITHIN_MS);

    // Queued for 1.5 s from now: the idle listener sleeps until then, not until its backstop.
    await sleep(SETTLE_MS);
    const delayedAt = Date.now();
    await web.jobs.enqueue("wakeup-test", [{ n: 2 }], { delayMs: 1500 });
    await eventually(async () => handled.length === 2, 1500 + WOKEN_WITHIN_MS);
    assert.ok(handled[1].at - delayedAt >= 1500, "a delayed job does not run early");
    assert.ok(handled[1].at - delayedAt < 1500 + WOKEN_WITHIN_MS);
  } finally {
    controller.abort();
    await listening;
  }
});

test("deliveries queued by another process are sent at once by an idle engine", async () => {
  const received: number[] = [];
  const inbox = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(Date.now());
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => inbox.listen(0, "127.0.0.1", r));
  const port = (inbox.address() as AddressInfo).port;
  const { account } = await worker.services.accounts.createLocal({ username: "wakeup", email: "wakeup@example.test", password: "correct horse battery" });
  await keyPairsOf(worker.stores, account.id);

  const sender = () => new InlineSender({ perHost: 4, testHosts: { "*.test": "127.0.0.1" }, allowPrivateAddresses: true, userAgent: "Skein test" });
  const engineOf = (runtime: Runtime) =>
    new DeliveryEngine(new DeliveryStore(runtime.database.db, runtime.database.kind), sender(), (id) => signingKeyOf(runtime.stores, id), {
      concurrency: 10,
      perHost: 2,
      notifier: runtime.notifier,
    });
  const sending = engineOf(worker);
  // The web process never runs its engine: it only queues, and its fanout signals.
  const queuing = engineOf(web);
  const fanout = new Fanout(new DeliveryStore(web.database.db, web.database.kind), { allowPlainHttp: true, queued: () => queuing.queued() });
  const controller = new AbortController();
  const running = sending.run(controller.signal);
  try {
    await sleep(SETTLE_MS);
    const queuedAt = Date.now();
    const uri = `${account.uri}#wakeup`;
    const activity = { accountId: account.id, uri, body: JSON.stringify({ id: uri, type: "Create", actor: account.uri }) };
    await fanout.enqueue(activity, await fanout.inboxesFor({ inboxes: [`http://wake.test:${port}/inbox`] }));
    await eventually(async () => received.length === 1, WOKEN_WITHIN_MS);
    assert.ok(received[0] - queuedAt < WOKEN_WITHIN_MS);
  } finally {
    controller.abort();
    await running;
    inbox.closeAllConnections();
    await new Promise((r) => inbox.close(r));
  }
});

test("channels listened to at once, before and after the listening connection is up, all hear their messages", async () => {
  // The listening connection's statements go one after another: pg deprecates (and pg@9 removes)
  // handing a client a query while it is busy with another, which several listens at once did.
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning.message);
  process.on("warning", onWarning);
  const heard = new Set<string>();
  const channels = Array.from({ length: 6 }, (_, i) => `wakeup_many_${i}`);
  const stops = channels.slice(0, 3).map((channel) => worker.notifier.listen(channel, () => void heard.add(channel)));
  try {
    await worker.notifier.ready();
    stops.push(...channels.slice(3).map((channel) => worker.notifier.listen(channel, () => void heard.add(channel))));
    // The three listened to last are sent on an open connection; wait until each is heard.
    await eventually(async () => {
      for (const channel of channels) if (!heard.has(channel)) await web.notifier.notify(channel, "x");
      return heard.size === channels.length;
    }, WOKEN_WITHIN_MS);
    assert.deepEqual(warnings.filter((w) => w.includes("already executing a query")), []);
  } finally {
    for (const stop of stops) stop();
    process.off("warning", onWarning);
  }
});
