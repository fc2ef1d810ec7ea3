// Direct-message conversations and grouped notifications (API v2), with unread counts that follow
// the notifications marker and the notification policy; every response checked against the contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
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

async function eventually<T>(read: () => PromiseLike<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("conversations: one per participant and thread, visible only to participants", async () => {
  const dm = await alice.client.v1.statuses.create({ status: "@bob just between us", visibility: "direct" });
  const [bobs] = await bob.client.v1.conversations.list();
  assert.equal(bobs.unread, true);
  assert.equal(bobs.lastStatus?.id, dm.id);
  assert.deepEqual(bobs.accounts.map((a) => a.username), ["alice"]);
  const [alices] = await alice.client.v1.conversations.list();
  assert.equal(alices.unread, false, "one's own message is read");
  assert.deepEqual(alices.accounts.map((a) => a.username), ["bob"]);

  // Carol is no participant: she sees nothing and cannot touch it.
  assert.deepEqual(await carol.client.v1.conversations.list(), []);
  await assert.rejects(carol.client.v1.conversations.$select(bobs.id).read(), rejectsWith(404));
  await assert.rejects(carol.client.v1.conversations.$select(bobs.id).remove(), rejectsWith(404));
  assert.equal((await api(null, "GET", "/api/v1/conversations")).status, 401);

  // A reply in the same thread, between the same people, continues the conversation.
  const reply = await bob.client.v1.statuses.create({ status: "@alice agreed", visibility: "direct", inReplyToId: dm.id });
  const [bobsNow] = await bob.client.v1.conversations.list();
  assert.equal(bobsNow.id, bobs.id);
  assert.equal(bobsNow.lastStatus?.id, reply.id);
  assert.equal(bobsNow.unread, false, "bob wrote the latest message");
  const [alicesNow] = await alice.client.v1.conversations.list();
  assert.equal(alicesNow.id, alices.id);
  assert.equal(alicesNow.unread, true);
  const read = await alice.client.v1.conversations.$select(alices.id).read();
  assert.equal(read.unread, false);
  assert.equal(read.lastStatus?.id, reply.id);

  // Public posts that mention someone start no conversation; a new set of participants does.
  await alice.client.v1.statuses.create({ status: "@bob in public" });
  const group = await alice.client.v1.statuses.create({ status: "@bob @carol all three of us", visibility: "direct" });
  const alicesList = await alice.client.v1.conversations.list();
  assert.equal(alicesList.length, 2);
  assert.equal(alicesList[0].lastStatus?.id, group.id);
  assert.deepEqual(alicesList[0].accounts.map((a) => a.username).sort(), ["bob", "carol"]);
  const [carols] = await carol.client.v1.conversations.list();
  assert.deepEqual(carols.accounts.map((a) => a.username).sort(), ["alice", "bob"]);

  // Pagination is by the latest status.
  const page = await api(alice, "GET", "/api/v1/conversations?limit=1");
  assert.equal(page.body.length, 1);
  assert.match(page.headers.get("link") ?? "", new RegExp(`max_id=${group.id}`));
  const next = /<([^>]+)>; rel="next"/.exec(page.headers.get("link")!)![1];
  const second = await api(alice, "GET", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(second.body.map((c: { id: string }) => c.id), [alices.id]);

  // Deleting the latest message falls back to the one before; deleting the only one removes it.
  await bob.client.v1.statuses.$select(reply.id).remove();
  await eventually(() => alice.client.v1.conversations.list().then((l) => l), (list) => list.some((c) => c.id === alices.id && c.lastStatus?.id === dm.id), "the conversation shows the earlier message");
  await alice.client.v1.statuses.$select(group.id).remove();
  await eventually(() => carol.client.v1.conversations.list().then((l) => l), (list) => list.length === 0, "carol's conversation is gone");

  // Removing a conversation removes it for oneself only.
  await bob.client.v1.conversations.$select(bobs.id).remove();
  assert.deepEqual(await bob.client.v1.conversations.list(), []);
  assert.equal((await alice.client.v1.conversations.list()).some((c) => c.id === alices.id), true);

  // Someone blocked by the recipient starts no conversation with them.
  await dave.client.v1.accounts.$select(alice.id).block();
  await alice.client.v1.statuses.create({ status: "@dave hello?", visibility: "direct" });
  assert.deepEqual(await dave.client.v1.conversations.list(), []);
  await dave.client.v1.accounts.$select(alice.id).unblock();
});

test("grouped notifications: groups, filters, single groups, accounts, dismiss, pagination", async () => {
  const erin = await signUp(server, "erin");
  const post = await erin.client.v1.statuses.create({ status: "group me" });
  await alice.client.v1.statuses.$select(post.id).favourite();
  await bob.client.v1.statuses.$select(post.id).favourite();
  await carol.client.v1.statuses.$select(post.id).favourite();
  await alice.client.v1.statuses.$select(post.id).reblog();
  await bob.client.v1.statuses.$select(post.id).reblog();
  await alice.client.v1.accounts.$select(erin.id).follow();
  await bob.client.v1.accounts.$select(erin.id).follow();
  const mention = await carol.client.v1.statuses.create({ status: "@erin hi there" });

  const all = await erin.client.v2.notifications.list();
  const groups = all.notificationGroups;
  assert.deepEqual(groups.map((g) => [g.type, g.notificationsCount]), [["mention", 1], ["follow", 2], ["reblog", 2], ["favourite", 3]]);
  const favs = groups[3] as unknown as { groupKey: string; sampleAccountIds: string[]; statusId?: string };
  assert.deepEqual(favs.sampleAccountIds, [carol.id, bob.id, alice.id], "most recent first");
  assert.equal(favs.statusId, post.id);
  assert.equal((groups[0] as unknown as { statusId?: string }).statusId, mention.id);
  assert.deepEqual(all.accounts.map((a) => a.username).sort(), ["alice", "bob", "carol"]);
  assert.deepEqual(all.statuses.map((s) => s.id).sort(), [mention.id, post.id].sort());

  // Raw: the group's page bounds and the newest notification's id as a JSON integer.
  const raw = await api(erin, "GET", "/api/v2/notifications");
  const text = JSON.stringify(raw.body);
  assert.ok(text.includes("most_recent_notification_id"));
  const rawFavs = raw.body.notification_groups[3];
  assert.equal(typeof rawFavs.page_max_id, "string");
  assert.equal(typeof rawFavs.page_min_id, "string");
  assert.ok(BigInt(rawFavs.page_max_id) > BigInt(rawFavs.page_min_id));
  assert.ok(rawFavs.latest_page_notification_at);

  // grouped_types narrows what is grouped; types and exclude_types filter.
  const onlyReblogsGrouped = await erin.client.v2.notifications.list({ groupedTypes: ["reblog"] });
  assert.equal(onlyReblogsGrouped.notificationGroups.filter((g) => g.type === "favourite").length, 3);
  assert.equal(onlyReblogsGrouped.notificationGroups.filter((g) => g.type === "follow").length, 2);
  assert.ok(onlyReblogsGrouped.notificationGroups.every((g) => g.type !== "favourite" || g.groupKey.startsWith("ungrouped-")));
  const favsOnly = await erin.client.v2.notifications.list({ types: ["favourite"] });
  assert.deepEqual(favsOnly.notificationGroups.map((g) => g.type), ["favourite"]);
  const noFavs = await erin.client.v2.notifications.list({ excludeTypes: ["favourite", "mention"] });
  assert.deepEqual(noFavs.notificationGroups.map((g) => g.type), ["follow", "reblog"]);
  const fromBob = await api(erin, "GET", `/api/v2/notifications?account_id=${bob.id}`);
  assert.deepEqual(fromBob.body.notification_groups.map((g: { notifications_count: number }) => g.notifications_count), [1, 1, 1]);

  // Partial avatars: only each group's latest sender in full.
  const partial = await api(erin, "GET", "/api/v2/notifications?expand_accounts=partial_avatars&types[]=favourite");
  assert.deepEqual(partial.body.accounts.map((a: { id: string }) => a.id), [carol.id]);
  assert.deepEqual(partial.body.partial_accounts.map((a: { id: string }) => a.id).sort(), [alice.id, bob.id].sort());

  // One group alone, its accounts, then dismissed.
  const single = await erin.client.v2.notifications.$select(favs.groupKey).fetch();
  assert.equal(single.notificationGroups.length, 1);
  assert.equal(single.notificationGroups[0].notificationsCount, 3);
  assert.deepEqual((await erin.client.v2.notifications.$select(favs.groupKey).accounts.fetch()).map((a) => a.username), ["carol", "bob", "alice"]);
  const mentionKey = groups[0].groupKey;
  assert.equal((await erin.client.v2.notifications.$select(mentionKey).fetch()).notificationGroups[0].type, "mention");
  // Nobody else can see or dismiss erin's groups.
  await assert.rejects(bob.client.v2.notifications.$select(favs.groupKey).fetch(), rejectsWith(404));
  await assert.rejects(bob.client.v2.notifications.$select(favs.groupKey).accounts.fetch(), rejectsWith(404));
  await bob.client.v2.notifications.$select(favs.groupKey).dismiss();
  assert.equal((await erin.client.v2.notifications.$select(favs.groupKey).fetch()).notificationGroups[0].notificationsCount, 3);
  assert.equal((await bob.client.v2.notifications.list()).notificationGroups.some((g) => g.groupKey === favs.groupKey), false);
  await assert.rejects(erin.client.v2.notifications.$select("ungrouped-12345").fetch(), rejectsWith(404));

  // Pagination, one group per page: every notification is counted exactly once.
  const seen = new Map<string, number>();
  let url: string | null = "/api/v2/notifications?limit=1";
  let pages = 0;
  while (url && pages < 20) {
    const res = await api(erin, "GET", url);
    pages++;
    if (res.body.notification_groups.length === 0) break;
    for (const g of res.body.notification_groups) seen.set(`${g.type}`, (seen.get(g.type) ?? 0) + g.notifications_count);
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "");
    url = next ? new URL(next[1]).pathname + new URL(next[1]).search : null;
  }
  assert.deepEqual(Object.fromEntries(seen), { mention: 1, follow: 2, reblog: 2, favourite: 3 });
  // min_id walks forward: the page just above the oldest notification.
  const oldest = (await api(erin, "GET", "/api/v1/notifications?limit=80")).body.at(-1);
  const above = await api(erin, "GET", `/api/v2/notifications?min_id=${oldest.id}&limit=1`);
  assert.equal(above.body.notification_groups.length, 1);
  assert.equal(above.body.notification_groups[0].type, "favourite");

  await erin.client.v2.notifications.$select(favs.groupKey).dismiss();
  await assert.rejects(erin.client.v2.notifications.$select(favs.groupKey).fetch(), rejectsWith(404));
  assert.equal((await erin.client.v2.notifications.list()).notificationGroups.some((g) => g.type === "favourite"), false);
});

test("unread counts follow the notifications marker", async () => {
  const frank = await signUp(server, "frank");
  const post = await frank.client.v1.statuses.create({ status: "count me" });
  await alice.client.v1.statuses.$select(post.id).favourite();
  await bob.client.v1.statuses.$select(post.id).favourite();
  await carol.client.v1.statuses.create({ status: "@frank one" });
  await dave.client.v1.statuses.create({ status: "@frank two" });
  assert.equal((await frank.client.v1.notifications.unreadCount.fetch()).count, 4);
  assert.equal((await frank.client.v2.notifications.unreadCount.fetch()).count, 3, "the two favourites are one group");
  assert.equal((await frank.client.v1.notifications.unreadCount.fetch({ types: ["mention"] })).count, 2);
  assert.equal((await frank.client.v1.notifications.unreadCount.fetch({ limit: 1 })).count, 1, "the count is capped");

  const list = await frank.client.v1.notifications.list();
  await frank.client.v1.markers.create({ notifications: { lastReadId: list[1].id } });
  assert.equal((await frank.client.v1.notifications.unreadCount.fetch()).count, 1);
  assert.equal((await frank.client.v2.notifications.unreadCount.fetch()).count, 1);
  await frank.client.v1.markers.create({ notifications: { lastReadId: list[0].id } });
  assert.equal((await frank.client.v1.notifications.unreadCount.fetch()).count, 0);
});

test("the notification policy is stored, and `drop` drops", async () => {
  const gina = await signUp(server, "gina");
  const policy = await gina.client.v2.notifications.policy.fetch();
  assert.equal(policy.forNotFollowing, "accept");
  assert.equal(policy.forPrivateMentions, "filter");
  assert.equal(policy.summary.pendingRequestsCount, 0);

  const updated = await gina.client.v2.notifications.policy.update({ forNotFollowing: "drop" });
  assert.equal(updated.forNotFollowing, "drop");
  assert.equal(updated.forNewAccounts, "accept");
  const form = await api(gina, "PATCH", "/api/v2/notifications/policy", new URLSearchParams({ for_new_accounts: "filter" }));
  assert.equal(form.body.for_new_accounts, "filter");
  assert.equal(form.body.for_not_following, "drop");
  assert.equal((await api(gina, "PATCH", "/api/v2/notifications/policy", { for_not_followers: "sometimes" })).status, 422);

  await gina.client.v1.accounts.$select(alice.id).follow();
  await alice.client.v1.statuses.create({ status: "@gina from someone you follow" });
  await bob.client.v1.statuses.create({ status: "@gina from a stranger" });
  const groups = (await gina.client.v2.notifications.list()).notificationGroups;
  assert.deepEqual(groups.map((g) => g.type), ["mention"]);
  assert.deepEqual(groups[0].sampleAccountIds, [alice.id]);

  // (for_new_accounts: filter would hold bob's mention as a request: his account is days old.)
  await gina.client.v2.notifications.policy.update({ forNotFollowing: "accept", forNewAccounts: "accept" });
  await bob.client.v1.statuses.create({ status: "@gina now you hear me" });
  assert.equal((await gina.client.v2.notifications.list()).notificationGroups.length, 2);
  // Policies are per user.
  assert.equal((await alice.client.v2.notifications.policy.fetch()).forNewAccounts, "accept");
});
