// The parts of streaming that need no server: signals on the wire, subscription rules, the hub's
// routing index and limits, and the in-process notifier.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSignal, encodeSignal, signalsOf, READERS_PER_SIGNAL } from "../../src/domain/streaming/signals.ts";
import { parseSubscription, StreamError, streamKey } from "../../src/domain/streaming/streams.ts";
import { InProcessNotifier, MAX_NOTIFY_PAYLOAD_BYTES, PayloadTooLargeError } from "../../src/db/notify.ts";
import { StreamingHub, MAX_SUBSCRIPTIONS_PER_CLIENT, type CloseReason, type StreamClient, type StreamMessage } from "../../src/http/streaming/hub.ts";
import type { Services } from "../../src/domain/services.ts";
import type { StreamRouter } from "../../src/domain/streaming/stream-router.ts";
import { EventEmitter } from "node:events";
import type WebSocket from "ws";
import { MAX_BUFFERED_BYTES, WebSocketClient } from "../../src/http/streaming/websocket.ts";
import { EventStreamClient } from "../../src/http/streaming/routes.ts";

const id = (n: number) => String(110_000_000_000_000_000n + BigInt(n));

test("a delete with many readers is split into signals that fit a NOTIFY payload", () => {
  const readerIds = Array.from({ length: 2 * READERS_PER_SIGNAL + 10 }, (_, i) => id(i));
  const signals = signalsOf({ type: "status.deleted", statusId: id(1), authorId: id(2), readerIds, visibility: "public" });
  assert.equal(signals.length, 3);
  assert.deepEqual(signals.map((s) => s.type === "status.deleted" && s.toPublic), [true, false, false]);
  assert.deepEqual(signals.flatMap((s) => (s.type === "status.deleted" ? s.readerIds : [])), readerIds);
  for (const s of signals) assert.ok(Buffer.byteLength(encodeSignal(s)) < MAX_NOTIFY_PAYLOAD_BYTES);

  const privateOne = signalsOf({ type: "status.deleted", statusId: id(1), authorId: id(2), readerIds: [], visibility: "private" });
  assert.deepEqual(privateOne, [{ type: "status.deleted", statusId: id(1), authorId: id(2), toPublic: false, readerIds: [] }]);
});

test("signals carry ids only, and malformed ones are refused", () => {
  const row = { id: id(5), account_id: id(6), from_account_id: id(7), type: "mention" as const, status_id: id(8), group_key: "g", created_at: "2026-01-01T00:00:00.000Z", report_id: null, relationship_severance_event_id: null, account_warning_id: null };
  const [signal] = signalsOf({ type: "notification.created", notification: row });
  assert.deepEqual(signal, { type: "notification.created", notificationId: id(5), accountId: id(6) });
  assert.deepEqual(decodeSignal(encodeSignal(signal)), signal);
  for (const bad of ["", "null", "[]", "{", '{"type":"status.created"}', '{"type":"status.created","statusId":"1; drop"}', '{"type":"nope","statusId":"1"}', '{"type":"status.deleted","statusId":"1","authorId":"2","toPublic":true,"readerIds":[3]}']) {
    assert.equal(decodeSignal(bad), null, bad);
  }
});

test("subscriptions: names, parameters, tokens and scopes", () => {
  const user = { accountId: id(1), scopes: ["read"] };
  const options = { anonymousPublic: true };
  const refused = (fn: () => unknown, status: number) => assert.throws(fn, (e: unknown) => e instanceof StreamError && e.status === status);

  assert.deepEqual(parseSubscription("user", {}, user, options).label, ["user"]);
  assert.deepEqual(parseSubscription("hashtag:local", { tag: "#Skein" }, null, options).label, ["hashtag:local", "skein"]);
  assert.equal(parseSubscription("hashtag", { tag: "Skein" }, null, options).key, streamKey(["hashtag", "skein"]));
  assert.deepEqual(parseSubscription("public:remote", {}, null, options).label, ["public:remote"]);
  refused(() => parseSubscription("users", {}, user, options), 400);
  refused(() => parseSubscription(42, {}, user, options), 400);
  refused(() => parseSubscription("hashtag", {}, user, options), 400);
  refused(() => parseSubscription("hashtag", { tag: "a b" }, user, options), 400);
  refused(() => parseSubscription("user", {}, null, options), 401);
  refused(() => parseSubscription("direct", {}, { accountId: null, scopes: ["read"] }, options), 401);
  refused(() => parseSubscription("user", {}, { accountId: id(1), scopes: ["read:notifications"] }, options), 403);
  assert.ok(parseSubscription("user:notification", {}, { accountId: id(1), scopes: ["read:notifications"] }, options));
  refused(() => parseSubscription("public", {}, null, { anonymousPublic: false }), 401);
  assert.deepEqual(parseSubscription("list", { list: "123" }, user, options).label, ["list", "123"], "ownership is checked against the database");
  refused(() => parseSubscription("list", { list: "../1" }, user, options), 404);
  refused(() => parseSubscription("list", {}, user, options), 400);
  refused(() => parseSubscription("list", { list: "123" }, null, options), 401);
});

class FakeClient implements StreamClient {
  readonly viewer;
  readonly received: StreamMessage[] = [];
  closedWith: CloseReason | null = null;
  constructor(accountId: string | null) {
    this.viewer = accountId ? { accountId, scopes: ["read"], token: "t" } : null;
  }
  send(message: StreamMessage) {
    this.received.push(message);
  }
  heartbeat() {}
  close(reason: CloseReason) {
    this.closedWith = reason;
  }
}

test("the hub indexes subscriptions by stream and viewer, and cleans up after them", async () => {
  const router = {
    route: async (_signal: unknown, listeners: { viewersOf(key: string): Iterable<string | null> }) => [
      { event: "delete" as const, stream: ["public"], viewers: [...listeners.viewersOf(streamKey(["public"]))], statusId: id(9) },
    ],
  } as unknown as StreamRouter;
  const hub = new StreamingHub({} as Services, router);
  const a = new FakeClient(id(1));
  const anon = new FakeClient(null);
  const pub = parseSubscription("public", {}, null, hub);
  hub.add(a);
  hub.add(anon);
  assert.equal(hub.empty, true);
  hub.subscribe(a, pub);
  hub.subscribe(a, pub);
  hub.subscribe(anon, pub);
  assert.deepEqual([...hub.viewersOf(pub.key)], [id(1), null]);

  hub.receive({ type: "status.created", statusId: id(9) });
  await hub.idle();
  assert.deepEqual(a.received, [{ stream: ["public"], event: "delete", payload: id(9) }]);
  assert.equal(anon.received.length, 1);

  hub.unsubscribe(a, pub);
  assert.deepEqual([...hub.viewersOf(pub.key)], [null]);
  hub.remove(anon);
  assert.equal(hub.empty, true);
  assert.deepEqual([...hub.keys()], []);

  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CLIENT; i++) assert.equal(hub.subscribe(a, parseSubscription("hashtag", { tag: `t${i}` }, null, hub)), true);
  assert.equal(hub.subscribe(a, parseSubscription("hashtag", { tag: "one-too-many" }, null, hub)), false);

  await hub.close();
  assert.equal(a.closedWith, "shutdown");
  assert.equal(hub.size, 0);
  assert.equal(hub.empty, true);
});

test("the in-process notifier delivers asynchronously and enforces PostgreSQL's limits", async () => {
  const notifier = new InProcessNotifier();
  const got: string[] = [];
  const stop = notifier.listen("skein_test", (p) => got.push(p));
  await notifier.notify("skein_test", "one");
  assert.deepEqual(got, [], "never synchronously");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, ["one"]);
  await assert.rejects(notifier.notify("skein_test", "x".repeat(MAX_NOTIFY_PAYLOAD_BYTES + 1)), PayloadTooLargeError);
  await assert.rejects(notifier.notify("Bad-Channel", "x"));
  stop();
  await notifier.notify("skein_test", "two");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, ["one"]);
  await notifier.close();
});

test("a WebSocket client that falls behind is dropped; one that stops answering pings too", () => {
  const calls: string[] = [];
  const fake = Object.assign(new EventEmitter(), {
    readyState: 1,
    bufferedAmount: 0,
    send: () => calls.push("send"),
    ping: () => calls.push("ping"),
    close: () => calls.push("close"),
    terminate: () => calls.push("terminate"),
  });
  const client = new WebSocketClient(fake as unknown as WebSocket, null);
  const message = { stream: ["public"], event: "delete", payload: "1" };
  client.send(message);
  fake.bufferedAmount = MAX_BUFFERED_BYTES + 1;
  client.send(message);
  assert.deepEqual(calls, ["send", "terminate"]);

  calls.length = 0;
  client.heartbeat();
  fake.emit("pong");
  client.heartbeat();
  assert.deepEqual(calls, ["ping", "ping"], "alive while it answers");
  client.heartbeat();
  assert.deepEqual(calls, ["ping", "ping", "terminate"], "no pong since the last ping");
});

test("an event stream nobody reads is closed once its queue exceeds the limit", async () => {
  let closed = false;
  let client!: EventStreamClient;
  const body = new ReadableStream<Uint8Array>(
    { start: (controller) => void (client = new EventStreamClient(null, controller, () => (closed = true))) },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  const payload = "x".repeat(64 * 1024);
  for (let i = 0; i * payload.length <= MAX_BUFFERED_BYTES + payload.length && !closed; i++) client.send({ stream: ["public"], event: "update", payload });
  assert.equal(closed, true);
  await assert.rejects(body.getReader().read(), /too slow/);
});
