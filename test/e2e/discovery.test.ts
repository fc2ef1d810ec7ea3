// Discovery through masto.js: trending hashtags, statuses and links, the profile directory,
// follow suggestions, and announcements. Only public statuses and accounts that opted in to
// discovery may appear, and a reader's blocks and mutes are respected.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { anonymous, type TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let erin: TestUser;
let frank: TestUser;

contractCheckedServer(["alice", "bob", "carol", "dave", "erin", "frank"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol, dave, erin, frank } = ready.users);
  // alice, bob, erin and frank opt in to discovery; carol and dave do not.
  for (const user of [alice, bob, erin, frank]) await user.client.v1.accounts.updateCredentials({ discoverable: true });
  // dave blocks erin and mutes frank; alice follows bob (bob becomes the most followed).
  await dave.client.v1.accounts.$select(erin.id).block();
  await dave.client.v1.accounts.$select(frank.id).mute();
  await alice.client.v1.accounts.$select(bob.id).follow();
});

const names = (accounts: { username: string }[]) => accounts.map((a) => a.username);

test("trending hashtags count public statuses by distinct accounts, with a week of history", async () => {
  await alice.client.v1.statuses.create({ status: "Seedlings are up #Gardening" });
  await bob.client.v1.statuses.create({ status: "Compost day #gardening" });
  await carol.client.v1.statuses.create({ status: "Tomatoes! #gardening" });
  await alice.client.v1.statuses.create({ status: "Soup #cooking" });
  await alice.client.v1.statuses.create({ status: "More soup #cooking" });
  // Never trending: not public.
  await alice.client.v1.statuses.create({ status: "Between us #secretplans", visibility: "private" });
  await bob.client.v1.statuses.create({ status: "@alice shh #secretplans", visibility: "direct" });
  await bob.client.v1.statuses.create({ status: "Quietly #unlistedtopic", visibility: "unlisted" });

  const tags = await anonymous(server).v1.trends.tags.list();
  assert.deepEqual(tags.map((t) => t.name), ["gardening", "cooking"]);
  const [gardening, cooking] = tags;
  assert.equal(gardening.history!.length, 7);
  const total = (t: typeof gardening, key: "uses" | "accounts") => t.history!.reduce((n, h) => n + Number(h[key]), 0);
  assert.equal(total(gardening, "uses"), 3);
  assert.equal(total(gardening, "accounts"), 3);
  assert.equal(total(cooking, "uses"), 2);
  assert.equal(total(cooking, "accounts"), 1);
  const today = Math.floor(Date.now() / 86_400_000) * 86_400;
  assert.ok([String(today), String(today - 86_400)].includes(gardening.history![0].day), "newest day first, at midnight UTC");
  assert.match(gardening.url, /\/tags\/gardening$/);

  assert.deepEqual((await anonymous(server).v1.trends.tags.list({ limit: 1 })).map((t) => t.name), ["gardening"]);
  // The older entry point answers the same.
  const legacy = await fetch(`${server.url}/api/v1/trends`).then((r) => r.json());
  assert.deepEqual(legacy.map((t: { name: string }) => t.name), ["gardening", "cooking"]);
});

test("trending statuses: public posts by discoverable accounts, ranked by favourites and boosts", async () => {
  const top = await alice.client.v1.statuses.create({ status: "Look at this sunset" });
  const second = await bob.client.v1.statuses.create({ status: "Bread came out well" });
  const byUndiscoverable = await carol.client.v1.statuses.create({ status: "I'd rather not be featured" });
  const followersOnly = await bob.client.v1.statuses.create({ status: "For followers", visibility: "private" });
  const withWarning = await alice.client.v1.statuses.create({ status: "Spoiler inside", spoilerText: "cw" });
  const muted = await frank.client.v1.statuses.create({ status: "Frank's popular post" });
  const quiet = await erin.client.v1.statuses.create({ status: "Nobody liked this one" });

  await bob.client.v1.statuses.$select(top.id).favourite();
  await carol.client.v1.statuses.$select(top.id).favourite();
  await dave.client.v1.statuses.$select(top.id).reblog();
  await alice.client.v1.statuses.$select(second.id).favourite();
  await alice.client.v1.statuses.$select(byUndiscoverable.id).favourite();
  await alice.client.v1.statuses.$select(followersOnly.id).favourite();
  await bob.client.v1.statuses.$select(withWarning.id).favourite();
  await alice.client.v1.statuses.$select(muted.id).favourite();
  await bob.client.v1.statuses.$select(muted.id).favourite();

  const ids = (list: { id: string }[]) => list.map((s) => s.id);
  assert.deepEqual(ids(await anonymous(server).v1.trends.statuses.list()), [top.id, muted.id, second.id]);
  assert.deepEqual(ids(await dave.client.v1.trends.statuses.list()), [top.id, second.id], "dave muted frank");
  assert.deepEqual(ids(await anonymous(server).v1.trends.statuses.list({ limit: 1, offset: 1 } as never)), [muted.id]);
  assert.ok(!ids(await carol.client.v1.trends.statuses.list()).includes(quiet.id));
  // Nothing private ever trends, even for a reader who may see it.
  assert.ok(!ids(await alice.client.v1.trends.statuses.list()).includes(followersOnly.id));
});

test("trending links are an empty list without preview cards", async () => {
  assert.deepEqual(await anonymous(server).v1.trends.links.list(), []);
});

test("the directory lists discoverable accounts, active or new first, without those the reader blocks", async () => {
  const all = await anonymous(server).v1.directory.list({ order: "new" });
  assert.deepEqual(names(all), ["frank", "erin", "bob", "alice"]);
  const active = names(await anonymous(server).v1.directory.list({ order: "active", local: true }));
  // Most recent status first (frank and erin posted last in the previous test).
  assert.deepEqual(active.slice(0, 2).sort(), ["erin", "frank"]);
  assert.deepEqual(active.sort(), ["alice", "bob", "erin", "frank"]);
  assert.deepEqual(names(await anonymous(server).v1.directory.list({ order: "new", limit: 1, offset: 1 })), ["erin"]);

  const forDave = names(await dave.client.v1.directory.list({ order: "new" }));
  assert.deepEqual(forDave, ["bob", "alice"], "dave blocks erin and mutes frank");
  const forErin = names(await erin.client.v1.directory.list({ order: "new" }));
  assert.ok(!forErin.includes("dave") && forErin.includes("erin"));
});

test("suggestions: popular local discoverable accounts not yet followed, until dismissed", async () => {
  const forDave = await dave.client.v2.suggestions.list();
  assert.deepEqual(names(forDave.map((s) => s.account)), ["bob", "alice"], "most followed first; no blocked, muted or undiscoverable accounts");
  assert.deepEqual(forDave[0].sources, ["most_followed"]);

  await dave.client.v1.accounts.$select(alice.id).follow();
  assert.deepEqual(names((await dave.client.v2.suggestions.list()).map((s) => s.account)), ["bob"]);
  const dismissed = await fetch(`${server.url}/api/v1/suggestions/${bob.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${dave.token}` } });
  assert.equal(dismissed.status, 200);
  assert.deepEqual(await dave.client.v2.suggestions.list(), []);
  assert.deepEqual(await dave.client.v1.suggestions.list(), []);

  // carol sees the discoverable ones, never dave (not discoverable) nor herself.
  assert.deepEqual(names((await carol.client.v2.suggestions.list()).map((s) => s.account)).sort(), ["alice", "bob", "erin", "frank"]);
  assert.equal((await fetch(`${server.url}/api/v2/suggestions`)).status, 401);
  assert.equal((await fetch(`${server.url}/api/v1/suggestions/123`, { method: "DELETE", headers: { Authorization: `Bearer ${dave.token}` } })).status, 404);
});

test("announcements: an empty list, and dismissing an unknown one is a clean 404", async () => {
  assert.deepEqual(await dave.client.v1.announcements.list(), []);
  await assert.rejects(dave.client.v1.announcements.$select("1").dismiss(), (e: { statusCode?: number }) => e.statusCode === 404);
  const response = await fetch(`${server.url}/api/v1/announcements/1/dismiss`, { method: "POST", headers: { Authorization: `Bearer ${dave.token}` } });
  assert.equal(response.status, 404);
  assert.equal(typeof (await response.json()).error, "string");
  assert.equal((await fetch(`${server.url}/api/v1/announcements`)).status, 401);
});
