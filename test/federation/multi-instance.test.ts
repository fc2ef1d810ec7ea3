// Three Skein instances federating over HTTPS on one machine (a.test, b.test, c.test): follows
// (also to a locked account), posts, replies, mentions, boosts, likes, edits, deletes, direct
// message privacy and blocks — each checked on the receiving server through its client API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";
import { databaseKind } from "../support/server.ts";

let fleet: Fleet;
let alice: TestUser; // a.test
let bob: TestUser; // b.test
let carol: TestUser; // c.test
let carol2: TestUser; // b.test, where carol moves
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** The id, on `server`, of the account `handle` (looked up through WebFinger if needed). */
async function remoteId(user: TestUser, server: string, handle: string): Promise<string> {
  const found = await api(user, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
  assert.equal(found.status, 200, `lookup of ${handle} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.id;
}

before(async () => {
  // c.test runs in secure mode (authorized fetch): everything it serves must be fetched signed.
  fleet = await startFleet(["a.test", "b.test", "c.test"], { env: { "c.test": { AUTHORIZED_FETCH: "true" } } });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("WebFinger lookup and follow across servers; the follower sees new posts", async () => {
  const bobOnA = await remoteId(alice, "a.test", "bob@b.test");
  const account = await api(alice, "a.test", `/api/v1/accounts/${bobOnA}`);
  assert.equal(account.body.acct, "bob@b.test");
  assert.equal(account.body.url, "https://b.test/@bob");

  const follow = await api(alice, "a.test", `/api/v1/accounts/${bobOnA}/follow`, { method: "POST" });
  assert.equal(follow.status, 200);
  await eventually(async () => (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body[0]?.following, 20_000, "the Accept from b.test");
  const followers = await api(bob, "b.test", `/api/v1/accounts/${bob.id}/followers`);
  assert.deepEqual(followers.body.map((a: { acct: string }) => a.acct), ["alice@a.test"]);

  const post = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Hello fediverse #skeintest" }) });
  assert.equal(post.status, 200);
  const arrived = await eventually(async () => {
    const home = await api(alice, "a.test", "/api/v1/timelines/home");
    return home.body.find((s: { uri: string }) => s.uri === post.body.uri);
  }, 20_000, "bob's post in alice's home timeline");
  assert.equal(arrived.account.acct, "bob@b.test");
  assert.match(arrived.content, /Hello fediverse/);
  assert.deepEqual(arrived.tags.map((t: { name: string }) => t.name), ["skeintest"]);
});

test("a post whose deliveries cannot be queued at first reaches its followers once they can be", async () => {
  // b.test's database refuses to store outgoing activities (a trigger) until the test lets it:
  // the fan-out's job fails, is kept, and is run again — the post is not lost.
  const b = fleet.servers["b.test"];
  const refuse = databaseKind === "postgres"
    ? [
        "create table test_refuse_queueing (x integer)",
        "create function test_refuse_queueing() returns trigger language plpgsql as $$ begin if exists (select 1 from test_refuse_queueing) then raise exception 'queueing refused by the test'; end if; return new; end $$",
        "create trigger test_refuse_queueing before insert on outbox_activities for each row execute function test_refuse_queueing()",
      ]
    : [
        "create table test_refuse_queueing (x integer)",
        "create trigger test_refuse_queueing before insert on outbox_activities when exists (select 1 from test_refuse_queueing) begin select raise(abort, 'queueing refused by the test'); end",
      ];
  for (const statement of refuse) await queryRows(b, statement);
  await queryRows(b, "insert into test_refuse_queueing values (1)");
  let post;
  try {
    post = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Posted while the queue is unwell" }) });
    assert.equal(post.status, 200);
    await eventually(async () => (await queryRows(b, "select last_error from jobs where queue = 'outbox'")).some((job) => job.last_error?.includes("queueing refused by the test")), 20_000, "the fan-out job failing");
  } finally {
    await queryRows(b, "delete from test_refuse_queueing");
  }
  await eventually(async () => (await api(alice, "a.test", "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === post.body.uri), 30_000, "bob's post in alice's home timeline, its job run again");
});

test("replies, mentions, likes, boosts, edits and deletes travel both ways", async () => {
  const original = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "What do you think?" }) });
  const onA = await eventually(async () => (await api(alice, "a.test", "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === original.body.uri), 20_000, "the post on a.test");

  const reply = await api(alice, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@bob@b.test I like it", in_reply_to_id: onA.id }) });
  assert.equal(reply.status, 200);
  assert.equal(reply.body.mentions[0]?.acct, "bob@b.test");
  const mention = await eventually(async () => (await api(bob, "b.test", "/api/v1/notifications?types[]=mention")).body.find((n: any) => n.status?.uri === reply.body.uri), 20_000, "the mention on b.test");
  assert.equal(mention.account.acct, "alice@a.test");
  assert.equal(mention.status.in_reply_to_id, original.body.id, "the reply is threaded under bob's post");
  const context = await api(bob, "b.test", `/api/v1/statuses/${original.body.id}/context`);
  assert.deepEqual(context.body.descendants.map((s: { uri: string }) => s.uri), [reply.body.uri]);

  await api(alice, "a.test", `/api/v1/statuses/${onA.id}/favourite`, { method: "POST" });
  await eventually(async () => (await api(bob, "b.test", `/api/v1/statuses/${original.body.id}`)).body.favourites_count === 1, 20_000, "the like on b.test");
  await api(alice, "a.test", `/api/v1/statuses/${onA.id}/reblog`, { method: "POST" });
  const boostNote = await eventually(async () => (await api(bob, "b.test", "/api/v1/notifications?types[]=reblog")).body.find((n: any) => n.status?.id === original.body.id), 20_000, "the boost on b.test");
  assert.equal(boostNote.account.acct, "alice@a.test");
  await api(alice, "a.test", `/api/v1/statuses/${onA.id}/unfavourite`, { method: "POST" });
  await eventually(async () => (await api(bob, "b.test", `/api/v1/statuses/${original.body.id}`)).body.favourites_count === 0, 20_000, "the undone like on b.test");

  await api(bob, "b.test", `/api/v1/statuses/${original.body.id}`, { method: "PUT", body: JSON.stringify({ status: "What do you think now?" }) });
  await eventually(async () => /think now/.test((await api(alice, "a.test", `/api/v1/statuses/${onA.id}`)).body.content ?? ""), 20_000, "the edit on a.test");
  assert.ok((await api(alice, "a.test", `/api/v1/statuses/${onA.id}`)).body.edited_at);

  await api(bob, "b.test", `/api/v1/statuses/${original.body.id}`, { method: "DELETE" });
  await eventually(async () => (await api(alice, "a.test", `/api/v1/statuses/${onA.id}`)).status === 404, 20_000, "the delete on a.test");
});

test("a locked account approves a remote follower", async () => {
  await api(carol, "c.test", "/api/v1/accounts/update_credentials", { method: "PATCH", body: JSON.stringify({ locked: true }) });
  const carolOnA = await remoteId(alice, "a.test", "carol@c.test");
  const requested = await api(alice, "a.test", `/api/v1/accounts/${carolOnA}/follow`, { method: "POST" });
  assert.equal(requested.body.requested, true);
  const request = await eventually(async () => (await api(carol, "c.test", "/api/v1/follow_requests")).body.find((a: { acct: string }) => a.acct === "alice@a.test"), 20_000, "the request on c.test");
  await api(carol, "c.test", `/api/v1/follow_requests/${request.id}/authorize`, { method: "POST" });
  await eventually(async () => (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${carolOnA}`)).body[0]?.following, 20_000, "the Accept on a.test");
});

test("a direct message reaches only the mentioned account's server", async () => {
  // carol (c.test) follows bob too, so c.test would receive anything addressed to his followers.
  const bobOnC = await remoteId(carol, "c.test", "bob@b.test");
  await api(carol, "c.test", `/api/v1/accounts/${bobOnC}/follow`, { method: "POST" });
  await eventually(async () => (await api(carol, "c.test", `/api/v1/accounts/relationships?id[]=${bobOnC}`)).body[0]?.following, 20_000, "carol following bob");

  const dm = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@alice@a.test just between us", visibility: "direct" }) });
  assert.equal(dm.body.visibility, "direct");
  const received = await eventually(async () => (await api(alice, "a.test", "/api/v1/notifications?types[]=mention")).body.find((n: any) => n.status?.uri === dm.body.uri), 20_000, "the DM on a.test");
  assert.equal(received.status.visibility, "direct");

  // A public post sent afterwards has reached c.test, so the DM would have too if it were sent there.
  const marker = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "public marker" }) });
  await eventually(async () => (await api(carol, "c.test", "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === marker.body.uri), 20_000, "the marker on c.test");
  const onC = await api(carol, "c.test", `/api/v2/search?q=${encodeURIComponent(dm.body.uri)}`);
  assert.deepEqual(onC.body.statuses, [], "c.test never stored the direct message");
  const fetched = await fetch(dm.body.uri, { headers: { Accept: "application/activity+json" } });
  assert.notEqual(fetched.status, 200, "the direct message cannot be fetched anonymously");
  // Someone else on a.test cannot read it either.
  const dave = await signUp(fleet.servers["a.test"], "dave");
  assert.equal((await api(dave, "a.test", `/api/v1/statuses/${received.status.id}`)).status, 404);
});

test("a remote block ends the follow and hides the blocker's posts", async () => {
  const aliceOnB = await remoteId(bob, "b.test", "alice@a.test");
  const bobOnA = await remoteId(alice, "a.test", "bob@b.test");
  const block = await api(bob, "b.test", `/api/v1/accounts/${aliceOnB}/block`, { method: "POST" });
  assert.equal(block.body.blocking, true);
  await eventually(async () => (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body[0]?.following === false, 20_000, "the block on a.test");
});

test("profile changes reach the servers of followers", async () => {
  const carolOnA = await remoteId(alice, "a.test", "carol@c.test");
  await api(carol, "c.test", "/api/v1/accounts/update_credentials", { method: "PATCH", body: JSON.stringify({ display_name: "Carol C.", note: "I moved to a <b>new</b> town" }) });
  const updated = await eventually(async () => {
    const account = (await api(alice, "a.test", `/api/v1/accounts/${carolOnA}`)).body;
    return account.display_name === "Carol C." ? account : null;
  }, 20_000, "the profile update on a.test");
  assert.match(updated.note, /I moved to a &lt;b&gt;new&lt;\/b&gt; town/);
});

test("secure mode: anonymous fetches are refused, signed ones from other servers work", async () => {
  const post = await api(carol, "c.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "only for signed fetches" }) });
  const anonymous = await fetch(post.body.uri, { headers: { Accept: "application/activity+json" } });
  assert.equal(anonymous.status, 401);
  const actor = await fetch("https://c.test/users/carol", { headers: { Accept: "application/activity+json" } });
  assert.equal(actor.status, 200, "actors stay public, so their keys can be fetched");
  // b.test has never seen this post: it fetches it, signed by its instance actor.
  const found = await api(bob, "b.test", `/api/v2/search?resolve=true&q=${encodeURIComponent(post.body.uri)}`);
  assert.equal(found.body.statuses[0]?.uri, post.body.uri);
  assert.equal(found.body.statuses[0]?.account.acct, "carol@c.test");
});

test("an account moves to another server and its followers follow the new account", async () => {
  // alice (a.test) follows carol (c.test) since the locked-account test.
  const carolOnA = await remoteId(alice, "a.test", "carol@c.test");
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${carolOnA}`)).body[0]?.following, true);
  carol2 = await signUp(fleet.servers["b.test"], "carol2");
  const alias = await api(carol2, "b.test", "/api/v1/accounts/alias", { method: "POST", body: JSON.stringify({ also_known_as_uris: ["https://c.test/users/carol"] }) });
  assert.equal(alias.status, 200, JSON.stringify(alias.body));

  const wrong = await api(carol, "c.test", "/api/v1/accounts/move", { method: "POST", body: JSON.stringify({ moved_to_uri: "https://b.test/users/carol2", password: "not the password" }) });
  assert.equal(wrong.status, 401);
  const unaliased = await api(carol, "c.test", "/api/v1/accounts/move", { method: "POST", body: JSON.stringify({ moved_to_uri: "https://b.test/users/bob", password: carol.password }) });
  assert.equal(unaliased.status, 422, "a move needs the new account to name the old one");
  const moved = await api(carol, "c.test", "/api/v1/accounts/move", { method: "POST", body: JSON.stringify({ moved_to_uri: "https://b.test/users/carol2", password: carol.password }) });
  assert.equal(moved.status, 202, JSON.stringify(moved.body));

  const carol2OnA = await eventually(async () => {
    const found = await api(alice, "a.test", `/api/v1/accounts/lookup?acct=carol2@b.test`);
    if (found.status !== 200) return null;
    const [rel] = (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${found.body.id}`)).body;
    return rel?.following ? found.body.id : null;
  }, 30_000, "alice following carol2 on b.test");
  assert.ok(carol2OnA);
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${carolOnA}`)).body[0]?.following, false, "the old follow ended");
});

test("polls federate: the follower sees the options, and its vote counts on the author's server", async () => {
  // alice (a.test) follows carol2 (b.test) since the move.
  const post = await api(carol2, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: 3600 } }) });
  assert.equal(post.status, 200, JSON.stringify(post.body));
  const onA = await eventually(async () => (await api(alice, "a.test", "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === post.body.uri), 20_000, "the poll on a.test");
  assert.deepEqual(onA.poll?.options.map((o: { title: string }) => o.title), ["tea", "coffee"]);
  const voted = await api(alice, "a.test", `/api/v1/polls/${onA.poll.id}/votes`, { method: "POST", body: JSON.stringify({ choices: [1] }) });
  assert.equal(voted.status, 200, JSON.stringify(voted.body));
  assert.deepEqual(voted.body.own_votes, [1]);
  const counted = await eventually(async () => {
    const poll = (await api(carol2, "b.test", `/api/v1/polls/${post.body.poll.id}`)).body;
    return poll.votes_count === 1 ? poll : null;
  }, 20_000, "the vote counted on b.test");
  assert.equal(counted.options[1].votes_count, 1);
  // The vote is not shown as a post on the author's server.
  const context = await api(carol2, "b.test", `/api/v1/statuses/${post.body.id}/context`);
  assert.deepEqual(context.body.descendants, []);
});
