// A local account suspended and then purged, as another Skein server sees it over HTTPS: while
// suspended its actor and posts answer 410 to anyone asking; when a moderator purges it
// (DELETE /api/v1/admin/accounts/:id), a Delete of the actor reaches the server of its follower,
// which stops showing the account and its posts — and a.test keeps the account row, emptied.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

let fleet: Fleet;
let admin: AdminUser; // a.test
let alice: TestUser; // a.test, the account suspended
let bob: TestUser; // b.test, her follower
const contracts: ContractLog[] = [];

async function api(token: string, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const activityJson = { Accept: "application/activity+json" };

before(async () => {
  fleet = await startFleet(["a.test", "b.test"], { firstAddress: 190 });
  for (const name of ["a.test", "b.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  admin = await adminUser(fleet.servers["a.test"], "admin", "admin");
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

let aliceOnB: string;
let postUri: string;
let postOnA: string;

test("before: bob on b.test follows alice on a.test and reads her posts", async () => {
  const found = await api(bob.token, "b.test", `/api/v1/accounts/lookup?acct=${encodeURIComponent("alice@a.test")}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  aliceOnB = found.body.id;
  assert.equal((await api(bob.token, "b.test", `/api/v1/accounts/${aliceOnB}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(bob.token, "b.test", `/api/v1/accounts/relationships?id[]=${aliceOnB}`)).body[0]?.following, 30_000, "bob following alice");
  const posted = await api(alice.token, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "alice, before", visibility: "public" }) });
  assert.equal(posted.status, 200);
  postUri = posted.body.uri;
  postOnA = posted.body.id;
  await eventually(async () => (await api(bob.token, "b.test", "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === postUri), 30_000, "alice's post on b.test");
});

test("suspended: her actor and posts answer 410 to other servers; unsuspended, 200 again", async () => {
  const suspended = await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}/action`, { method: "POST", body: JSON.stringify({ type: "suspend" }) });
  assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
  const actor = await fetch("https://a.test/users/alice", { headers: activityJson });
  assert.equal(actor.status, 410);
  assert.equal((await actor.json()).type, "Tombstone");
  assert.equal((await fetch(`https://a.test/users/alice/statuses/${postOnA}`, { headers: activityJson })).status, 410);
  assert.equal((await fetch("https://a.test/users/alice/outbox", { headers: activityJson })).status, 410);

  assert.equal((await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}/unsuspend`, { method: "POST" })).status, 200);
  assert.equal((await fetch("https://a.test/users/alice", { headers: activityJson })).status, 200);
  // Suspension alone sends nothing: bob still sees her post.
  assert.ok((await api(bob.token, "b.test", "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === postUri));
});

test("purged: a Delete of the actor reaches b.test, which drops her and her posts; a.test keeps the row", async () => {
  assert.equal((await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}/action`, { method: "POST", body: JSON.stringify({ type: "suspend" }) })).status, 200);
  const purged = await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}`, { method: "DELETE" });
  assert.equal(purged.status, 200, JSON.stringify(purged.body));

  await eventually(
    async () => !(await api(bob.token, "b.test", "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === postUri),
    30_000,
    "alice's post gone from bob's home on b.test",
  );
  assert.equal((await api(bob.token, "b.test", `/api/v1/accounts/${aliceOnB}`)).status, 404, "b.test no longer shows her account");
  await eventually(async () => (await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}`)).body?.account?.followers_count === 0, 30_000, "the purge on a.test");
  const after = await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}`);
  assert.equal(after.body.suspended, true);
  assert.equal(after.body.account.statuses_count, 0);
});
