// The streaming API as clients use it: a WebSocket authenticated by Sec-WebSocket-Protocol (as
// Phanpy and Elk do), multiplexed subscriptions, privacy of what is delivered, notifications,
// deletes, server-sent events, masto.js's streaming client, and — on PostgreSQL — delivery
// across two server processes on one database, including after the LISTEN connection drops.
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createRestAPIClient, createStreamingAPIClient } from "masto";
import { databaseKind, startServer, type TestServer } from "../support/server.ts";
import { validateResponse } from "../support/openapi.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { openEventStream, openStream, refusedUpgrade, wsUrl, type StreamMessage } from "../support/streaming.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

contractCheckedServer(["alice", "bob", "carol"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol } = ready.users);
  await alice.client.v1.accounts.$select(bob.id).follow();
});

const isUpdate = (id: string) => (m: StreamMessage) => m.event === "update" && JSON.parse(m.payload!).id === id;
const mentions = (m: StreamMessage, id: string) => (m.payload ?? "").includes(id);

function assertValidStatus(payload: string) {
  const status = JSON.parse(payload);
  assert.deepEqual(validateResponse("GET", "/api/v1/statuses/1", 200, status).problems, []);
  return status;
}

test("a WebSocket authenticated by Sec-WebSocket-Protocol gets followed accounts' posts on `user`", async () => {
  const socket = await openStream(server.url, { protocolToken: alice.token });
  try {
    assert.equal(socket.protocol, alice.token, "the token protocol is echoed (Chromium drops the connection otherwise)");
    await socket.subscribe("user");
    const posted = await bob.client.v1.statuses.create({ status: "Hello from bob #streaming" });
    const message = await socket.next(isUpdate(posted.id));
    assert.deepEqual(message.stream, ["user"]);
    const status = assertValidStatus(message.payload!);
    assert.equal(status.account.username, "bob");
    assert.equal(status.content, posted.content);

    // Alice's own posts enter her home feed too.
    const own = await alice.client.v1.statuses.create({ status: "my own" });
    await socket.next(isUpdate(own.id));
  } finally {
    await socket.close();
  }
});

test("private and direct posts never reach anyone outside their audience", async () => {
  const socket = await openStream(server.url, { protocolToken: alice.token });
  const anonymous = await openStream(server.url);
  try {
    await socket.subscribe("user");
    await socket.subscribe("public");
    await anonymous.subscribe("public");

    // Carol is not followed by alice: her private post and her direct message to bob stay away.
    const secret = await carol.client.v1.statuses.create({ status: "followers only, from carol", visibility: "private" });
    const dm = await carol.client.v1.statuses.create({ status: "@bob just for you", visibility: "direct" });
    // Bob is followed: his private post reaches alice's home, never a public stream.
    const friendsOnly = await bob.client.v1.statuses.create({ status: "for my followers", visibility: "private" });
    const unlisted = await bob.client.v1.statuses.create({ status: "quietly public", visibility: "unlisted" });
    // A public marker: signals are delivered in order, so anything leaked would arrive before it.
    const marker = await carol.client.v1.statuses.create({ status: "public marker" });

    await socket.next((m) => m.event === "update" && m.stream![0] === "public" && mentions(m, marker.id));
    await anonymous.next((m) => m.event === "update" && mentions(m, marker.id));
    const home = await socket.next((m) => m.event === "update" && m.stream![0] === "user" && mentions(m, friendsOnly.id));
    assert.equal(JSON.parse(home.payload!).visibility, "private");
    await socket.next((m) => m.stream![0] === "user" && mentions(m, unlisted.id));

    for (const [who, messages] of [["alice", socket.messages], ["anonymous", anonymous.messages]] as const) {
      for (const id of [secret.id, dm.id]) assert.equal(messages.some((m) => mentions(m, id)), false, `${who} must not receive ${id}`);
      const publicIds = messages.filter((m) => m.stream?.[0] === "public").map((m) => JSON.parse(m.payload!).id);
      assert.equal(publicIds.includes(friendsOnly.id), false, `${who}: a private post is not public`);
      assert.equal(publicIds.includes(unlisted.id), false, `${who}: an unlisted post is not on public streams`);
    }
  } finally {
    await socket.close();
    await anonymous.close();
  }
});

test("public streams leave out authors the viewer blocks; hashtag and local streams filter", async () => {
  const dave = await signUp(server, "dave");
  const socket = await openStream(server.url, { protocolToken: dave.token, query: { stream: "public:local" } });
  const anonymous = await openStream(server.url, { query: { stream: "hashtag", tag: "Skein" } });
  try {
    await dave.client.v1.accounts.$select(carol.id).block();
    const blocked = await carol.client.v1.statuses.create({ status: "dave blocked me #skein" });
    const fine = await bob.client.v1.statuses.create({ status: "all good #other" });
    await socket.next(isUpdate(fine.id));
    assert.equal(socket.messages.some((m) => mentions(m, blocked.id)), false, "a blocked author's post is not delivered");
    const tagged = await anonymous.next(isUpdate(blocked.id));
    assert.deepEqual(tagged.stream, ["hashtag", "skein"]);
    assert.equal(anonymous.messages.some((m) => mentions(m, fine.id)), false, "another tag's post stays away");
  } finally {
    await socket.close();
    await anonymous.close();
  }
});

test("a mention arrives as a notification on `user:notification`", async () => {
  const socket = await openStream(server.url, { protocolToken: alice.token });
  try {
    await socket.subscribe("user:notification");
    const posted = await carol.client.v1.statuses.create({ status: "@alice have a look" });
    const message = await socket.next((m) => m.event === "notification");
    assert.deepEqual(message.stream, ["user:notification"]);
    const notification = JSON.parse(message.payload!);
    assert.deepEqual(validateResponse("GET", "/api/v1/notifications/1", 200, notification).problems, []);
    assert.equal(notification.type, "mention");
    assert.equal(notification.status.id, posted.id);
    assert.equal(notification.account.username, "carol");
    assert.equal(socket.messages.some((m) => m.event === "update"), false, "user:notification carries notifications only");
  } finally {
    await socket.close();
  }
});

test("deletes and edits reach the readers", async () => {
  const socket = await openStream(server.url, { protocolToken: alice.token, query: { stream: "user" } });
  try {
    const posted = await bob.client.v1.statuses.create({ status: "soon edited, then gone" });
    await socket.next(isUpdate(posted.id));
    await bob.client.v1.statuses.$select(posted.id).update({ status: "edited" });
    const edit = await socket.next((m) => m.event === "status.update");
    assert.match(assertValidStatus(edit.payload!).content, /edited/);
    await bob.client.v1.statuses.$select(posted.id).remove();
    const deleted = await socket.next((m) => m.event === "delete");
    assert.deepEqual(deleted, { stream: ["user"], event: "delete", payload: posted.id });
  } finally {
    await socket.close();
  }
});

test("unsubscribe stops a stream; malformed messages get errors and keep the connection", async () => {
  const socket = await openStream(server.url, { protocolToken: alice.token });
  try {
    for (const bad of ["not json", "[1,2]", JSON.stringify({ type: "dance" }), JSON.stringify({ type: "subscribe" }), JSON.stringify({ type: "subscribe", stream: "hashtag" })]) {
      socket.send(bad);
      const answer = await socket.next((m) => m.error !== undefined);
      assert.equal(answer.status, 400, bad);
    }
    socket.send({ type: "subscribe", stream: "list", list: "1" });
    assert.equal((await socket.next((m) => m.error !== undefined)).status, 404, "no such list");

    await socket.subscribe("user");
    socket.send({ type: "unsubscribe", stream: "user" });
    await socket.subscribe("public:remote");
    const posted = await bob.client.v1.statuses.create({ status: "nobody listens" });
    const marker = await alice.client.v1.statuses.create({ status: "@bob marker", visibility: "direct" });
    await socket.subscribe("direct");
    const other = await alice.client.v1.statuses.create({ status: "@bob a direct one", visibility: "direct" });
    // The marker's own conversation event may still be on its way when "direct" is subscribed
    // (events are published beside the answer to the post, not before it): wait for other's.
    const conversation = await socket.next((m) => m.event === "conversation" && mentions(m, other.id));
    assert.deepEqual(conversation.stream, ["direct"]);
    const entity = JSON.parse(conversation.payload!);
    assert.deepEqual(validateResponse("GET", "/api/v1/conversations", 200, [entity]).problems, []);
    assert.equal(entity.last_status.id, other.id);
    assert.deepEqual(entity.accounts.map((a: { username: string }) => a.username), ["bob"]);
    const listed = await alice.client.v1.conversations.list();
    assert.equal(entity.id, listed.find((c) => c.lastStatus?.id === other.id)?.id, "the id of /api/v1/conversations");
    // Nothing on the unsubscribed user stream: neither bob's post nor alice's direct marker.
    assert.equal(socket.messages.some((m) => m.stream?.includes("user") && (mentions(m, posted.id) || mentions(m, marker.id))), false);
    assert.equal(socket.messages.some((m) => mentions(m, posted.id)), false, "bob's public post is on no stream subscribed");
    assert.equal(socket.ws.readyState, socket.ws.OPEN);
  } finally {
    await socket.close();
  }
});

test("a list stream carries what the list admits, to its owner only", async () => {
  const list = await alice.client.v1.lists.create({ title: "friends" });
  await alice.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.id] });
  const socket = await openStream(server.url, { protocolToken: alice.token });
  const intruder = await openStream(server.url, { protocolToken: carol.token });
  try {
    await socket.subscribe("list", { list: list.id });
    intruder.send({ type: "subscribe", stream: "list", list: list.id });
    assert.equal((await intruder.next((m) => m.error !== undefined)).status, 404, "someone else's list");
    const posted = await bob.client.v1.statuses.create({ status: "for the list" });
    const message = await socket.next(isUpdate(posted.id));
    assert.deepEqual(message.stream, ["list", list.id]);
    await bob.client.v1.statuses.$select(posted.id).remove();
    assert.deepEqual(await socket.next((m) => m.event === "delete"), { stream: ["list", list.id], event: "delete", payload: posted.id });
    assert.equal((await refusedUpgrade(server.url, { protocolToken: carol.token, query: { stream: "list", list: list.id } })).status, 404);
  } finally {
    await socket.close();
    await intruder.close();
    await alice.client.v1.lists.$select(list.id).remove();
  }
});

test("the viewer's filters apply: `hide` leaves a status out of the stream", async () => {
  const filter = await alice.client.v2.filters.create({ title: "no spoilers", context: ["home"], filterAction: "hide", keywordsAttributes: [{ keyword: "spoilers" }] });
  const socket = await openStream(server.url, { protocolToken: alice.token, query: { stream: "user" } });
  try {
    const hidden = await bob.client.v1.statuses.create({ status: "spoilers ahead" });
    const shown = await bob.client.v1.statuses.create({ status: "nothing to hide" });
    await socket.next(isUpdate(shown.id));
    assert.equal(socket.messages.some((m) => mentions(m, hidden.id)), false);
  } finally {
    await socket.close();
    await alice.client.v2.filters.$select(filter.id).remove();
  }
});

test("changing filters sends `filters_changed` on the user stream, to that user only", async () => {
  const mine = await openStream(server.url, { protocolToken: alice.token, query: { stream: "user" } });
  const theirs = await openStream(server.url, { protocolToken: bob.token, query: { stream: "user" } });
  try {
    const filter = await alice.client.v2.filters.create({ title: "mute words", context: ["home"], filterAction: "warn", keywordsAttributes: [{ keyword: "quux" }] });
    await mine.next((m) => m.event === "filters_changed");
    await alice.client.v2.filters.$select(filter.id).remove();
    await mine.next((m) => m.event === "filters_changed");
    // bob's own activity arrives on his stream; alice's filter changes never do.
    const marker = await bob.client.v1.statuses.create({ status: "marker for bob" });
    await theirs.next(isUpdate(marker.id));
    assert.equal(theirs.messages.some((m) => m.event === "filters_changed"), false);
  } finally {
    await mine.close();
    await theirs.close();
  }
});

test("refusals happen before the upgrade, with Mastodon's error shape", async () => {
  let refused = await refusedUpgrade(server.url, { protocolToken: "not-a-token" });
  assert.equal(refused.status, 401);
  assert.equal(typeof refused.body.error, "string");
  refused = await refusedUpgrade(server.url, { query: { access_token: "nope" } });
  assert.equal(refused.status, 401);
  refused = await refusedUpgrade(server.url, { query: { stream: "user" } });
  assert.equal(refused.status, 401, "user needs a token");
  refused = await refusedUpgrade(server.url, { protocolToken: alice.token, query: { stream: "nonsense" } });
  assert.equal(refused.status, 400);
  // The other ways to pass a token work too.
  const viaHeader = await openStream(server.url, { headers: { Authorization: `Bearer ${alice.token}` }, query: { stream: "user" } });
  const viaQuery = await openStream(server.url, { query: { access_token: alice.token, stream: "user" } });
  const posted = await bob.client.v1.statuses.create({ status: "three ways in" });
  await viaHeader.next(isUpdate(posted.id));
  await viaQuery.next(isUpdate(posted.id));
  await viaHeader.close();
  await viaQuery.close();
});

test("server-sent events: /api/v1/streaming/user and /health", async () => {
  assert.equal(await (await fetch(`${server.url}/api/v1/streaming/health`)).text(), "OK");
  assert.equal((await fetch(`${server.url}/api/v1/streaming/user`)).status, 401);
  assert.equal((await fetch(`${server.url}/api/v1/streaming/bogus`)).status, 400);

  const stream = await openEventStream(`${server.url}/api/v1/streaming/user`, alice.token);
  const notifications = await openEventStream(`${server.url}/api/v1/streaming/user/notification`, bob.token);
  const tag = await openEventStream(`${server.url}/api/v1/streaming/hashtag/local?tag=sse`);
  try {
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get("content-type") ?? "", /^text\/event-stream/);
    await Promise.all([stream.opened(), notifications.opened(), tag.opened()]);
    const posted = await bob.client.v1.statuses.create({ status: "over server-sent events #sse" });
    const event = await stream.next((e) => e.event === "update" && JSON.parse(e.data).id === posted.id);
    assertValidStatus(event.data);
    await tag.next((e) => e.event === "update" && JSON.parse(e.data).id === posted.id);
    await alice.client.v1.statuses.create({ status: "@bob ping over SSE" });
    const note = await notifications.next((e) => e.event === "notification");
    assert.equal(JSON.parse(note.data).type, "mention");
    await bob.client.v1.statuses.$select(posted.id).remove();
    assert.equal((await stream.next((e) => e.event === "delete")).data, posted.id);
  } finally {
    stream.close();
    notifications.close();
    tag.close();
  }
});

test("masto.js's streaming client (Node's WebSocket, strict about the echoed protocol) receives updates", async () => {
  const masto = createStreamingAPIClient({ streamingApiUrl: wsUrl(server.url), accessToken: alice.token, retry: false });
  try {
    const events = masto.user.subscribe()[Symbol.asyncIterator]();
    const first = events.next(); // connects, then sends the subscription
    // The subscription races the first post, so post until one arrives.
    const posted = new Set<string>();
    let done = false;
    const poster = (async () => {
      while (!done) {
        posted.add((await bob.client.v1.statuses.create({ status: "for masto.js" })).id);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    // An update may arrive before the API has answered the post it is about: match either way round.
    const seen = new Map<string, { account: { username: string } }>();
    const received = (async () => {
      for (let r = await first; !r.done; r = await events.next()) {
        if (r.value.event === "update") seen.set(r.value.payload.id, r.value.payload);
        for (const id of posted) if (seen.has(id)) return seen.get(id)!;
      }
      throw new Error("the stream ended");
    })();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("masto.js received nothing within 10 s")), 10_000).unref());
    try {
      // A failing post ends the wait at once, with its own error.
      const status = await Promise.race([received, timeout, poster.then(() => new Promise<never>(() => {}))]);
      assert.equal(status.account.username, "bob");
    } finally {
      done = true;
      await poster;
    }
  } finally {
    masto.close();
  }
});

const crossProcessSkip =
  databaseKind === "sqlite" ? "SQLite allows one server process by design (db/server-lock.ts); cross-process fan-out is a PostgreSQL feature" : false;

test("an update posted through one process reaches a socket held by another (PostgreSQL)", { skip: crossProcessSkip }, async () => {
  const second = await startServer({ sameDatabaseAs: server });
  try {
    const bobOnSecond = createRestAPIClient({ url: second.url, accessToken: bob.token });
    const socket = await openStream(server.url, { protocolToken: alice.token });
    try {
      await socket.subscribe("user");
      const posted = await bobOnSecond.v1.statuses.create({ status: "posted through the second process" });
      assertValidStatus((await socket.next(isUpdate(posted.id))).payload!);

      // The LISTEN connections drop (a database restart, a proxy timeout): they come back.
      const admin = new pg.Client({ connectionString: process.env.SKEIN_TEST_POSTGRES_URL });
      await admin.connect();
      try {
        const database = new URL(server.env.DATABASE_URL).pathname.slice(1);
        const listeners = async () =>
          (await admin.query("select pid from pg_stat_activity where application_name = 'skein-listen' and datname = $1", [database])).rows.map((r) => r.pid as number);
        const before = await listeners();
        assert.equal(before.length, 2, "one listening connection per process");
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'skein-listen' and datname = $1", [database]);
        const deadline = Date.now() + 15_000;
        for (;;) {
          const now = await listeners();
          if (now.length === 2 && now.every((pid) => !before.includes(pid))) break;
          if (Date.now() > deadline) throw new Error(`The listeners did not come back: ${JSON.stringify(now)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await admin.end();
      }
      const again = await bobOnSecond.v1.statuses.create({ status: "after the connection dropped" });
      await socket.next(isUpdate(again.id));
    } finally {
      await socket.close();
    }
  } finally {
    await second.stop();
  }
});
