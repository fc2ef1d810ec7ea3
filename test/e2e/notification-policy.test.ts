// The notification policy field by field, as Mastodon 4.3 applies it: a matching `filter` holds the
// notification as a request (GET /api/v1/notifications/requests) instead of showing it, `drop`
// makes none; the exceptions that keep conversations working (a private mention answering the
// recipient, a mention from staff, senders one follows or accepted) are shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";

let server: TestServer;
let users: Record<"alice" | "bob" | "carol" | "dave" | "erin" | "frank" | "gina" | "hank", TestUser>;
let root: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank"], async (ready) => {
  server = ready.server;
  users = ready.users;
  root = await signUp(server, "root", { admin: true });
});

const ACCEPT_ALL = { for_not_following: "accept", for_not_followers: "accept", for_new_accounts: "accept", for_private_mentions: "accept", for_limited_accounts: "filter" };

async function policy(changes: Record<string, string>): Promise<void> {
  const res = await api(users.alice, "PATCH", "/api/v2/notifications/policy", { ...ACCEPT_ALL, ...changes });
  assert.equal(res.status, 200);
}

/** Alice's notifications from `from` (shown), and the request held for `from` (if any). */
async function seen(from: TestUser): Promise<{ shown: string[]; held: number }> {
  const shown = (await api(users.alice, "GET", "/api/v1/notifications?limit=80")).body.filter((n: { account: { id: string } }) => n.account.id === from.id).map((n: { type: string }) => n.type);
  const requests = (await api(users.alice, "GET", "/api/v1/notifications/requests")).body;
  const request = requests.find((r: { account: { id: string } }) => r.account.id === from.id);
  return { shown, held: request ? Number(request.notifications_count) : 0 };
}

async function mention(from: TestUser, text = "hello", extra: Record<string, unknown> = {}) {
  return from.client.v1.statuses.create({ status: `@alice ${text}`, visibility: "public", ...extra });
}

test("for_not_following: filter holds what strangers do, shows what followed accounts do; drop makes nothing", async () => {
  await policy({ for_not_following: "filter" });
  const post = await users.alice.client.v1.statuses.create({ status: "like me" });
  await users.bob.client.v1.statuses.$select(post.id).favourite();
  assert.deepEqual(await seen(users.bob), { shown: [], held: 1 });
  await users.alice.client.v1.accounts.$select(users.carol.id).follow();
  await users.carol.client.v1.statuses.$select(post.id).favourite();
  assert.deepEqual(await seen(users.carol), { shown: ["favourite"], held: 0 });

  // Accepting the request shows its notifications, and the sender is not filtered again.
  await api(users.alice, "POST", `/api/v1/notifications/requests/${users.bob.id}/accept`);
  await mention(users.bob);
  assert.deepEqual(await seen(users.bob), { shown: ["mention", "favourite"], held: 0 });

  await policy({ for_not_following: "drop" });
  await mention(users.dave);
  assert.deepEqual(await seen(users.dave), { shown: [], held: 0 }, "dropped: not even a request");
});

test("for_not_followers: a sender that does not follow, or only since less than three days, is held", async () => {
  await policy({ for_not_followers: "filter" });
  await users.erin.client.v1.accounts.$select(users.alice.id).follow();
  await mention(users.erin, "I just followed you");
  assert.deepEqual((await seen(users.erin)).shown, [], "a follower of a few minutes is held (the follow too)");
  assert.equal((await seen(users.erin)).held, 2);
  await queryRows(server, "update follows set created_at = ? where account_id = ? and target_account_id = ?", [new Date(Date.now() - 4 * 86_400_000).toISOString(), users.erin.id, users.alice.id]);
  await mention(users.erin, "an old follower now");
  assert.deepEqual((await seen(users.erin)).shown, ["mention"]);
});

test("for_new_accounts: accounts younger than 30 days are held unless followed", async () => {
  await policy({ for_new_accounts: "filter" });
  await mention(users.frank);
  assert.deepEqual(await seen(users.frank), { shown: [], held: 1 });
  await mention(users.carol, "followed, though new");
  assert.deepEqual((await seen(users.carol)).shown.slice(0, 1), ["mention"]);
  await queryRows(server, "update accounts set created_at = ? where id = ?", [new Date(Date.now() - 40 * 86_400_000).toISOString(), users.frank.id]);
  await mention(users.frank, "older now");
  assert.deepEqual((await seen(users.frank)).shown, ["mention"]);
});

test("for_private_mentions (filter by default): an unsolicited direct mention is held, an answer to the recipient is shown", async () => {
  const defaults = (await api(users.gina, "GET", "/api/v2/notifications/policy")).body;
  assert.equal(defaults.for_private_mentions, "filter", "Mastodon's default");
  await policy({ for_private_mentions: "filter" });

  await mention(users.gina, "psst", { visibility: "direct" });
  assert.deepEqual(await seen(users.gina), { shown: [], held: 1 }, "a stranger's direct message waits as a request");
  await mention(users.gina, "in public");
  assert.deepEqual((await seen(users.gina)).shown, ["mention"], "public mentions are not private mentions");

  // Alice wrote to hank first: his direct answer in that thread is shown.
  const asked = await users.alice.client.v1.statuses.create({ status: "@hank a question", visibility: "direct" });
  const answer = await mention(users.hank, "an answer", { visibility: "direct", inReplyToId: asked.id });
  // …and so is his follow-up to his own answer: the thread began with alice mentioning him.
  await mention(users.hank, "and another thing", { visibility: "direct", inReplyToId: answer.id });
  // A direct reply to one of alice's own posts answers her too.
  const own = await users.alice.client.v1.statuses.create({ status: "thoughts?" });
  await mention(users.dave, "privately: yes", { visibility: "direct", inReplyToId: own.id });
  assert.deepEqual(await seen(users.hank), { shown: ["mention", "mention"], held: 0 });
  assert.deepEqual((await seen(users.dave)).shown, ["mention"]);

  // From someone alice follows, and from the server's staff, direct messages arrive.
  await mention(users.carol, "between us", { visibility: "direct" });
  assert.equal((await seen(users.carol)).held, 0);
  await mention(root, "a message from the moderators", { visibility: "direct" });
  assert.deepEqual(await seen(root), { shown: ["mention"], held: 0 });
});
