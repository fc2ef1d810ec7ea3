// Allowlist federation (FEDERATION_MODE=allowlist on a.test, c.test allowed): only c.test
// federates with a.test, in both directions — follows and posts — while b.test's deliveries are
// refused and a.test sends it nothing; an explicit block of an allowed server wins over its allow;
// and a server whose allow is removed is purged like a suspended one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";

let fleet: Fleet;
let admin: AdminUser; // a.test
let alice: TestUser; // a.test
let bob: TestUser; // b.test
let carol: TestUser; // c.test
const contracts: ContractLog[] = [];

async function api(token: string, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

async function lookup(user: TestUser, server: string, handle: string) {
  return api(user.token, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
}

async function following(user: TestUser, server: string, id: string): Promise<{ following: boolean; requested: boolean }> {
  return (await api(user.token, server, `/api/v1/accounts/relationships?id[]=${id}`)).body[0];
}

async function post(user: TestUser, server: string, status: string) {
  const posted = await api(user.token, server, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status }) });
  assert.equal(posted.status, 200);
  return posted.body as { id: string; uri: string };
}

async function inHome(user: TestUser, server: string, uri: string) {
  return (await api(user.token, server, "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === uri);
}

/** b.test's deliveries to a.test that a.test refused with 403. */
async function refusedByA(): Promise<number> {
  const rows = await queryRows(fleet.servers["b.test"], "select count(*) as n from deliveries where host = ? and gave_up_at is not null and last_error like ?", ["a.test", "%403%"]);
  return Number(rows[0].n);
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test", "c.test"], { firstAddress: 175, env: { "a.test": { FEDERATION_MODE: "allowlist" } } });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  admin = await adminUser(fleet.servers["a.test"], "admin", "admin");
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
  const allowed = await api(admin.token, "a.test", "/api/v1/admin/domain_allows", { method: "POST", body: JSON.stringify({ domain: "c.test" }) });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a.test announces limited federation", async () => {
  const instance = await api(alice.token, "a.test", "/api/v2/instance");
  assert.equal(instance.body.configuration.limited_federation, true);
});

test("the allowed server federates both ways: follows and posts", async () => {
  const carolOnA = (await lookup(alice, "a.test", "carol@c.test")).body.id;
  assert.ok(carolOnA);
  await api(alice.token, "a.test", `/api/v1/accounts/${carolOnA}/follow`, { method: "POST" });
  await eventually(async () => (await following(alice, "a.test", carolOnA)).following, 30_000, "alice following carol");
  const aliceOnC = (await lookup(carol, "c.test", "alice@a.test")).body.id;
  await api(carol.token, "c.test", `/api/v1/accounts/${aliceOnC}/follow`, { method: "POST" });
  await eventually(async () => (await following(carol, "c.test", aliceOnC)).following, 30_000, "carol following alice");

  const fromC = await post(carol, "c.test", "from c to a");
  await eventually(() => inHome(alice, "a.test", fromC.uri), 30_000, "carol's post on a.test");
  const fromA = await post(alice, "a.test", "from a to c");
  await eventually(() => inHome(carol, "c.test", fromA.uri), 30_000, "alice's post on c.test");
});

test("a server not allowed is neither heard, fetched nor delivered to", async () => {
  // a.test does not look b.test up, and refuses b.test's signed fetches: neither side resolves the other.
  assert.equal((await lookup(alice, "a.test", "bob@b.test")).status, 404);
  assert.equal((await lookup(bob, "b.test", "alice@a.test")).status, 404);
  // b.test's inbox POSTs are refused on the signing key's host alone.
  const forged = await fetch("https://a.test/users/alice/inbox", {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Signature: 'keyId="https://b.test/users/bob#main-key",algorithm="rsa-sha256",headers="(request-target)",signature="AAAA"' },
    body: JSON.stringify({ type: "Follow", actor: "https://b.test/users/bob", object: "https://a.test/users/alice", id: "https://b.test/f/1" }),
  });
  assert.equal(forged.status, 403);
  assert.match((await forged.json()).error, /b\.test is not among the servers/);
  assert.deepEqual(await queryRows(fleet.servers["a.test"], "select id from accounts where domain = ?", ["b.test"]), []);

  // alice's post mentioning bob reaches carol (allowed), and a.test queues nothing for b.test.
  const mention = await post(alice, "a.test", "@bob@b.test @carol@c.test hello");
  await eventually(() => inHome(carol, "c.test", mention.uri), 30_000, "alice's post on c.test");
  assert.deepEqual(await queryRows(fleet.servers["a.test"], "select id from deliveries where host = ?", ["b.test"]), []);
});

test("removing an allow purges that server like a suspension, and its deliveries are refused again", async () => {
  const allowB = await api(admin.token, "a.test", "/api/v1/admin/domain_allows", { method: "POST", body: JSON.stringify({ domain: "b.test" }) });
  assert.equal(allowB.status, 200);
  // Allowed now: alice and bob follow each other.
  const bobOnA = await eventually(async () => (await lookup(alice, "a.test", "bob@b.test")).body?.id, 30_000, "bob resolvable once b.test is allowed");
  await api(alice.token, "a.test", `/api/v1/accounts/${bobOnA}/follow`, { method: "POST" });
  await eventually(async () => (await following(alice, "a.test", bobOnA)).following, 30_000, "alice following bob");
  const aliceOnB = await eventually(async () => (await lookup(bob, "b.test", "alice@a.test")).body?.id, 30_000, "alice resolvable on b.test");
  await api(bob.token, "b.test", `/api/v1/accounts/${aliceOnB}/follow`, { method: "POST" });
  await eventually(async () => (await following(bob, "b.test", aliceOnB)).following, 30_000, "bob following alice");

  const removed = await api(admin.token, "a.test", `/api/v1/admin/domain_allows/${allowB.body.id}`, { method: "DELETE" });
  assert.equal(removed.status, 200);
  await eventually(async () => (await queryRows(fleet.servers["a.test"], "select id from accounts where domain = ?", ["b.test"])).length === 0, 30_000, "b.test purged");
  const note = await eventually(async () => (await api(alice.token, "a.test", "/api/v1/notifications")).body.find((n: { type: string }) => n.type === "severed_relationships"), 30_000, "the severed_relationships notification");
  assert.equal(note.event.target_name, "b.test");
  assert.equal(note.event.following_count, 1);
  assert.equal(note.event.followers_count, 1);

  // bob still believes alice follows him: b.test delivers, a.test refuses (403), nothing is stored.
  const before = await refusedByA();
  const fromB = await post(bob, "b.test", "after the allow was removed");
  await eventually(async () => (await refusedByA()) > before, 30_000, "b.test's delivery refused by a.test");
  assert.deepEqual(await queryRows(fleet.servers["a.test"], "select id from statuses where uri = ?", [fromB.uri]), []);
});

test("an explicit block of an allowed server wins", async () => {
  const blocked = await api(admin.token, "a.test", "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "c.test", severity: "suspend" }) });
  assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
  await eventually(async () => (await queryRows(fleet.servers["a.test"], "select id from accounts where domain = ?", ["c.test"])).length === 0, 30_000, "c.test purged");
  const forged = await fetch("https://a.test/inbox", {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Signature: 'keyId="https://c.test/users/carol#main-key",algorithm="rsa-sha256",headers="(request-target)",signature="AAAA"' },
    body: JSON.stringify({ type: "Create", actor: "https://c.test/users/carol", id: "https://c.test/x" }),
  });
  assert.equal(forged.status, 403);
  const fromC = await post(carol, "c.test", "after the block");
  await eventually(async () => {
    const rows = await queryRows(fleet.servers["c.test"], "select id from deliveries where host = ? and gave_up_at is not null and last_error like ?", ["a.test", "%403%"]);
    return rows.length > 0;
  }, 30_000, "c.test's delivery refused by a.test");
  assert.equal(await inHome(alice, "a.test", fromC.uri), undefined);
  assert.equal((await lookup(alice, "a.test", "carol@c.test")).status, 404);
});
