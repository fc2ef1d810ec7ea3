// Whole threads across three servers: a remote thread stored on c.test lacks what never reached
// it — replies from a server nobody there follows, and parents more than five levels up. Opening
// the thread's context (signed in) completes it in the background from the servers' `replies`
// collections and the top post's `inReplyTo`, once per thread per interval, and tells the client
// so with Mastodon's `Mastodon-Async-Refresh` header and /api/v1_alpha/async_refreshes/:id.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";
import { fleetQueueState } from "../support/queue-state.ts";

const A = "a.test";
const B = "b.test";
const C = "c.test";
let fleet: Fleet;
let alice: TestUser; // a.test
let bob: TestUser; // b.test
let carol: TestUser; // c.test
const contracts: ContractLog[] = [];

type Status = { id: string; uri: string; in_reply_to_id: string | null };

async function api(user: TestUser, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => null)) as any };
}

async function post(user: TestUser, server: string, status: string, options: { inReplyTo?: string; visibility?: string } = {}): Promise<Status> {
  const created = await api(user, server, "/api/v1/statuses", {
    method: "POST",
    body: JSON.stringify({ status, visibility: options.visibility ?? "public", in_reply_to_id: options.inReplyTo }),
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return created.body;
}

/** The id on `server` of a post known by its URI (fetched through search if needed). */
async function idOn(user: TestUser, server: string, uri: string): Promise<string> {
  const found = await api(user, server, `/api/v2/search?type=statuses&resolve=true&q=${encodeURIComponent(uri)}`);
  assert.equal(found.body?.statuses?.length, 1, `search for ${uri} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.statuses[0].id;
}

async function context(user: TestUser, server: string, id: string) {
  const answer = await api(user, server, `/api/v1/statuses/${id}/context`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const refresh = answer.headers.get("mastodon-async-refresh");
  return { ancestors: answer.body.ancestors as Status[], descendants: answer.body.descendants as Status[], refresh };
}

/** An ActivityPub document fetched unsigned (a.test is not in secure mode). */
async function document(url: string, status = 200): Promise<any> {
  const response = await fetch(url, { headers: { Accept: "application/activity+json" } });
  assert.equal(response.status, status, url);
  return response.json().catch(() => null);
}

before(async () => {
  // b.test runs in secure mode: c.test reads its posts and collections with signed fetches.
  fleet = await startFleet([A, B, C], { firstAddress: 110, env: { [B]: { AUTHORIZED_FETCH: "true" } } });
  for (const name of [A, B, C]) contracts.push(installContractCheck(fleet.servers[name].url));
  [alice, bob, carol] = await Promise.all([signUp(fleet.servers[A], "alice"), signUp(fleet.servers[B], "bob"), signUp(fleet.servers[C], "carol")]);
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("replies c.test never received appear once carol opens the thread, and a second open within the interval starts nothing", async () => {
  // carol follows alice only: c.test hears alice's posts, not bob's.
  const aliceOnC = (await api(carol, C, `/api/v1/accounts/lookup?acct=alice@${A}`)).body.id;
  assert.equal((await api(carol, C, `/api/v1/accounts/${aliceOnC}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(carol, C, `/api/v1/accounts/relationships?id[]=${aliceOnC}`)).body[0]?.following, 20_000, "carol following alice");

  const root = await post(alice, A, "Which trees do you plant in a dry garden?");
  const aliceMore = await post(alice, A, "(I mean a garden that gets no watering at all.)", { inReplyTo: root.id });
  const rootOnB = await idOn(bob, B, root.uri);
  const bobReply = await post(bob, B, `@alice@${A} Olive trees, and a fig if you have a wall.`, { inReplyTo: rootOnB });
  const bobMore = await post(bob, B, "Almonds too, come to think of it.", { inReplyTo: bobReply.id });
  const bobPrivate = await post(bob, B, `@alice@${A} (between us: mine all died)`, { inReplyTo: rootOnB, visibility: "private" });

  // a.test holds bob's public and private replies; its replies collection serves alice's own
  // reply first, then the others' — only public and unlisted ones.
  await eventually(async () => (await context(alice, A, root.id)).descendants.filter((s) => s.uri === bobReply.uri || s.uri === bobPrivate.uri).length === 2, 30_000, "bob's replies on a.test", () => fleetQueueState(fleet.servers));
  const note = await document(root.uri);
  assert.equal(note.replies.id, `${root.uri}/replies`);
  const collection = await document(note.replies.id);
  assert.equal(collection.type, "Collection");
  const selfPage = await document(collection.first);
  assert.deepEqual([selfPage.items ?? []].flat(), [aliceMore.uri]);
  const othersPage = await document(selfPage.next);
  const others = [othersPage.items ?? []].flat();
  assert.deepEqual(others, [bobReply.uri], "the others' page lists bob's public reply, not his private one");
  // Cursors name pages only as Skein hands them out; b.test, in secure mode, serves its collections only to signed fetches.
  for (const cursor of ["x", "s99999999999999999999", "o1.5", "https://example.invalid/"]) await document(`${note.replies.id}?cursor=${encodeURIComponent(cursor)}`, 404);
  await document(`${bobReply.uri}/replies`, 401);

  // c.test has alice's posts only.
  const rootOnC = await eventually(async () => {
    const home = (await api(carol, C, "/api/v1/timelines/home")).body as Status[];
    return home.find((s) => s.uri === root.uri) && home.some((s) => s.uri === aliceMore.uri) ? home.find((s) => s.uri === root.uri)!.id : null;
  }, 20_000, "alice's posts on c.test");
  const first = await context(carol, C, rootOnC);
  assert.ok(!first.descendants.some((s) => s.uri === bobReply.uri), "bob's reply has not reached c.test by itself");
  assert.match(first.refresh ?? "", /^id="[A-Za-z0-9_-]+", retry=\d+, result_count=\d+$/);
  const refreshId = /id="([^"]+)"/.exec(first.refresh!)![1];

  // In the background, c.test fetches bob's reply from a.test's collection and bob's own reply to it from b.test's.
  const completed = await eventually(async () => {
    const { descendants } = await context(carol, C, rootOnC);
    const uris = descendants.map((s) => s.uri);
    return [aliceMore.uri, bobReply.uri, bobMore.uri].every((u) => uris.includes(u)) ? descendants : null;
  }, 20_000, "bob's replies in the thread on c.test");
  assert.ok(!completed.some((s) => s.uri === bobPrivate.uri), "a followers-only reply is never fetched");
  const replyOnC = completed.find((s) => s.uri === bobReply.uri)!;
  assert.equal(replyOnC.in_reply_to_id, rootOnC);
  assert.equal(completed.find((s) => s.uri === bobMore.uri)!.in_reply_to_id, replyOnC.id);

  const state = await eventually(async () => {
    const answer = await api(carol, C, `/api/v1_alpha/async_refreshes/${refreshId}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.async_refresh.status === "finished" ? answer.body.async_refresh : null;
  }, 20_000, "the refresh finished");
  assert.equal(state.id, refreshId);
  assert.equal(state.result_count, 2);

  // Within the interval, opening the thread again starts no completion: no header, and the
  // thread's record (one, shared by every process) is the one the first open wrote.
  const records = async () => queryRows(fleet.servers[C], "select key, value, expires_at from kv where key like ?", ['["skein","thread-refresh",%']);
  const before = await records();
  assert.equal(before.length, 1);
  const second = await context(carol, C, rootOnC);
  assert.equal(second.refresh, null);
  assert.deepEqual(await records(), before);

  // Unknown refresh ids are 404; anonymous readers get the thread but start nothing.
  assert.equal((await api(carol, C, "/api/v1_alpha/async_refreshes/bm90aGluZw")).status, 404);
  const anonymous = await fetch(`https://${C}/api/v1/statuses/${rootOnC}/context`);
  assert.equal(anonymous.status, 200);
  assert.equal(anonymous.headers.get("mastodon-async-refresh"), null);
  await anonymous.body?.cancel();
});

test("a parent more than five levels up, missing when a reply arrived, is fetched when the thread is opened", async () => {
  // bob's thread of seven posts; c.test learns of the last one and fetches five parents with it,
  // as for a reply that arrives: the top post is not among them.
  const chain: Status[] = [await post(bob, B, "A long thread about pruning, part 1")];
  for (let i = 2; i <= 7; i++) {
    chain.push(await post(bob, B, `part ${i}`, { inReplyTo: chain[chain.length - 1].id }));
  }
  const last = chain[6];
  // carol looks the last post up by its URI: c.test fetches it and five parents, as when a reply arrives.
  const lastOnC = await idOn(carol, C, last.uri);
  const first = await context(carol, C, lastOnC);
  assert.deepEqual(first.ancestors.map((s) => s.uri), chain.slice(1, 6).map((s) => s.uri), "five parents, not the top post");
  assert.ok(first.refresh, "the completion is announced");

  const full = await eventually(async () => {
    const { ancestors } = await context(carol, C, lastOnC);
    return ancestors.length === 6 ? ancestors : null;
  }, 20_000, "the thread's top post on c.test");
  assert.deepEqual(full.map((s) => s.uri), chain.slice(0, 6).map((s) => s.uri));
  assert.equal(full[1].in_reply_to_id, full[0].id, "part 2 is attached to part 1");
  // The top post now leads the thread: its context on c.test holds the whole chain.
  const fromTop = await context(carol, C, full[0].id);
  assert.deepEqual(fromTop.descendants.map((s) => s.uri), chain.slice(1).map((s) => s.uri));
});
