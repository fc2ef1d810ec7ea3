// Follows, follow requests, blocks and mutes, and what they do to timelines and notifications.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { anonymous, signUp, type TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

contractCheckedServer(["alice", "bob", "carol"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol } = ready.users);
});

test("following fills the home timeline, counts, and notifies", async () => {
  const before = await alice.client.v1.statuses.create({ status: "posted before bob followed" });
  const rel = await bob.client.v1.accounts.$select(alice.id).follow();
  assert.equal(rel.following, true);
  assert.equal(rel.showingReblogs, true);
  const after = await alice.client.v1.statuses.create({ status: "posted after bob followed" });

  const home = await bob.client.v1.timelines.home.list();
  assert.deepEqual(home.map((s) => s.id).slice(0, 2), [after.id, before.id], "recent posts are backfilled, new ones arrive");

  const aliceAccount = await anonymous(server).v1.accounts.$select(alice.id).fetch();
  assert.equal(aliceAccount.followersCount, 1);
  const followers = await anonymous(server).v1.accounts.$select(alice.id).followers.list();
  assert.deepEqual(followers.map((a) => a.username), ["bob"]);
  const following = await anonymous(server).v1.accounts.$select(bob.id).following.list();
  assert.deepEqual(following.map((a) => a.username), ["alice"]);

  const notifications = await alice.client.v1.notifications.list({ types: ["follow"] });
  assert.equal(notifications[0]?.type, "follow");
  assert.equal(notifications[0]?.account.username, "bob");

  const [relationship] = await alice.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(relationship.followedBy, true);
  assert.equal(relationship.following, false);

  await bob.client.v1.accounts.$select(alice.id).unfollow();
  const homeAfter = await bob.client.v1.timelines.home.list();
  assert.equal(homeAfter.some((s) => s.account.id === alice.id), false, "unfollowing removes their posts from home");
});

test("a locked account approves follow requests", async () => {
  await carol.client.v1.accounts.updateCredentials({ locked: true });
  const rel = await alice.client.v1.accounts.$select(carol.id).follow();
  assert.equal(rel.following, false);
  assert.equal(rel.requested, true);
  const requests = await carol.client.v1.followRequests.list();
  assert.deepEqual(requests.map((a) => a.username), ["alice"]);
  const me = await carol.client.v1.accounts.verifyCredentials();
  assert.equal(me.source.followRequestsCount, 1);
  const [note] = await carol.client.v1.notifications.list({ types: ["follow_request"] });
  assert.equal(note?.account.username, "alice");

  const accepted = await carol.client.v1.followRequests.$select(alice.id).authorize();
  assert.equal(accepted.followedBy, true);
  const [now] = await alice.client.v1.accounts.relationships.fetch({ id: [carol.id] });
  assert.equal(now.following, true);
  assert.equal(now.requested, false);

  await bob.client.v1.accounts.$select(carol.id).follow();
  await carol.client.v1.followRequests.$select(bob.id).reject();
  const [rejected] = await bob.client.v1.accounts.relationships.fetch({ id: [carol.id] });
  assert.equal(rejected.following, false);
  assert.equal(rejected.requested, false);
});

test("blocking ends follows both ways and hides statuses from each other", async () => {
  await bob.client.v1.accounts.$select(alice.id).follow();
  await alice.client.v1.accounts.$select(bob.id).follow();
  const post = await alice.client.v1.statuses.create({ status: "before the block" });

  const rel = await alice.client.v1.accounts.$select(bob.id).block();
  assert.equal(rel.blocking, true);
  assert.equal(rel.following, false);
  assert.equal(rel.followedBy, false);
  const [fromBob] = await bob.client.v1.accounts.relationships.fetch({ id: [alice.id] });
  assert.equal(fromBob.blockedBy, true);

  await assert.rejects(bob.client.v1.statuses.$select(post.id).fetch(), (e: { statusCode?: number }) => e.statusCode === 404);
  await assert.rejects(bob.client.v1.accounts.$select(alice.id).follow(), (e: { statusCode?: number }) => e.statusCode === 403);
  assert.equal((await bob.client.v1.timelines.public.list()).some((s) => s.account.id === alice.id), false);
  assert.deepEqual((await alice.client.v1.blocks.list()).map((a) => a.username), ["bob"]);

  await alice.client.v1.accounts.$select(bob.id).unblock();
  assert.equal((await bob.client.v1.statuses.$select(post.id).fetch()).id, post.id);
});

test("muting hides a person from timelines and their notifications, not their profile", async () => {
  await carol.client.v1.accounts.$select(bob.id).follow(); // carol is locked, bob is not: this follow is direct
  const rel = await carol.client.v1.accounts.$select(bob.id).mute({ notifications: true });
  assert.equal(rel.muting, true);
  assert.equal(rel.mutingNotifications, true);
  const post = await bob.client.v1.statuses.create({ status: "@carol can you hear me" });
  assert.equal((await carol.client.v1.timelines.home.list()).some((s) => s.id === post.id), false);
  assert.equal((await carol.client.v1.timelines.public.list()).some((s) => s.id === post.id), false);
  assert.equal((await carol.client.v1.notifications.list()).some((n) => n.status?.id === post.id), false);
  const profile = await carol.client.v1.accounts.$select(bob.id).statuses.list();
  assert.equal(profile.some((s) => s.id === post.id), true);
  assert.deepEqual((await carol.client.v1.mutes.list()).map((a) => a.username), ["bob"]);
  await carol.client.v1.accounts.$select(bob.id).unmute();
  assert.equal((await carol.client.v1.timelines.home.list()).some((s) => s.id === post.id), true);
});

test("notifications: mentions, favourites and boosts; dismiss and clear", async () => {
  const post = await alice.client.v1.statuses.create({ status: "notify me" });
  await bob.client.v1.statuses.$select(post.id).favourite();
  await bob.client.v1.statuses.$select(post.id).reblog();
  await bob.client.v1.statuses.create({ status: "@alice hello" });
  const all = await alice.client.v1.notifications.list({ limit: 3 });
  assert.deepEqual(all.map((n) => n.type), ["mention", "reblog", "favourite"]);
  assert.equal(all[1].status?.id, post.id);
  const onlyFavs = await alice.client.v1.notifications.list({ types: ["favourite"] });
  assert.equal(onlyFavs.every((n) => n.type === "favourite"), true);
  const excluded = await alice.client.v1.notifications.list({ excludeTypes: ["mention", "follow"] });
  assert.equal(excluded.some((n) => n.type === "mention" || n.type === "follow"), false);

  await alice.client.v1.notifications.$select(all[0].id).dismiss();
  await assert.rejects(alice.client.v1.notifications.$select(all[0].id).fetch(), (e: { statusCode?: number }) => e.statusCode === 404);
  await alice.client.v1.notifications.clear();
  assert.deepEqual(await alice.client.v1.notifications.list(), []);
});

test("pagination follows Mastodon's cursors and Link header", async () => {
  const dave = await signUp(server, "dave");
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await dave.client.v1.statuses.create({ status: `page ${i}` })).id);
  const newestFirst = [...ids].reverse();
  const url = `${server.url}/api/v1/accounts/${dave.id}/statuses?limit=2`;
  const first = await fetch(url);
  const page1 = (await first.json()) as { id: string }[];
  assert.deepEqual(page1.map((s) => s.id), newestFirst.slice(0, 2));
  const link = first.headers.get("link")!;
  const next = /<([^>]+)>; rel="next"/.exec(link)![1];
  assert.match(next, new RegExp(`max_id=${newestFirst[1]}`));
  assert.match(next, /limit=2/);
  const page2 = (await (await fetch(next)).json()) as { id: string }[];
  assert.deepEqual(page2.map((s) => s.id), newestFirst.slice(2, 4));
  const minPage = (await (await fetch(`${url}&min_id=${ids[1]}`)).json()) as { id: string }[];
  assert.deepEqual(minPage.map((s) => s.id), [ids[3], ids[2]], "min_id returns the page just above, newest first");
  const sincePage = (await (await fetch(`${url}&since_id=${ids[1]}`)).json()) as { id: string }[];
  assert.deepEqual(sincePage.map((s) => s.id), [ids[4], ids[3]], "since_id returns the newest");
  const lookup = await anonymous(server).v1.accounts.lookup({ acct: "dave" });
  assert.equal(lookup.id, dave.id);
  // masto.js sends accounts.search as a POST; clients that work use GET, as documented.
  const found = await fetch(`${server.url}/api/v1/accounts/search?q=dav`, { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(((await found.json()) as { username: string }[])[0]?.username, "dave");
});
