// Lists (members, timelines, replies policies, exclusive lists), timeline markers and followed
// hashtags, through masto.js and raw requests, every response checked against the contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { anonymous, signUp, type TestUser } from "../support/clients.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;

contractCheckedServer(["alice", "bob", "carol", "dave"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol, dave } = ready.users);
});

const api = apiCaller(() => server.url);

const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);
test("lists: create, read, update, delete — and to anyone but the owner they do not exist", async () => {
  const created = await alice.client.v1.lists.create({ title: "Friends" });
  assert.equal(created.title, "Friends");
  assert.equal(created.repliesPolicy, "list");
  assert.equal(created.exclusive, false);

  const withPolicy = await api(alice, "POST", "/api/v1/lists", new URLSearchParams({ title: "Work", replies_policy: "followed", exclusive: "true" }));
  assert.equal(withPolicy.status, 200);
  assert.deepEqual({ ...withPolicy.body, id: undefined }, { id: undefined, title: "Work", replies_policy: "followed", exclusive: true });

  const mine = await alice.client.v1.lists.list();
  assert.deepEqual(mine.map((l) => l.title), ["Friends", "Work"]);
  assert.equal((await alice.client.v1.lists.$select(created.id).fetch()).title, "Friends");

  const renamed = await api(alice, "PUT", `/api/v1/lists/${created.id}`, { title: "Close friends", replies_policy: "none" });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.title, "Close friends");
  assert.equal(renamed.body.replies_policy, "none");
  assert.equal(renamed.body.exclusive, false);

  assert.equal((await api(alice, "POST", "/api/v1/lists", { title: "  " })).status, 422);
  assert.equal((await api(alice, "POST", "/api/v1/lists", { title: "x", replies_policy: "everyone" })).status, 422);
  assert.equal((await api(alice, "PUT", `/api/v1/lists/${created.id}`, { replies_policy: "bogus" })).status, 422);

  // Bob sees none of it.
  assert.deepEqual(await bob.client.v1.lists.list(), []);
  for (const [method, path] of [
    ["GET", `/api/v1/lists/${created.id}`],
    ["PUT", `/api/v1/lists/${created.id}`],
    ["DELETE", `/api/v1/lists/${created.id}`],
    ["GET", `/api/v1/lists/${created.id}/accounts`],
    ["POST", `/api/v1/lists/${created.id}/accounts`],
    ["DELETE", `/api/v1/lists/${created.id}/accounts`],
    ["GET", `/api/v1/timelines/list/${created.id}`],
  ]) {
    const res = await api(bob, method, path, method === "GET" ? undefined : { title: "mine now", account_ids: [bob.id] });
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.equal((await api(null, "GET", "/api/v1/lists")).status, 401);
  assert.equal((await api(alice, "GET", "/api/v1/lists/not-an-id")).status, 404);

  await alice.client.v1.lists.$select(withPolicy.body.id).remove();
  await assert.rejects(alice.client.v1.lists.$select(withPolicy.body.id).fetch(), rejectsWith(404));
  await alice.client.v1.lists.$select(created.id).remove();
  assert.deepEqual(await alice.client.v1.lists.list(), []);
});

test("list members: only followed accounts, backfilled, listed, and removed on unfollow", async () => {
  const list = await alice.client.v1.lists.create({ title: "Members" });
  const earlier = await bob.client.v1.statuses.create({ status: "bob before the list" });
  await alice.client.v1.accounts.$select(bob.id).follow();
  await alice.client.v1.accounts.$select(carol.id).follow();

  await assert.rejects(alice.client.v1.lists.$select(list.id).accounts.create({ accountIds: [dave.id] }), rejectsWith(422), "dave is not followed");
  assert.equal((await api(alice, "POST", `/api/v1/lists/${list.id}/accounts`, { account_ids: ["999999999999"] })).status, 404);
  await alice.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.id] });
  await alice.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.id] }); // twice is harmless
  // Forms work too.
  const form = new URLSearchParams();
  form.append("account_ids[]", carol.id);
  assert.equal((await api(alice, "POST", `/api/v1/lists/${list.id}/accounts`, form)).status, 200);

  const members = await alice.client.v1.lists.$select(list.id).accounts.list();
  assert.deepEqual(members.map((a) => a.username).sort(), ["bob", "carol"]);
  const all = await api(alice, "GET", `/api/v1/lists/${list.id}/accounts?limit=0`);
  assert.equal(all.body.length, 2);
  assert.equal(all.headers.get("link"), null, "limit=0 is not paginated");
  const page = await api(alice, "GET", `/api/v1/lists/${list.id}/accounts?limit=1`);
  assert.equal(page.body.length, 1);
  assert.match(page.headers.get("link") ?? "", /rel="next"/);

  assert.deepEqual((await alice.client.v1.accounts.$select(bob.id).lists.list()).map((l) => l.id), [list.id]);
  assert.deepEqual(await alice.client.v1.accounts.$select(dave.id).lists.list(), []);
  assert.deepEqual(await bob.client.v1.accounts.$select(bob.id).lists.list(), [], "bob sees none of alice's lists");

  const fresh = await bob.client.v1.statuses.create({ status: "bob in the list" });
  const priv = await bob.client.v1.statuses.create({ status: "bob for followers", visibility: "private" });
  const carols = await carol.client.v1.statuses.create({ status: "carol in the list" });
  const daves = await dave.client.v1.statuses.create({ status: "dave for his followers", visibility: "private" });
  const daveDm = await dave.client.v1.statuses.create({ status: "@bob a secret", visibility: "direct" });
  const timeline = await alice.client.v1.timelines.list.$select(list.id).list();
  assert.deepEqual(ids(timeline).slice(0, 4), [carols.id, priv.id, fresh.id, earlier.id], "new posts arrive and earlier ones are backfilled");
  assert.equal(ids(timeline).includes(daves.id), false);
  assert.equal(ids(timeline).includes(daveDm.id), false);

  // Pagination over the list's feed.
  const first = await api(alice, "GET", `/api/v1/timelines/list/${list.id}?limit=2`);
  assert.deepEqual(ids(first.body), [carols.id, priv.id]);
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link")!)![1];
  const second = await api(alice, "GET", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(ids(second.body).slice(0, 2), [fresh.id, earlier.id]);

  // A boost by a member shows, unless the owner turned off the member's boosts.
  const boost = await bob.client.v1.statuses.$select(carols.id).reblog();
  assert.equal(ids(await alice.client.v1.timelines.list.$select(list.id).list()).includes(boost.id), true);
  await alice.client.v1.accounts.$select(bob.id).follow({ reblogs: false });
  const boost2 = await bob.client.v1.statuses.$select(earlier.id).reblog();
  assert.equal(ids(await alice.client.v1.timelines.list.$select(list.id).list()).includes(boost2.id), false);

  // Removing a member takes their posts out of the list.
  await alice.client.v1.lists.$select(list.id).accounts.remove({ accountIds: [carol.id] });
  assert.equal(ids(await alice.client.v1.timelines.list.$select(list.id).list()).includes(carols.id), false);

  // Unfollowing takes bob out of every list, and his followers-only post is no longer readable.
  await alice.client.v1.accounts.$select(bob.id).unfollow();
  assert.deepEqual(await alice.client.v1.lists.$select(list.id).accounts.list(), []);
  const after = await alice.client.v1.timelines.list.$select(list.id).list();
  assert.equal(ids(after).includes(priv.id), false, "a private post of someone not followed never shows in a list");
  const laterPrivate = await bob.client.v1.statuses.create({ status: "bob for followers, later", visibility: "private" });
  assert.equal(ids(await alice.client.v1.timelines.list.$select(list.id).list()).includes(laterPrivate.id), false);
  await alice.client.v1.lists.$select(list.id).remove();
});

test("replies policies decide which replies a list shows", async () => {
  await alice.client.v1.accounts.$select(bob.id).follow();
  await alice.client.v1.accounts.$select(carol.id).follow();
  const policies = ["followed", "list", "none"] as const;
  const lists = new Map<string, string>();
  for (const policy of policies) {
    const res = await api(alice, "POST", "/api/v1/lists", { title: `replies ${policy}`, replies_policy: policy });
    lists.set(policy, res.body.id);
    await alice.client.v1.lists.$select(res.body.id).accounts.create({ accountIds: [bob.id] });
  }
  const toCarol = await carol.client.v1.statuses.create({ status: "carol asks" });
  const toDave = await dave.client.v1.statuses.create({ status: "dave asks" });
  const toAlice = await alice.client.v1.statuses.create({ status: "alice asks" });
  const toBob = await bob.client.v1.statuses.create({ status: "bob starts a thread" });
  const replyCarol = await bob.client.v1.statuses.create({ status: "@carol answer", inReplyToId: toCarol.id });
  const replyDave = await bob.client.v1.statuses.create({ status: "@dave answer", inReplyToId: toDave.id });
  const replyAlice = await bob.client.v1.statuses.create({ status: "@alice answer", inReplyToId: toAlice.id });
  const replySelf = await bob.client.v1.statuses.create({ status: "and more", inReplyToId: toBob.id });

  const shown = async (policy: string) => new Set(ids(await alice.client.v1.timelines.list.$select(lists.get(policy)!).list({ limit: 40 })));
  const followed = await shown("followed");
  assert.deepEqual([replyCarol, replyDave, replyAlice, replySelf].map((s) => followed.has(s.id)), [true, false, true, true], "followed: replies to accounts alice follows");
  const list = await shown("list");
  assert.deepEqual([replyCarol, replyDave, replyAlice, replySelf].map((s) => list.has(s.id)), [false, false, true, true], "list: replies to members (and to alice)");
  await alice.client.v1.lists.$select(lists.get("list")!).accounts.create({ accountIds: [carol.id] });
  const replyCarol2 = await bob.client.v1.statuses.create({ status: "@carol now you are in", inReplyToId: toCarol.id });
  assert.equal((await shown("list")).has(replyCarol2.id), true);
  const none = await shown("none");
  assert.deepEqual([replyCarol, replyDave, replyAlice, replySelf].map((s) => none.has(s.id)), [false, false, true, true], "none: no replies to others");
  for (const id of lists.values()) await alice.client.v1.lists.$select(id).remove();
});

test("an exclusive list keeps its members out of the home timeline", async () => {
  await alice.client.v1.accounts.$select(carol.id).follow();
  const res = await api(alice, "POST", "/api/v1/lists", { title: "Exclusive", exclusive: true });
  assert.equal(res.body.exclusive, true);
  await alice.client.v1.lists.$select(res.body.id).accounts.create({ accountIds: [carol.id] });
  const post = await carol.client.v1.statuses.create({ status: "only in the exclusive list" });
  assert.equal(ids(await alice.client.v1.timelines.list.$select(res.body.id).list()).includes(post.id), true);
  assert.equal(ids(await alice.client.v1.timelines.home.list()).includes(post.id), false);
  await api(alice, "PUT", `/api/v1/lists/${res.body.id}`, { exclusive: false });
  assert.equal(ids(await alice.client.v1.timelines.home.list()).includes(post.id), true);
  await alice.client.v1.lists.$select(res.body.id).remove();
});

test("markers: saved per timeline, versioned, form or JSON", async () => {
  assert.deepEqual(await api(bob, "GET", "/api/v1/markers?timeline[]=home&timeline[]=notifications").then((r) => r.body), {});
  const first = await bob.client.v1.markers.create({ home: { lastReadId: "111111111111111111" } });
  assert.equal(first.home?.lastReadId, "111111111111111111");
  assert.equal(first.home?.version, 0);
  const second = await bob.client.v1.markers.create({ home: { lastReadId: "111111111111111222" } });
  assert.equal(second.home?.version, 1);
  assert.ok(Date.parse(second.home!.updatedAt) >= Date.parse(first.home!.updatedAt));

  const form = await api(bob, "POST", "/api/v1/markers", new URLSearchParams({ "notifications[last_read_id]": "5" }));
  assert.equal(form.status, 200);
  assert.deepEqual(Object.keys(form.body), ["notifications"]);
  assert.equal(form.body.notifications.last_read_id, "5");

  const both = await bob.client.v1.markers.fetch({ timeline: ["home", "notifications"] });
  assert.equal(both.home?.lastReadId, "111111111111111222");
  assert.equal(both.notifications?.lastReadId, "5");
  const onlyHome = await api(bob, "GET", "/api/v1/markers?timeline[]=home");
  assert.deepEqual(Object.keys(onlyHome.body), ["home"]);
  assert.deepEqual((await api(bob, "GET", "/api/v1/markers")).body, {});
  assert.equal((await api(bob, "POST", "/api/v1/markers", { home: { last_read_id: "not a number" } })).status, 422);
  assert.deepEqual((await api(carol, "GET", "/api/v1/markers?timeline[]=home")).body, {}, "markers are per user");
});

test("followed hashtags: the Tag entity, following, and posts entering home", async () => {
  const unknown = await anonymous(server).v1.tags.$select("neverusedyet").fetch();
  assert.equal(unknown.name, "neverusedyet");
  assert.equal(unknown.history?.length, 7);
  assert.equal(unknown.following, undefined, "anonymous readers get no following flag");
  await assert.rejects(anonymous(server).v1.tags.$select("not-a-tag").fetch(), rejectsWith(404));

  const erin = await signUp(server, "erin");
  const frank = await signUp(server, "frank");
  const followed = await carol.client.v1.tags.$select("SkeinFollow").follow();
  assert.equal(followed.following, true);
  assert.equal(followed.name, "SkeinFollow");
  assert.match(followed.url, /\/tags\/skeinfollow$/);
  assert.deepEqual((await carol.client.v1.followedTags.list()).map((t) => t.name), ["SkeinFollow"]);
  assert.equal((await alice.client.v1.tags.$select("skeinfollow").fetch()).following, false);

  await carol.client.v1.accounts.$select(erin.id).block();
  await carol.client.v1.accounts.$select(frank.id).mute();
  const pub = await dave.client.v1.statuses.create({ status: "hello #skeinfollow" });
  const unlisted = await dave.client.v1.statuses.create({ status: "quiet #skeinfollow", visibility: "unlisted" });
  const priv = await dave.client.v1.statuses.create({ status: "followers #skeinfollow", visibility: "private" });
  const blocked = await erin.client.v1.statuses.create({ status: "blocked #skeinfollow" });
  const muted = await frank.client.v1.statuses.create({ status: "muted #skeinfollow" });
  const home = ids(await carol.client.v1.timelines.home.list({ limit: 40 }));
  assert.equal(home.includes(pub.id), true, "a public post with a followed tag enters home");
  for (const s of [unlisted, priv, blocked, muted]) assert.equal(home.includes(s.id), false, s.content);

  const tag = await carol.client.v1.tags.$select("skeinfollow").fetch();
  const today = tag.history![0];
  assert.equal(today.day, String(Math.floor(Date.now() / 86_400_000) * 86_400));
  assert.equal(today.uses, "4", "public and unlisted posts are counted");
  assert.equal(today.accounts, "3");
  assert.notEqual(tag.id, "");

  const unfollowed = await carol.client.v1.tags.$select("skeinfollow").unfollow();
  assert.equal(unfollowed.following, false);
  assert.deepEqual(await carol.client.v1.followedTags.list(), []);
  const later = await dave.client.v1.statuses.create({ status: "again #skeinfollow" });
  assert.equal(ids(await carol.client.v1.timelines.home.list()).includes(later.id), false);

  // Pagination of followed tags.
  for (const name of ["tagone", "tagtwo", "tagthree"]) await carol.client.v1.tags.$select(name).follow();
  const page = await api(carol, "GET", "/api/v1/followed_tags?limit=2");
  assert.deepEqual(page.body.map((t: { name: string }) => t.name), ["tagthree", "tagtwo"]);
  const next = /<([^>]+)>; rel="next"/.exec(page.headers.get("link")!)![1];
  const rest = await api(carol, "GET", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(rest.body.map((t: { name: string }) => t.name), ["tagone"]);
  assert.equal((await api(null, "POST", "/api/v1/tags/tagone/follow")).status, 401);
});
