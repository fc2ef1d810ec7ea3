// A user's own domain blocks (/api/v1/domain_blocks), end to end over two Skein servers on HTTPS
// (a.test where the user lives, b.test the blocked server): the API (list with Link paging,
// normalised names, 422 for a bad domain, scopes), and what a block does — the domain's posts
// leave the user's home, public and hashtag timelines (boosts of them too), its notifications
// vanish and stop, its follower is removed (and told), the user's follow of it ends, and
// relationships say `domain_blocking`; lists, conversations and streams follow — while other users
// of the server see everything as before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { openEventStream } from "../support/streaming.ts";

// Addresses of this file's servers (127.0.0.184/185); other files use other ranges.
const FIRST_ADDRESS = 184;

let fleet: Fleet;
let alice: TestUser; // a.test: blocks b.test
let carol: TestUser; // a.test: blocks nothing
let bob: TestUser; // b.test: alice follows him
let bea: TestUser; // b.test: follows alice
const contracts: ContractLog[] = [];
let bobOnA: string;
let beaOnA: string;
let bobPost: { id: string; uri: string };
let bobPostOnA: string;
let listId: string;
let directUri: string;

async function api(user: TestUser | null, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { ...(user ? { Authorization: `Bearer ${user.token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => null)) as any };
}

const uris = (statuses: { uri: string; reblog?: { uri: string } | null }[]) => statuses.map((s) => s.reblog?.uri ?? s.uri);

async function remoteId(user: TestUser, server: string, handle: string): Promise<string> {
  const found = await api(user, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
  assert.equal(found.status, 200, `lookup of ${handle} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.id;
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test"], { firstAddress: FIRST_ADDRESS });
  for (const name of ["a.test", "b.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers["a.test"], "alice");
  carol = await signUp(fleet.servers["a.test"], "carol");
  bob = await signUp(fleet.servers["b.test"], "bob");
  bea = await signUp(fleet.servers["b.test"], "bea");

  // alice and carol follow bob; alice follows carol; bea follows alice.
  bobOnA = await remoteId(alice, "a.test", "bob@b.test");
  for (const user of [alice, carol]) {
    await api(user, "a.test", `/api/v1/accounts/${bobOnA}/follow`, { method: "POST" });
    await eventually(async () => (await api(user, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body[0]?.following, 20_000, "the Accept from b.test");
  }
  await api(alice, "a.test", `/api/v1/accounts/${carol.id}/follow`, { method: "POST" });
  const aliceOnB = await remoteId(bea, "b.test", "alice@a.test");
  await api(bea, "b.test", `/api/v1/accounts/${aliceOnB}/follow`, { method: "POST" });
  await eventually(async () => (await api(bea, "b.test", `/api/v1/accounts/relationships?id[]=${aliceOnB}`)).body[0]?.following, 20_000, "bea following alice");
  beaOnA = await remoteId(alice, "a.test", "bea@b.test");

  // bob posts with a hashtag and a mention of alice; carol boosts it.
  const post = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Hello @alice@a.test #domainblocktest" }) });
  bobPost = post.body;
  const arrived = await eventually(async () => (await api(alice, "a.test", "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === bobPost.uri), 20_000, "bob's post on a.test");
  bobPostOnA = arrived.id;
  await api(carol, "a.test", `/api/v1/statuses/${bobPostOnA}/reblog`, { method: "POST" });
  // alice lists carol; bob writes to alice directly.
  listId = (await api(alice, "a.test", "/api/v1/lists", { method: "POST", body: JSON.stringify({ title: "friends" }) })).body.id;
  await api(alice, "a.test", `/api/v1/lists/${listId}/accounts`, { method: "POST", body: JSON.stringify({ account_ids: [carol.id] }) });
  const direct = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@alice@a.test just between us", visibility: "direct" }) });
  directUri = direct.body.uri;
  await eventually(async () => (await api(alice, "a.test", "/api/v1/conversations")).body.some((c: any) => c.last_status?.uri === directUri), 20_000, "bob's direct message on a.test");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("before any block, alice sees b.test everywhere", async () => {
  const home = await api(alice, "a.test", "/api/v1/timelines/home");
  assert.ok(uris(home.body).includes(bobPost.uri));
  assert.ok(home.body.some((s: any) => s.reblog?.uri === bobPost.uri && s.account.id === carol.id), "carol's boost is in alice's home");
  assert.ok(uris((await api(alice, "a.test", "/api/v1/timelines/public")).body).includes(bobPost.uri));
  assert.ok(uris((await api(alice, "a.test", "/api/v1/timelines/tag/domainblocktest")).body).includes(bobPost.uri));
  const mentions = await api(alice, "a.test", "/api/v1/notifications?types[]=mention");
  assert.ok(mentions.body.some((n: any) => n.account.id === bobOnA));
  await api(carol, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "carol in the list" }) });
  assert.ok((await api(alice, "a.test", `/api/v1/timelines/list/${listId}`)).body.some((s: any) => s.reblog?.uri === bobPost.uri), "carol's boost in alice's list");
  assert.ok((await api(alice, "a.test", "/api/v1/conversations")).body.some((c: any) => c.last_status?.uri === directUri));
  const [relationship] = (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body;
  assert.equal(relationship.domain_blocking, false);
  assert.deepEqual((await api(alice, "a.test", "/api/v1/domain_blocks")).body, []);
});

test("bad domains are 422, and the write scope is required", async () => {
  for (const domain of ["", "https://b.test/x", "b.test:443", "not a domain"]) {
    const answer = await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain }) });
    assert.equal(answer.status, 422, `${JSON.stringify(domain)}: ${JSON.stringify(answer.body)}`);
    assert.equal(typeof answer.body.error, "string");
  }
  assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: "{}" })).status, 422);
  assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "a.test" }) })).status, 422, "one's own server");
  const reader = await signUp(fleet.servers["a.test"], "reader", { scope: "read" });
  assert.equal((await api(reader, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "x.example" }) })).status, 403);
  assert.equal((await api(reader, "a.test", "/api/v1/domain_blocks")).status, 200);
  assert.equal((await api(null, "a.test", "/api/v1/domain_blocks")).status, 401);
});

test("blocking b.test hides its posts, boosts and notifications from alice only, and ends follows both ways", async () => {
  const block = await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "B.Test" }) });
  assert.equal(block.status, 200);
  assert.deepEqual(block.body, {});
  assert.deepEqual((await api(alice, "a.test", "/api/v1/domain_blocks")).body, ["b.test"], "stored in its normal form");
  // Blocking again changes nothing.
  assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "b.test" }) })).status, 200);

  const home = await api(alice, "a.test", "/api/v1/timelines/home");
  assert.ok(!home.body.some((s: any) => s.uri === bobPost.uri || s.reblog?.uri === bobPost.uri), "neither the post nor carol's boost of it in alice's home");
  assert.ok(!uris((await api(alice, "a.test", "/api/v1/timelines/public")).body).includes(bobPost.uri));
  assert.ok(!uris((await api(alice, "a.test", "/api/v1/timelines/public?remote=true")).body).includes(bobPost.uri));
  assert.ok(!uris((await api(alice, "a.test", "/api/v1/timelines/tag/domainblocktest")).body).includes(bobPost.uri));
  assert.ok(!(await api(alice, "a.test", "/api/v1/notifications")).body.some((n: any) => n.account.acct.endsWith("@b.test")), "b.test's notifications are gone");
  assert.ok(!(await api(alice, "a.test", "/api/v2/notifications")).body.notification_groups.some((g: any) => g.sample_account_ids.includes(bobOnA)));

  const list = (await api(alice, "a.test", `/api/v1/timelines/list/${listId}`)).body;
  assert.ok(list.some((s: any) => s.content.includes("carol in the list")), "the list still shows carol's own posts");
  assert.ok(!list.some((s: any) => s.reblog?.uri === bobPost.uri), "but not her boost of b.test");
  assert.ok(!(await api(alice, "a.test", "/api/v1/conversations")).body.some((c: any) => c.last_status?.uri === directUri), "the conversation with b.test is hidden");

  const [toBob, toBea] = (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}&id[]=${beaOnA}`)).body;
  assert.equal(toBob.domain_blocking, true);
  assert.equal(toBob.following, false, "alice's follow of bob ended");
  assert.equal(toBea.domain_blocking, true);
  assert.equal(toBea.followed_by, false, "bea no longer follows alice");
  const aliceOnB = await remoteId(bea, "b.test", "alice@a.test");
  await eventually(async () => (await api(bea, "b.test", `/api/v1/accounts/relationships?id[]=${aliceOnB}`)).body[0]?.following === false, 20_000, "b.test told that bea's follow was rejected");
  await eventually(async () => !(await api(bob, "b.test", `/api/v1/accounts/${bob.id}/followers`)).body.some((a: { acct: string }) => a.acct === "alice@a.test"), 20_000, "b.test told that alice unfollowed bob");

  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${bobOnA}/follow`, { method: "POST" })).status, 403, "no following into a blocked server");

  // What the block cut is recorded for alice (Mastodon 4.3's severed relationships).
  const severed = (await api(alice, "a.test", "/api/v1/notifications")).body.filter((n: any) => n.type === "severed_relationships");
  assert.equal(severed.length, 1);
  assert.equal(severed[0].event.type, "user_domain_block");
  assert.equal(severed[0].event.target_name, "b.test");
  assert.deepEqual([severed[0].event.followers_count, severed[0].event.following_count], [1, 1]);

  // carol (same server, no block) still sees everything.
  assert.ok(uris((await api(carol, "a.test", "/api/v1/timelines/public")).body).includes(bobPost.uri));
  assert.ok(uris((await api(carol, "a.test", "/api/v1/timelines/home")).body).includes(bobPost.uri));
  const [carolToBob] = (await api(carol, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body;
  assert.equal(carolToBob.domain_blocking, false);
  assert.equal(carolToBob.following, true);

  // Streams: a new public post from b.test reaches carol's public stream, not alice's.
  const aliceStream = await openEventStream("https://a.test/api/v1/streaming/public", alice.token);
  const carolStream = await openEventStream("https://a.test/api/v1/streaming/public", carol.token);
  await Promise.all([aliceStream.opened(), carolStream.opened()]);
  try {
    const fresh = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Fresh from b.test" }) });
    // bob's only follower on a.test is carol now: the post arrives through her.
    await carolStream.next((e) => e.event === "update" && JSON.parse(e.data).uri === fresh.body.uri, 20_000);
    const marker = await api(carol, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "after the fresh post" }) });
    await aliceStream.next((e) => e.event === "update" && JSON.parse(e.data).uri === marker.body.uri, 20_000);
    assert.ok(!aliceStream.events.some((e) => e.event === "update" && JSON.parse(e.data).uri === fresh.body.uri), "b.test's post was not streamed to alice");
  } finally {
    aliceStream.close();
    carolStream.close();
  }

  // A new mention from b.test reaches carol but not alice.
  const mention = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@alice@a.test @carol@a.test still there?" }) });
  await eventually(async () => (await api(carol, "a.test", "/api/v1/notifications?types[]=mention")).body.some((n: any) => n.status?.uri === mention.body.uri), 20_000, "carol's mention");
  assert.ok(!(await api(alice, "a.test", "/api/v1/notifications?types[]=mention")).body.some((n: any) => n.status?.uri === mention.body.uri));
  assert.ok(!(await api(alice, "a.test", "/api/v1/notifications?include_filtered=true")).body.some((n: any) => n.status?.uri === mention.body.uri), "not even filtered");
});

test("the list pages with Link, newest first; unblocking brings the posts back", async () => {
  for (const domain of ["one.example", "two.example", "three.example"]) {
    assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain }) })).status, 200);
  }
  const first = await api(alice, "a.test", "/api/v1/domain_blocks?limit=2");
  assert.deepEqual(first.body, ["three.example", "two.example"]);
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
  assert.ok(next, "a next link");
  const second = await api(alice, "a.test", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(second.body, ["one.example", "b.test"]);

  // masto.js reads and writes the same list.
  assert.deepEqual(await alice.client.v1.domainBlocks.list({ limit: 10 }), ["three.example", "two.example", "one.example", "b.test"]);
  await alice.client.v1.domainBlocks.remove({ domain: "b.test" });
  assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "DELETE", body: JSON.stringify({ domain: "not a domain" }) })).status, 422);
  assert.deepEqual(await alice.client.v1.domainBlocks.list(), ["three.example", "two.example", "one.example"]);

  assert.ok(uris((await api(alice, "a.test", "/api/v1/timelines/public")).body).includes(bobPost.uri), "public again");
  assert.ok(uris((await api(alice, "a.test", "/api/v1/timelines/tag/domainblocktest")).body).includes(bobPost.uri), "hashtag again");
  assert.ok((await api(alice, "a.test", "/api/v1/timelines/home")).body.some((s: any) => s.reblog?.uri === bobPost.uri), "carol's boost again");
  const [toBob] = (await api(alice, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body;
  assert.equal(toBob.domain_blocking, false);
  assert.equal(toBob.following, false, "ended follows stay ended");
});
