// Filters (v2 API, and the v1 view) applied where statuses are shown, and polls: posting,
// voting, privacy, edits, and the notice voters and authors get when a poll ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { validateResponse } from "../support/openapi.ts";
import { anonymous, type TestUser } from "../support/clients.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime } from "../../src/server/context.ts";

// Polls may be as short as 1 s here, and ended polls are looked for every 0.2 s.
const POLL_ENV = { POLL_MIN_EXPIRATION: "1", POLL_SWEEP_INTERVAL: "0.2" };

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
/** The fetch the contract check does not wrap (see the v1 filters test). */
const rawFetch = globalThis.fetch;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

contractCheckedServer(["alice", "bob", "carol", "dave"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol, dave } = ready.users);
  // bob reads alice and carol at home; dave follows nobody.
  await bob.client.v1.accounts.$select(alice.id).follow();
  await bob.client.v1.accounts.$select(carol.id).follow();
}, { env: POLL_ENV });

async function api(user: TestUser | null, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(user ? { Authorization: `Bearer ${user.token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

// --- filters ---------------------------------------------------------------------------------

test("filters: create, read, update keywords (add, change, _destroy), delete", async () => {
  const created = await bob.client.v2.filters.create({
    title: "Sports",
    context: ["home", "public"],
    filterAction: "warn",
    keywordsAttributes: [{ keyword: "football", wholeWord: true }, { keyword: "tennis", wholeWord: false }],
  });
  assert.equal(created.title, "Sports");
  assert.deepEqual(created.context, ["home", "public"]);
  assert.equal(created.filterAction, "warn");
  assert.equal(created.expiresAt, null);
  assert.deepEqual(created.keywords?.map((k) => [k.keyword, k.wholeWord]), [["football", true], ["tennis", false]]);

  const listed = await bob.client.v2.filters.list();
  assert.deepEqual(listed.map((f) => f.id), [created.id]);
  assert.equal((await bob.client.v2.filters.$select(created.id).fetch()).title, "Sports");
  await assert.rejects(alice.client.v2.filters.$select(created.id).fetch(), rejectsWith(404), "another user's filter is not found");

  const football = created.keywords!.find((k) => k.keyword === "football")!;
  const tennis = created.keywords!.find((k) => k.keyword === "tennis")!;
  // JSON with `_destroy`, as the Mastodon web app sends it.
  const updated = await api(bob, "PUT", `/api/v2/filters/${created.id}`, {
    title: "Ball games",
    context: ["home", "thread"],
    filter_action: "blur",
    keywords_attributes: [{ id: tennis.id, _destroy: true }, { id: football.id, keyword: "soccer" }, { keyword: "rugby", whole_word: false }],
  });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.title, "Ball games");
  assert.equal(updated.body.filter_action, "blur");
  assert.deepEqual(updated.body.context, ["home", "thread"]);
  assert.deepEqual(updated.body.keywords.map((k: { keyword: string; whole_word: boolean }) => [k.keyword, k.whole_word]), [["soccer", true], ["rugby", false]]);

  // The keywords resource.
  const keywords = bob.client.v2.filters.$select(created.id).keywords;
  const added = await keywords.create({ keyword: "cricket", wholeWord: true });
  assert.equal(added.keyword, "cricket");
  assert.deepEqual((await keywords.list()).map((k) => k.keyword), ["soccer", "rugby", "cricket"]);
  assert.equal((await bob.client.v2.filters.keywords.$select(added.id).fetch()).keyword, "cricket");
  const changed = await bob.client.v2.filters.keywords.$select(added.id).update({ keyword: "croquet", wholeWord: false });
  assert.deepEqual([changed.keyword, changed.wholeWord], ["croquet", false]);
  await bob.client.v2.filters.keywords.$select(added.id).remove();
  await assert.rejects(bob.client.v2.filters.keywords.$select(added.id).fetch(), rejectsWith(404));
  await assert.rejects(alice.client.v2.filters.keywords.$select(football.id).fetch(), rejectsWith(404));

  await bob.client.v2.filters.$select(created.id).remove();
  await assert.rejects(bob.client.v2.filters.$select(created.id).fetch(), rejectsWith(404));
  assert.deepEqual(await bob.client.v2.filters.list(), []);
});

test("filters: bad input is refused with 422, and filters need a user token", async () => {
  for (const body of [
    { title: "", context: ["home"] },
    { title: "x", context: [] },
    { title: "x", context: ["everywhere"] },
    { title: "x", context: ["home"], filter_action: "explode" },
    { title: "x", context: ["home"], keywords_attributes: [{ keyword: "  " }] },
    { title: "x", context: ["home"], expires_in: "soon" },
  ]) {
    const response = await api(dave, "POST", "/api/v2/filters", body);
    assert.equal(response.status, 422, JSON.stringify(body));
    assert.equal(typeof response.body.error, "string");
  }
  assert.equal((await api(null, "GET", "/api/v2/filters")).status, 401);
  assert.deepEqual(await dave.client.v2.filters.list(), []);
});

test("a warn filter marks matching statuses in its contexts: home and public, not the profile", async () => {
  const filter = await bob.client.v2.filters.create({ title: "Spoilers", context: ["home", "public"], filterAction: "warn", keywordsAttributes: [{ keyword: "spoilers", wholeWord: true }] });
  const post = await alice.client.v1.statuses.create({ status: "Big SPOILERS ahead for the finale" });
  const plain = await alice.client.v1.statuses.create({ status: "nothing to see here" });

  const home = await bob.client.v1.timelines.home.list({ limit: 10 });
  const marked = home.find((s) => s.id === post.id)!;
  assert.ok(marked, "the status stays in the home timeline");
  assert.equal(marked.filtered?.length, 1);
  assert.equal(marked.filtered![0].filter.id, filter.id);
  assert.equal(marked.filtered![0].filter.title, "Spoilers");
  assert.deepEqual(marked.filtered![0].keywordMatches, ["SPOILERS"]);
  assert.deepEqual(home.find((s) => s.id === plain.id)!.filtered, []);

  const pub = await bob.client.v1.timelines.public.list({ limit: 10 });
  assert.equal(pub.find((s) => s.id === post.id)!.filtered?.[0]?.filter.id, filter.id);

  // Not a filter for profiles; and nobody else is affected.
  const profile = await bob.client.v1.accounts.$select(alice.id).statuses.list({ limit: 10 });
  assert.deepEqual(profile.find((s) => s.id === post.id)!.filtered, []);
  const anon = await anonymous(server).v1.timelines.public.list({ limit: 10 });
  assert.deepEqual(anon.find((s) => s.id === post.id)!.filtered ?? [], []);
  assert.deepEqual((await dave.client.v1.timelines.public.list({ limit: 10 })).find((s) => s.id === post.id)!.filtered, []);
  // One's own statuses are never filtered.
  const own = await alice.client.v2.filters.create({ title: "me", context: ["home"], keywordsAttributes: [{ keyword: "spoilers" }] });
  assert.deepEqual((await alice.client.v1.timelines.home.list({ limit: 10 })).find((s) => s.id === post.id)!.filtered, []);
  await alice.client.v2.filters.$select(own.id).remove();

  // A status fetched on its own carries every match; the client applies the contexts.
  const single = await bob.client.v1.statuses.$select(post.id).fetch();
  assert.equal(single.filtered?.[0]?.filter.id, filter.id);

  // A boost carries the matches of the boosted status, on both.
  await carol.client.v1.statuses.$select(post.id).reblog();
  const boost = (await bob.client.v1.timelines.home.list({ limit: 10 })).find((s) => s.reblog?.id === post.id)!;
  assert.equal(boost.filtered?.[0]?.filter.id, filter.id);
  assert.equal(boost.reblog!.filtered?.[0]?.filter.id, filter.id);
  await carol.client.v1.statuses.$select(post.id).unreblog();
  await bob.client.v2.filters.$select(filter.id).remove();
});

test("a hide filter removes matching statuses from timelines, threads, profiles and notifications", async () => {
  const filter = await bob.client.v2.filters.create({
    title: "No secrets",
    context: ["home", "public", "thread", "account", "notifications"],
    filterAction: "hide",
    keywordsAttributes: [{ keyword: "xyzzy", wholeWord: true }],
  });
  const root = await alice.client.v1.statuses.create({ status: "a thread about magic words #magic" });
  const hidden = await alice.client.v1.statuses.create({ status: "@bob the word is Xyzzy #magic", inReplyToId: root.id });
  const visible = await alice.client.v1.statuses.create({ status: "@bob the word is plugh #magic", inReplyToId: root.id });
  // A content warning is matched as well.
  const warned = await alice.client.v1.statuses.create({ status: "harmless body", spoilerText: "xyzzy inside" });

  const ids = (list: { id: string }[]) => list.map((s) => s.id);
  const home = ids(await bob.client.v1.timelines.home.list({ limit: 20 }));
  assert.ok(home.includes(visible.id) && home.includes(root.id));
  assert.ok(!home.includes(hidden.id) && !home.includes(warned.id), "hidden at home");
  const pub = ids(await bob.client.v1.timelines.public.list({ limit: 20 }));
  assert.ok(pub.includes(visible.id) && !pub.includes(hidden.id) && !pub.includes(warned.id), "hidden in public");
  const tag = ids(await bob.client.v1.timelines.tag.$select("magic").list({ limit: 20 }));
  assert.ok(tag.includes(visible.id) && !tag.includes(hidden.id), "hidden in hashtag timelines");
  const profile = ids(await bob.client.v1.accounts.$select(alice.id).statuses.list({ limit: 20 }));
  assert.ok(profile.includes(visible.id) && !profile.includes(hidden.id), "hidden on profiles");
  const thread = await bob.client.v1.statuses.$select(root.id).context.fetch();
  assert.deepEqual(ids(thread.descendants), [visible.id], "hidden in threads");
  const mentions = await bob.client.v1.notifications.list({ types: ["mention"], limit: 40 });
  assert.ok(mentions.some((n) => n.status?.id === visible.id));
  assert.ok(!mentions.some((n) => n.status?.id === hidden.id), "its mention notification is hidden");

  // Others still see it, and bob can still open it directly (with the match reported).
  assert.ok(ids(await dave.client.v1.timelines.public.list({ limit: 20 })).includes(hidden.id));
  const direct = await bob.client.v1.statuses.$select(hidden.id).fetch();
  assert.equal(direct.filtered?.[0]?.filter.filterAction, "hide");

  await bob.client.v2.filters.$select(filter.id).remove();
  assert.ok(ids(await bob.client.v1.timelines.home.list({ limit: 20 })).includes(hidden.id), "back once the filter is gone");
});

test("whole_word keywords match whole words only; others match inside words", async () => {
  const whole = await bob.client.v2.filters.create({ title: "cats", context: ["public"], keywordsAttributes: [{ keyword: "cat", wholeWord: true }] });
  const partial = await bob.client.v2.filters.create({ title: "cons", context: ["public"], keywordsAttributes: [{ keyword: "con", wholeWord: false }] });
  const a = await alice.client.v1.statuses.create({ status: "I like cats" });
  const b = await alice.client.v1.statuses.create({ status: "My cat, Tom." });
  const c = await alice.client.v1.statuses.create({ status: "concatenate" });
  const pub = await bob.client.v1.timelines.public.list({ limit: 10 });
  const titles = (id: string) => pub.find((s) => s.id === id)!.filtered!.map((r) => r.filter.title).sort();
  assert.deepEqual(titles(a.id), []);
  assert.deepEqual(titles(b.id), ["cats"]);
  assert.deepEqual(titles(c.id), ["cons"], "“cat” inside “concatenate” is not a whole word");
  await bob.client.v2.filters.$select(whole.id).remove();
  await bob.client.v2.filters.$select(partial.id).remove();
});

test("filters expire: expires_in sets expires_at, and an expired filter no longer applies", async () => {
  const filter = await bob.client.v2.filters.create({ title: "brief", context: ["public"], filterAction: "warn", expiresIn: 1, keywordsAttributes: [{ keyword: "ephemeral" }] });
  assert.ok(filter.expiresAt && Date.parse(filter.expiresAt) > Date.now() - 1000 && Date.parse(filter.expiresAt) <= Date.now() + 2000);
  const post = await alice.client.v1.statuses.create({ status: "an ephemeral thought" });
  assert.equal((await bob.client.v1.timelines.public.list({ limit: 5 })).find((s) => s.id === post.id)!.filtered?.length, 1);
  await sleep(1300);
  assert.deepEqual((await bob.client.v1.timelines.public.list({ limit: 5 })).find((s) => s.id === post.id)!.filtered, []);
  // Still listed, with its expiry; clearing the expiry brings it back.
  assert.ok((await bob.client.v2.filters.list()).some((f) => f.id === filter.id));
  const renewed = await api(bob, "PUT", `/api/v2/filters/${filter.id}`, { expires_in: "" });
  assert.equal(renewed.body.expires_at, null);
  assert.equal((await bob.client.v1.timelines.public.list({ limit: 5 })).find((s) => s.id === post.id)!.filtered?.length, 1);
  await bob.client.v2.filters.$select(filter.id).remove();
});

test("status filters: a filtered status is marked, by id, through /filters/:id/statuses", async () => {
  const filter = await bob.client.v2.filters.create({ title: "this one", context: ["home"], filterAction: "warn" });
  const post = await alice.client.v1.statuses.create({ status: "an ordinary post" });
  const entry = await bob.client.v2.filters.$select(filter.id).statuses.create({ statusId: post.id });
  assert.equal(entry.statusId, post.id);
  assert.deepEqual((await bob.client.v2.filters.$select(filter.id).statuses.list()).map((s) => s.id), [entry.id]);
  assert.equal((await bob.client.v2.filters.statuses.$select(entry.id).fetch()).statusId, post.id);
  const home = await bob.client.v1.timelines.home.list({ limit: 5 });
  const marked = home.find((s) => s.id === post.id)!;
  assert.deepEqual(marked.filtered?.[0]?.statusMatches, [post.id]);
  assert.equal(marked.filtered?.[0]?.keywordMatches ?? null, null);

  // A status the user cannot read cannot be filtered; nor twice.
  const secret = await carol.client.v1.statuses.create({ status: "followers only", visibility: "private" });
  const refused = await api(dave, "POST", `/api/v2/filters/${(await dave.client.v2.filters.create({ title: "d", context: ["home"] })).id}/statuses`, { status_id: secret.id });
  assert.equal(refused.status, 422);
  assert.equal((await api(bob, "POST", `/api/v2/filters/${filter.id}/statuses`, { status_id: post.id })).status, 422);

  const removed = await bob.client.v2.filters.statuses.$select(entry.id).remove();
  assert.equal(removed.statusId, post.id);
  assert.deepEqual((await bob.client.v1.timelines.home.list({ limit: 5 })).find((s) => s.id === post.id)!.filtered, []);
  await bob.client.v2.filters.$select(filter.id).remove();
});

test("the v1 filters API shows one filter per keyword", async () => {
  const filter = await bob.client.v2.filters.create({ title: "Two words", context: ["home", "notifications"], filterAction: "hide", keywordsAttributes: [{ keyword: "alpha" }, { keyword: "beta", wholeWord: false }] });
  // The contract describes this list as a single V1Filter; Mastodon returns an array of them,
  // so each element is checked against the V1Filter schema (that of GET /api/v1/filters/{id}).
  const response = await rawFetch(`${server.url}/api/v1/filters`, { headers: { Authorization: `Bearer ${bob.token}` } });
  const list = (await response.json()) as { id: string; phrase: string; whole_word: boolean; irreversible: boolean; context: string[] }[];
  assert.ok(Array.isArray(list));
  for (const item of list) assert.deepEqual(validateResponse("GET", `/api/v1/filters/${item.id}`, 200, item).problems, []);
  assert.deepEqual(list.map((f) => [f.phrase, f.whole_word, f.irreversible]), [["alpha", true, true], ["beta", false, true]]);
  assert.deepEqual(list[0].context, ["home", "notifications"]);
  const one = await api(bob, "GET", `/api/v1/filters/${list[1].id}`);
  assert.equal(one.body.phrase, "beta");

  // v1 writes map onto v2 filters.
  const created = await api(bob, "POST", "/api/v1/filters", { phrase: "gamma", context: ["public"], irreversible: false, whole_word: true });
  assert.equal(created.status, 200);
  assert.equal(created.body.phrase, "gamma");
  const asV2 = (await bob.client.v2.filters.list()).find((f) => f.title === "gamma")!;
  assert.equal(asV2.filterAction, "warn");
  const edited = await api(bob, "PUT", `/api/v1/filters/${created.body.id}`, { phrase: "delta", context: ["public", "thread"], irreversible: true });
  assert.deepEqual([edited.body.phrase, edited.body.irreversible, edited.body.context], ["delta", true, ["public", "thread"]]);
  // Settings shared by several keywords cannot be changed through one of them.
  assert.equal((await api(bob, "PUT", `/api/v1/filters/${list[0].id}`, { context: ["public"] })).status, 422);
  assert.equal((await api(bob, "DELETE", `/api/v1/filters/${created.body.id}`)).status, 200);
  assert.ok(!(await bob.client.v2.filters.list()).some((f) => f.id === asV2.id), "the v2 filter left empty is gone");
  await bob.client.v2.filters.$select(filter.id).remove();
});

// --- polls -----------------------------------------------------------------------------------

test("polls: post, read, vote once; counts, voted and own_votes", async () => {
  const status = await alice.client.v1.statuses.create({ status: "Tea or coffee?", poll: { options: ["Tea", "Coffee"], expiresIn: 3600 } });
  const poll = status.poll!;
  assert.ok(poll);
  assert.deepEqual(poll.options.map((o) => [o.title, o.votesCount]), [["Tea", 0], ["Coffee", 0]]);
  assert.equal(poll.multiple, false);
  assert.equal(poll.expired, false);
  assert.equal(poll.votesCount, 0);
  assert.equal(poll.voted, true, "the author counts as having voted");
  assert.deepEqual(poll.ownVotes, []);
  assert.ok(Math.abs(Date.parse(poll.expiresAt!) - Date.now() - 3600_000) < 60_000);

  const before = await bob.client.v1.polls.$select(poll.id).fetch();
  assert.equal(before.voted, false);
  const voted = await bob.client.v1.polls.$select(poll.id).votes.create({ choices: [1] });
  assert.equal(voted.voted, true);
  assert.deepEqual(voted.ownVotes, [1]);
  assert.equal(voted.votesCount, 1);
  assert.deepEqual(voted.options.map((o) => o.votesCount), [0, 1]);

  await assert.rejects(bob.client.v1.polls.$select(poll.id).votes.create({ choices: [0] }), status422("already voted"));
  await assert.rejects(alice.client.v1.polls.$select(poll.id).votes.create({ choices: [0] }), status422("own poll"));
  await assert.rejects(carol.client.v1.polls.$select(poll.id).votes.create({ choices: [2] }), status422("no such option"));
  await assert.rejects(carol.client.v1.polls.$select(poll.id).votes.create({ choices: [0, 1] }), status422("single choice"));
  assert.equal((await api(carol, "POST", `/api/v1/polls/${poll.id}/votes`, { choices: [] })).status, 400);

  // Anonymous readers see the poll without the personal fields; the status shows the same.
  const anon = await anonymous(server).v1.polls.$select(poll.id).fetch();
  assert.equal(anon.votesCount, 1);
  assert.equal(anon.voted ?? null, null);
  const seen = await bob.client.v1.statuses.$select(status.id).fetch();
  assert.deepEqual(seen.poll?.ownVotes, [1]);
  assert.equal((await api(null, "POST", `/api/v1/polls/${poll.id}/votes`, { choices: [0] })).status, 401);
  assert.equal((await api(null, "GET", "/api/v1/polls/123456")).status, 404);
});

function status422(what: string) {
  return (e: { statusCode?: number; message?: string }) => {
    assert.equal(e.statusCode, 422, what);
    return true;
  };
}

test("polls: multiple choice with hidden totals; form-encoded posting", async () => {
  // Form encoding, as Phanpy and Tusky post.
  const form = new URLSearchParams();
  form.set("status", "Which fruits?");
  for (const o of ["Apple", "Banana", "Cherry"]) form.append("poll[options][]", o);
  form.set("poll[expires_in]", "3600");
  form.set("poll[multiple]", "true");
  form.set("poll[hide_totals]", "true");
  const response = await fetch(`${server.url}/api/v1/statuses`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/x-www-form-urlencoded" }, body: form });
  assert.equal(response.status, 200);
  const status = await response.json();
  assert.equal(status.poll.multiple, true);
  assert.deepEqual(status.poll.options.map((o: { votes_count: number | null }) => o.votes_count), [null, null, null], "totals hidden until the end");

  const voted = await bob.client.v1.polls.$select(status.poll.id).votes.create({ choices: [0, 2] });
  assert.deepEqual(voted.ownVotes, [0, 2]);
  assert.equal(voted.votesCount, 2);
  assert.equal(voted.votersCount, 1);
  // More options later, but never the same one twice.
  const more = await bob.client.v1.polls.$select(status.poll.id).votes.create({ choices: [1] });
  assert.deepEqual(more.ownVotes, [0, 1, 2]);
  assert.equal(more.votersCount, 1);
  await assert.rejects(bob.client.v1.polls.$select(status.poll.id).votes.create({ choices: [1] }), status422("same option twice"));
  const carolVote = await carol.client.v1.polls.$select(status.poll.id).votes.create({ choices: [1] });
  assert.equal(carolVote.votesCount, 4);
  assert.equal(carolVote.votersCount, 2);
});

test("polls: the limits are enforced", async () => {
  const tooLong = "x".repeat(51);
  for (const poll of [
    { options: ["only one"], expires_in: 3600 },
    { options: ["a", "b", "c", "d", "e"], expires_in: 3600 },
    { options: ["a", tooLong], expires_in: 3600 },
    { options: ["same", "same"], expires_in: 3600 },
    { options: ["a", "b"], expires_in: 0 },
    { options: ["a", "b"], expires_in: 2_629_747 },
    { options: ["a", "b"] },
    { options: "a,b", expires_in: 3600 },
  ]) {
    const response = await api(alice, "POST", "/api/v1/statuses", { status: "poll?", poll });
    assert.equal(response.status, 422, JSON.stringify(poll));
    assert.equal(typeof response.body.error, "string");
  }
});

test("a poll on a private post is visible only to those who may read the post", async () => {
  const status = await alice.client.v1.statuses.create({ status: "Followers: pizza tonight?", visibility: "private", poll: { options: ["Yes", "No"], expiresIn: 3600 } });
  const pollId = status.poll!.id;
  assert.equal((await bob.client.v1.polls.$select(pollId).fetch()).id, pollId, "a follower sees it");
  await assert.rejects(dave.client.v1.polls.$select(pollId).fetch(), rejectsWith(404));
  await assert.rejects(dave.client.v1.polls.$select(pollId).votes.create({ choices: [0] }), rejectsWith(404));
  await assert.rejects(anonymous(server).v1.polls.$select(pollId).fetch(), rejectsWith(404));
  assert.equal((await bob.client.v1.polls.$select(pollId).votes.create({ choices: [0] })).votesCount, 1);
});

test("editing a poll: same options keep votes, new options reset them, no poll removes it", async () => {
  const status = await alice.client.v1.statuses.create({ status: "Best season?", poll: { options: ["Spring", "Autumn"], expiresIn: 3600 } });
  await bob.client.v1.polls.$select(status.poll!.id).votes.create({ choices: [1] });

  const kept = await alice.client.v1.statuses.$select(status.id).update({ status: "Best season? (edited)", poll: { options: ["Spring", "Autumn"], expiresIn: 7200 } });
  assert.equal(kept.poll!.votesCount, 1);
  assert.ok(Date.parse(kept.poll!.expiresAt!) > Date.now() + 3600_000, "a new duration");

  const reset = await alice.client.v1.statuses.$select(status.id).update({ status: "Best season?", poll: { options: ["Summer", "Winter", "Autumn"], expiresIn: 3600 } });
  assert.deepEqual(reset.poll!.options.map((o) => [o.title, o.votesCount]), [["Summer", 0], ["Winter", 0], ["Autumn", 0]]);
  assert.equal(reset.poll!.votesCount, 0);
  assert.deepEqual((await bob.client.v1.polls.$select(reset.poll!.id).fetch()).ownVotes, [], "bob's vote was discarded");

  const history = (await api(alice, "GET", `/api/v1/statuses/${status.id}/history`)).body as { poll?: { options: { title: string }[] } }[];
  assert.deepEqual(history.map((h) => h.poll?.options.map((o) => o.title)), [["Spring", "Autumn"], ["Spring", "Autumn"], ["Summer", "Winter", "Autumn"]]);

  const removed = await alice.client.v1.statuses.$select(status.id).update({ status: "No more poll" });
  assert.equal(removed.poll, null);
  await assert.rejects(bob.client.v1.polls.$select(reset.poll!.id).fetch(), rejectsWith(404));
});

test("when a poll ends, voters and the author get a poll notification, and voting stops", async () => {
  const status = await alice.client.v1.statuses.create({ status: "Quick one: left or right?", poll: { options: ["Left", "Right"], expiresIn: 2, hideTotals: true } });
  const pollId = status.poll!.id;
  await bob.client.v1.polls.$select(pollId).votes.create({ choices: [0] });
  await carol.client.v1.polls.$select(pollId).votes.create({ choices: [1] });

  const deadline = Date.now() + 15_000;
  const pollNotices = async (user: TestUser) => (await user.client.v1.notifications.list({ types: ["poll"], limit: 40 })).filter((n) => n.status?.id === status.id);
  while ((await pollNotices(bob)).length === 0 && Date.now() < deadline) await sleep(200);

  for (const user of [bob, carol, alice]) {
    const notices = await pollNotices(user);
    assert.equal(notices.length, 1, `${user.username} is told once`);
    assert.equal(notices[0].account.id, alice.id);
    assert.equal(notices[0].status?.poll?.expired, true);
  }
  assert.deepEqual(await pollNotices(dave), [], "only voters and the author");

  const ended = await bob.client.v1.polls.$select(pollId).fetch();
  assert.equal(ended.expired, true);
  assert.deepEqual(ended.options.map((o) => o.votesCount), [1, 1], "totals are shown once the poll has ended");
  await assert.rejects(dave.client.v1.polls.$select(pollId).votes.create({ choices: [0] }), status422("ended"));
});

test("poll endings are found in the database: another process sweeping finds nothing left twice", async () => {
  // The server swept already (see the previous test); a second process over the same database,
  // as after a restart or with several servers, must not announce anything again.
  const status = await alice.client.v1.statuses.create({ status: "One more?", poll: { options: ["Yes", "No"], expiresIn: 1 } });
  await bob.client.v1.polls.$select(status.poll!.id).votes.create({ choices: [0] });
  const runtime = await openRuntime(loadConfig(server.env));
  try {
    await sleep(1200);
    // Racing the server's own sweeps: between them, each poll is announced exactly once.
    await Promise.all([runtime.services.polls.announceEnded(), runtime.services.polls.announceEnded()]);
    const deadline = Date.now() + 10_000;
    let notices: unknown[] = [];
    while (Date.now() < deadline) {
      notices = (await bob.client.v1.notifications.list({ types: ["poll"], limit: 40 })).filter((n) => n.status?.id === status.id);
      if (notices.length) break;
      await sleep(200);
    }
    await sleep(600);
    notices = (await bob.client.v1.notifications.list({ types: ["poll"], limit: 40 })).filter((n) => n.status?.id === status.id);
    assert.equal(notices.length, 1);
    assert.equal(await runtime.services.polls.announceEnded(), 0, "nothing is left to announce");
  } finally {
    await runtime.close();
  }
});
