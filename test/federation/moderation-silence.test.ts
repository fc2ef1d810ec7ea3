// Limits ("silence") over HTTPS between two Skein servers: a.test silences b.test through the
// admin API, and a moderator limits one local account. A limited author's public posts stay out
// of the public and hashtag timelines (and their streams) of everyone who does not follow them,
// while their followers still see them in home and public; their notifications to non-followers
// are filtered into notification requests (for_limited_accounts, Mastodon 4.3's default
// "filter"); their follows of unlocked accounts need approval.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { openEventStream } from "../support/streaming.ts";

const FIRST_ADDRESS = 180;

let fleet: Fleet;
let admin: AdminUser; // a.test, admin
let fan: TestUser; // a.test, follows bob
let stranger: TestUser; // a.test, follows nobody
let loud: TestUser; // a.test, limited by a moderator in the second test
let loudFan: TestUser; // a.test, follows loud
let bob: TestUser; // b.test
const contracts: ContractLog[] = [];
let bobOnA: string;

type Caller = { token: string } | null;

async function api(user: Caller, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { ...(user ? { Authorization: `Bearer ${user.token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

const has = (statuses: { uri: string }[], uri: string) => statuses.some((s) => s.uri === uri);

async function remoteId(user: TestUser, server: string, handle: string): Promise<string> {
  const found = await api(user, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
  assert.equal(found.status, 200, `lookup of ${handle} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.id;
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test"], { firstAddress: FIRST_ADDRESS });
  for (const name of ["a.test", "b.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  const a = fleet.servers["a.test"];
  admin = await adminUser(a, "admin", "admin");
  fan = await signUp(a, "fan");
  stranger = await signUp(a, "stranger");
  loud = await signUp(a, "loud");
  loudFan = await signUp(a, "loudfan");
  bob = await signUp(fleet.servers["b.test"], "bob");

  bobOnA = await remoteId(fan, "a.test", "bob@b.test");
  await api(fan, "a.test", `/api/v1/accounts/${bobOnA}/follow`, { method: "POST" });
  await eventually(async () => (await api(fan, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body[0]?.following, 20_000, "the Accept from b.test");
  await api(loudFan, "a.test", `/api/v1/accounts/${loud.id}/follow`, { method: "POST" });
  // b.test resolves mentions of accounts it knows: let it know the stranger.
  await remoteId(bob, "b.test", "stranger@a.test");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a silenced server's public post: hidden from non-followers' public and hashtag timelines, shown to its follower", async () => {
  const block = await api(admin, "a.test", "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "b.test", severity: "silence" }) });
  assert.equal(block.status, 200, JSON.stringify(block.body));
  assert.equal(block.body.severity, "silence");

  const post = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Limited news #silencetest @stranger@a.test @fan@a.test" }) });
  assert.equal(post.status, 200);
  const uri = post.body.uri;
  await eventually(async () => has((await api(fan, "a.test", "/api/v1/timelines/home")).body, uri), 20_000, "bob's post in fan's home");

  // The follower: home, public (all, remote) and the hashtag.
  for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?remote=true", "/api/v1/timelines/tag/silencetest"]) {
    assert.ok(has((await api(fan, "a.test", path)).body, uri), `fan sees it in ${path}`);
  }
  // Everyone else, anonymous visitors included: not in public or hashtag timelines.
  for (const viewer of [stranger, null]) {
    for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?remote=true", "/api/v1/timelines/tag/silencetest"]) {
      const answer = await api(viewer, "a.test", path);
      assert.equal(answer.status, 200);
      assert.ok(!has(answer.body, uri), `${viewer ? "stranger" : "anonymous"} does not see it in ${path}`);
    }
  }
  // The post itself is still reachable (a limit is not a suspension).
  const onA = (await api(fan, "a.test", "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === uri);
  assert.equal((await api(stranger, "a.test", `/api/v1/statuses/${onA.id}`)).status, 200);
});

test("a silenced server's mention of a non-follower is filtered into a notification request", async () => {
  const request = await eventually(async () => (await api(stranger, "a.test", "/api/v1/notifications/requests")).body.find((r: any) => r.account.id === bobOnA), 20_000, "the notification request");
  assert.equal(request.notifications_count, "1");
  assert.match(request.last_status?.content ?? "", /Limited news/);
  assert.ok(!(await api(stranger, "a.test", "/api/v1/notifications")).body.some((n: any) => n.account.id === bobOnA), "not in the main list");
  assert.ok(!(await api(stranger, "a.test", "/api/v2/notifications")).body.notification_groups.some((g: any) => g.sample_account_ids.includes(bobOnA)));
  assert.ok((await api(stranger, "a.test", "/api/v2/notifications?include_filtered=true")).body.notification_groups.some((g: any) => g.sample_account_ids.includes(bobOnA)), "asked for, filtered ones are listed");
  const policy = (await api(stranger, "a.test", "/api/v2/notifications/policy")).body;
  assert.equal(policy.for_limited_accounts, "filter");
  assert.deepEqual(policy.summary, { pending_requests_count: 1, pending_notifications_count: 1 });
  const ofBob = (await api(stranger, "a.test", `/api/v1/notifications?account_id=${bobOnA}`)).body;
  assert.equal(ofBob.length, 1, "the request's notifications, listed by sender");
  // The follower gets the same mention in the main list.
  await eventually(async () => (await api(fan, "a.test", "/api/v1/notifications?types[]=mention")).body.some((n: any) => n.account.id === bobOnA), 20_000, "fan's mention");

  // Accepting moves it to the main list; later mentions are not filtered again.
  assert.equal((await api(stranger, "a.test", `/api/v1/notifications/requests/${request.id}/accept`, { method: "POST" })).status, 200);
  assert.ok((await api(stranger, "a.test", "/api/v1/notifications")).body.some((n: any) => n.account.id === bobOnA));
  assert.deepEqual((await api(stranger, "a.test", "/api/v2/notifications/policy")).body.summary, { pending_requests_count: 0, pending_notifications_count: 0 });
  assert.equal((await api(stranger, "a.test", `/api/v1/notifications/requests/${request.id}`)).status, 404);
  const again = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@stranger@a.test once more" }) });
  await eventually(async () => (await api(stranger, "a.test", "/api/v1/notifications")).body.some((n: any) => n.status?.uri === again.body.uri), 20_000, "the accepted sender's next mention in the main list");
});

test("a silenced server's follow of an unlocked local account waits for approval", async () => {
  const strangerOnB = await remoteId(bob, "b.test", "stranger@a.test");
  await api(bob, "b.test", `/api/v1/accounts/${strangerOnB}/follow`, { method: "POST" });
  await eventually(async () => (await api(stranger, "a.test", "/api/v1/follow_requests")).body.some((a: { id: string }) => a.id === bobOnA), 20_000, "bob's follow request on a.test");
  const [relationship] = (await api(stranger, "a.test", `/api/v1/accounts/relationships?id[]=${bobOnA}`)).body;
  assert.equal(relationship.followed_by, false);
  assert.equal(relationship.requested_by, true);
  assert.equal((await api(bob, "b.test", `/api/v1/accounts/relationships?id[]=${strangerOnB}`)).body[0].following, false);
});

test("a moderator's limit on a local account: out of non-followers' public timelines and streams, notifications filtered, follows need approval", async () => {
  const action = await api(admin, "a.test", `/api/v1/admin/accounts/${loud.id}/action`, { method: "POST", body: JSON.stringify({ type: "silence" }) });
  assert.equal(action.status, 200, JSON.stringify(action.body));

  const strangerStream = await openEventStream("https://a.test/api/v1/streaming/public/local", stranger.token);
  const fanStream = await openEventStream("https://a.test/api/v1/streaming/public/local", loudFan.token);
  await Promise.all([strangerStream.opened(), fanStream.opened()]);
  try {
    const post = await api(loud, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Loud words #silencetest" }) });
    const uri = post.body.uri;
    for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?local=true", "/api/v1/timelines/tag/silencetest"]) {
      assert.ok(!has((await api(stranger, "a.test", path)).body, uri), `stranger does not see it in ${path}`);
      assert.ok(!has((await api(null, "a.test", path)).body, uri), `anonymous does not see it in ${path}`);
      assert.ok(has((await api(loudFan, "a.test", path)).body, uri), `loud's follower sees it in ${path}`);
      assert.ok(has((await api(loud, "a.test", path)).body, uri), `loud sees their own post in ${path}`);
    }
    assert.ok(has((await api(loudFan, "a.test", "/api/v1/timelines/home")).body, uri));

    // Streams: the follower hears it; the stranger hears the next public post but not this one.
    await fanStream.next((e) => e.event === "update" && JSON.parse(e.data).uri === uri, 20_000);
    const plain = await api(fan, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "An ordinary post" }) });
    await strangerStream.next((e) => e.event === "update" && JSON.parse(e.data).uri === plain.body.uri, 20_000);
    assert.ok(!strangerStream.events.some((e) => e.event === "update" && JSON.parse(e.data).uri === uri), "the limited post was not streamed to the stranger");
  } finally {
    strangerStream.close();
    fanStream.close();
  }

  // A mention of a non-follower is filtered; of the follower, shown.
  const mention = await api(loud, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "@stranger @loudfan hear me" }) });
  assert.ok(!(await api(stranger, "a.test", "/api/v1/notifications")).body.some((n: any) => n.status?.uri === mention.body.uri));
  const request = (await api(stranger, "a.test", "/api/v1/notifications/requests")).body.find((r: any) => r.account.id === loud.id);
  assert.equal(request?.notifications_count, "1");
  assert.ok((await api(loudFan, "a.test", "/api/v1/notifications")).body.some((n: any) => n.status?.uri === mention.body.uri));
  // Dismissing deletes the filtered notifications.
  assert.equal((await api(stranger, "a.test", "/api/v1/notifications/requests/dismiss", { method: "POST", body: JSON.stringify({ id: [request.id] }) })).status, 200);
  assert.ok(!(await api(stranger, "a.test", "/api/v1/notifications/requests")).body.some((r: any) => r.account.id === loud.id));
  assert.equal((await api(stranger, "a.test", `/api/v1/notifications?account_id=${loud.id}`)).body.length, 0);

  // A follow of an unlocked account becomes a request — unless that account follows loud already.
  const follow = await api(loud, "a.test", `/api/v1/accounts/${stranger.id}/follow`, { method: "POST" });
  assert.equal(follow.body.following, false);
  assert.equal(follow.body.requested, true);
  const back = await api(loud, "a.test", `/api/v1/accounts/${loudFan.id}/follow`, { method: "POST" });
  assert.equal(back.body.following, true, "loudfan follows loud, so no approval is needed");

  // Lifting the limit puts the posts back for everyone.
  assert.equal((await api(admin, "a.test", `/api/v1/admin/accounts/${loud.id}/unsilence`, { method: "POST" })).status, 200);
  assert.ok((await api(stranger, "a.test", "/api/v1/timelines/tag/silencetest")).body.some((s: any) => s.account.id === loud.id));
});

test("lifting the domain silence brings b.test's posts back for everyone", async () => {
  const blocks = (await api(admin, "a.test", "/api/v1/admin/domain_blocks")).body;
  const block = blocks.find((b: { domain: string }) => b.domain === "b.test");
  assert.equal((await api(admin, "a.test", `/api/v1/admin/domain_blocks/${block.id}`, { method: "DELETE" })).status, 200);
  await eventually(async () => (await api(stranger, "a.test", "/api/v1/timelines/tag/silencetest")).body.some((s: any) => s.account.id === bobOnA), 10_000, "bob's post in the stranger's hashtag timeline");
  assert.ok((await api(null, "a.test", "/api/v1/timelines/public")).body.some((s: any) => s.account.id === bobOnA));
});
