// Full-text search of posts that arrive from another server (issue 15): a public post of a
// remote account that opted in (its actor says indexable) is found on the receiving server as it
// arrives (a moment later: it is indexed after its commit), an edit re-indexes it and a Delete takes it out; a remote account that did not opt in
// is found only by a local reader who interacted. Two Skein servers on 127.0.0.242–243.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";

const A = "a.test";
const B = "b.test";
let fleet: Fleet;
let alice: TestUser; // a.test, opted in
let amos: TestUser; // a.test, did not opt in
let bob: TestUser; // b.test, follows both
let bea: TestUser; // b.test, follows nobody
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, path: string, method = "GET", body?: unknown) {
  const response = await fetch(`https://${server}${path}`, {
    method,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** URIs of the posts `user` on b.test finds for `q`. */
async function foundOnB(user: TestUser, q: string): Promise<string[]> {
  const res = await api(user, B, `/api/v2/search?type=statuses&q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.statuses.map((s: { uri: string }) => s.uri);
}

/** Waits until b.test has indexed every post it stored (so that what a search leaves out is really left out). */
async function indexedOnB(): Promise<void> {
  await eventually(async () => (await queryRows(fleet.servers[B], "select status_id from status_search_pending")).length === 0, 10_000, "b.test indexing what arrived");
}

before(async () => {
  fleet = await startFleet([A, B], { firstAddress: 242 });
  for (const name of [A, B]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers[A], "alice");
  amos = await signUp(fleet.servers[A], "amos");
  bob = await signUp(fleet.servers[B], "bob");
  bea = await signUp(fleet.servers[B], "bea");
  assert.equal((await api(alice, A, "/api/v1/accounts/update_credentials", "PATCH", { indexable: true })).status, 200);
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a remote post is found as it arrives (by anyone if its author opted in), follows its edits and leaves on Delete", async () => {
  for (const name of ["alice", "amos"]) {
    const lookup = await api(bob, B, `/api/v1/accounts/lookup?acct=${name}@${A}`);
    assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    assert.equal((await api(bob, B, `/api/v1/accounts/${lookup.body.id}/follow`, "POST")).status, 200);
    await eventually(async () => (await api(bob, B, `/api/v1/accounts/relationships?id[]=${lookup.body.id}`)).body[0]?.following, 20_000, `the Accept from ${name}`);
  }
  const opted = await api(alice, A, "/api/v1/statuses", "POST", { status: "Marmots whistle across the valley" });
  const quiet = await api(amos, A, "/api/v1/statuses", "POST", { status: "Marmots hibernate for months" });
  assert.equal(opted.status, 200);
  assert.equal(quiet.status, 200);
  await eventually(async () => (await foundOnB(bea, "marmots")).includes(opted.body.uri), 20_000, "alice's post found on b.test by a reader who follows nobody");
  // Amos's post arrived too (bob's home timeline has it), and is indexed.
  await eventually(async () => ((await api(bob, B, "/api/v1/timelines/home")).body as { uri: string }[]).some((s) => s.uri === quiet.body.uri), 20_000, "amos's post on b.test");
  await indexedOnB();
  assert.deepEqual(await foundOnB(bea, "marmots"), [opted.body.uri], "amos did not opt in");
  assert.deepEqual(await foundOnB(bob, "hibernate"), [], "following is not interacting");
  // Bob favourites amos's post: now it is in his library.
  const quietOnB = (await api(bob, B, `/api/v2/search?type=statuses&resolve=true&q=${encodeURIComponent(quiet.body.uri)}`)).body.statuses[0];
  assert.ok(quietOnB, "amos's post is on b.test");
  assert.equal((await api(bob, B, `/api/v1/statuses/${quietOnB.id}/favourite`, "POST")).status, 200);
  await indexedOnB();
  assert.deepEqual(await foundOnB(bob, "hibernate"), [quiet.body.uri]);

  const edited = await api(alice, A, `/api/v1/statuses/${opted.body.id}`, "PUT", { status: "Pikas whistle across the valley" });
  assert.equal(edited.status, 200);
  await eventually(async () => (await foundOnB(bea, "pikas")).includes(opted.body.uri), 20_000, "the edit re-indexed on b.test");
  await indexedOnB();
  assert.deepEqual(await foundOnB(bea, "marmots"), []);

  assert.equal((await api(alice, A, `/api/v1/statuses/${opted.body.id}`, "DELETE")).status, 200);
  await eventually(async () => (await foundOnB(bea, "pikas")).length === 0, 20_000, "the Delete took it out of b.test's index");
});
