// Suspending a server, as three Skein instances over HTTPS see it (a.test suspends b.test; c.test
// looks on): b's deliveries are refused and nothing of b is stored any more, a's posts no longer
// reach b, b's accounts and posts already on a are purged by the background job, a's user who
// followed b gets Mastodon's severed_relationships notification with the list to download — and
// c.test federates with a.test as before.
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
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* CSV and empty bodies stay text */
  }
  return { status: response.status, body, headers: response.headers };
}

async function remoteId(user: TestUser, server: string, handle: string): Promise<string> {
  const found = await api(user.token, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
  assert.equal(found.status, 200, `lookup of ${handle} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.id;
}

async function follow(user: TestUser, server: string, handle: string): Promise<string> {
  const id = await remoteId(user, server, handle);
  const followed = await api(user.token, server, `/api/v1/accounts/${id}/follow`, { method: "POST" });
  assert.equal(followed.status, 200);
  await eventually(async () => (await api(user.token, server, `/api/v1/accounts/relationships?id[]=${id}`)).body[0]?.following, 30_000, `${user.username} following ${handle}`);
  return id;
}

async function post(user: TestUser, server: string, status: string) {
  const posted = await api(user.token, server, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status }) });
  assert.equal(posted.status, 200);
  return posted.body as { id: string; uri: string };
}

async function inHome(user: TestUser, server: string, uri: string) {
  return (await api(user.token, server, "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === uri);
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test", "c.test"], { firstAddress: 170 });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  admin = await adminUser(fleet.servers["a.test"], "admin", "admin");
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

let bobPostOnA: { id: string; uri: string };

test("before the suspension, a.test and b.test follow each other and exchange posts", async () => {
  await follow(alice, "a.test", "bob@b.test");
  await follow(bob, "b.test", "alice@a.test");
  await follow(carol, "c.test", "alice@a.test");
  await follow(alice, "a.test", "carol@c.test");
  const bobPost = await post(bob, "b.test", "Hello from b before the block");
  bobPostOnA = await eventually(() => inHome(alice, "a.test", bobPost.uri), 30_000, "bob's post on a.test");
  const alicePost = await post(alice, "a.test", "Hello from a before the block");
  await eventually(() => inHome(bob, "b.test", alicePost.uri), 30_000, "alice's post on b.test");
});

test("suspending b.test purges what a.test holds of it and tells alice what she lost", async () => {
  const blocked = await api(admin.token, "a.test", "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "b.test", severity: "suspend" }) });
  assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
  assert.equal(blocked.body.severity, "suspend");

  // The purge job removes bob's account and his post (eventually: it runs in the background).
  await eventually(async () => (await api(alice.token, "a.test", `/api/v1/statuses/${bobPostOnA.id}`)).status === 404, 30_000, "bob's post purged from a.test");
  await eventually(async () => (await queryRows(fleet.servers["a.test"], "select id from accounts where domain = ?", ["b.test"])).length === 0, 30_000, "b.test's accounts purged");
  const following = await api(alice.token, "a.test", `/api/v1/accounts/${alice.id}/following`);
  assert.deepEqual(following.body.map((a: { acct: string }) => a.acct), ["carol@c.test"], "the follow of bob is cut, carol's kept");
  const me = await api(alice.token, "a.test", "/api/v1/accounts/verify_credentials");
  assert.equal(me.body.following_count, 1);
  assert.equal(me.body.followers_count, 1, "carol still follows alice; bob no more");

  // Nothing of b.test resolves any more: handles, URLs, searches.
  assert.equal((await api(alice.token, "a.test", "/api/v1/accounts/lookup?acct=bob@b.test")).status, 404);
  const search = await api(alice.token, "a.test", `/api/v2/search?q=${encodeURIComponent("bob@b.test")}&resolve=true`);
  assert.equal(search.status, 200);
  assert.deepEqual(search.body.accounts, []);
  const pasted = await api(alice.token, "a.test", `/api/v2/search?q=${encodeURIComponent("https://b.test/users/bob")}&resolve=true`);
  assert.deepEqual([...pasted.body.accounts, ...pasted.body.statuses], []);

  // alice is told, with Mastodon's event entity, and can download the lists.
  const notification = await eventually(async () => (await api(alice.token, "a.test", "/api/v1/notifications")).body.find((n: { type: string }) => n.type === "severed_relationships"), 30_000, "the severed_relationships notification");
  assert.equal(notification.account.id, alice.id);
  assert.equal(notification.event.type, "domain_block");
  assert.equal(notification.event.target_name, "b.test");
  assert.equal(notification.event.following_count, 1);
  assert.equal(notification.event.followers_count, 1);
  assert.equal(notification.event.purged, false);
  // Grouped notifications (Mastodon's web client and Phanpy read these) carry it too.
  const grouped = await api(alice.token, "a.test", "/api/v2/notifications");
  const group = grouped.body.notification_groups.find((g: { type: string }) => g.type === "severed_relationships");
  assert.deepEqual(group?.event, notification.event);
  const followingCsv = await api(alice.token, "a.test", `/severed_relationships/${notification.event.id}/following.csv`);
  assert.equal(followingCsv.status, 200);
  assert.match(followingCsv.headers.get("content-type") ?? "", /^text\/csv/);
  assert.deepEqual(followingCsv.body.trim().split("\n"), ["Account address,Show boosts,Notify on new posts,Languages", "bob@b.test,true,false,"]);
  const followersCsv = await api(alice.token, "a.test", `/severed_relationships/${notification.event.id}/followers.csv`);
  assert.deepEqual(followersCsv.body.trim().split("\n"), ["Account address", "bob@b.test"]);
  // In a browser: sent to sign in, then served through the web session.
  const csvPath = `/severed_relationships/${notification.event.id}/following.csv`;
  const anonymous = await fetch(`https://a.test${csvPath}`, { headers: { Accept: "text/html" }, redirect: "manual" });
  assert.equal(anonymous.status, 302);
  assert.equal(anonymous.headers.get("location"), `/auth/sign_in?return_to=${encodeURIComponent(csvPath)}`);
  const form = await fetch("https://a.test/auth/sign_in");
  const csrfCookie = form.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const token = /name="authenticity_token" value="([^"]+)"/.exec(await form.text())![1];
  const signedIn = await fetch("https://a.test/auth/sign_in", {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: csrfCookie },
    body: new URLSearchParams({ authenticity_token: token, login: "alice", password: alice.password, return_to: csvPath }),
  });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get("location"), csvPath);
  const session = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("skein_session="))!;
  const viaSession = await fetch(`https://a.test${csvPath}`, { headers: { Cookie: session } });
  assert.equal(viaSession.status, 200);
  assert.match(await viaSession.text(), /^bob@b\.test,true,false,$/m);
  assert.match(viaSession.headers.get("content-disposition") ?? "", /^attachment; filename="following-b\.test-\d{4}-\d{2}-\d{2}\.csv"$/);
  // Only alice's: carol (another server) cannot, nor can the admin who lost nothing.
  assert.equal((await api(admin.token, "a.test", `/severed_relationships/${notification.event.id}/following.csv`)).status, 404);
  assert.equal((await fetch(`https://a.test/severed_relationships/${notification.event.id}/following.csv`)).status, 401);
});

test("b.test's inbox POSTs are refused with 403 before anything is read, and nothing new of b is stored", async () => {
  // Refused on the signing key's host alone: no signature check, no key fetch.
  const forged = await fetch("https://a.test/inbox", {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Signature: 'keyId="https://b.test/users/bob#main-key",algorithm="rsa-sha256",headers="(request-target)",signature="AAAA"' },
    body: JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", type: "Create", actor: "https://b.test/users/bob", id: "https://b.test/x" }),
  });
  assert.equal(forged.status, 403);
  assert.match((await forged.json()).error, /b\.test is suspended/);

  // A real delivery: bob still believes alice follows him; b.test sends, a.test refuses (403, given up).
  const refusedBefore = await refusedCount();
  const bobPost = await post(bob, "b.test", "Hello from b after the block");
  await eventually(async () => (await refusedCount()) > refusedBefore, 30_000, "b.test's delivery refused by a.test");
  assert.equal((await queryRows(fleet.servers["a.test"], "select id from accounts where domain = ?", ["b.test"])).length, 0);
  assert.equal((await queryRows(fleet.servers["a.test"], "select id from statuses where uri = ?", [bobPost.uri])).length, 0);
});

async function refusedCount(): Promise<number> {
  const rows = await queryRows(fleet.servers["b.test"], "select count(*) as n from deliveries where host = ? and gave_up_at is not null and last_error like ?", ["a.test", "%403%"]);
  return Number(rows[0].n);
}

test("a.test's new posts no longer reach b.test, while c.test federates both ways", async () => {
  const bobOnB = (await api(bob.token, "b.test", "/api/v1/accounts/verify_credentials")).body;
  assert.equal(bobOnB.id, bob.id);
  const alicePost = await post(alice, "a.test", "@bob@b.test @carol@c.test after the block");
  await eventually(() => inHome(carol, "c.test", alicePost.uri), 30_000, "alice's post on c.test");
  // Nothing of a.test's reached b.test since the block: no delivery to it succeeded or waits.
  const toB = await queryRows(fleet.servers["a.test"], "select id from deliveries where host = ? and gave_up_at is null", ["b.test"]);
  assert.deepEqual(toB, []);
  assert.equal(await inHome(bob, "b.test", alicePost.uri), undefined);
  const mentions = await api(bob.token, "b.test", "/api/v1/notifications");
  assert.ok(!mentions.body.some((n: any) => n.status?.uri === alicePost.uri));

  const carolPost = await post(carol, "c.test", "Hello from c");
  await eventually(() => inHome(alice, "a.test", carolPost.uri), 30_000, "carol's post on a.test");
});

test("a remote account a moderator suspended is refused with 403, while its server still federates", async () => {
  const carolOnA = await remoteId(alice, "a.test", "carol@c.test");
  const suspended = await api(admin.token, "a.test", `/api/v1/admin/accounts/${carolOnA}/action`, { method: "POST", body: JSON.stringify({ type: "suspend" }) });
  assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
  const refused = async () => Number((await queryRows(fleet.servers["c.test"], "select count(*) as n from deliveries where host = ? and gave_up_at is not null and last_error like ?", ["a.test", "%403%"]))[0].n);
  const before = await refused();
  const carolPost = await post(carol, "c.test", "Hello from a suspended account");
  await eventually(async () => (await refused()) > before, 30_000, "carol's delivery refused by a.test");
  assert.equal((await queryRows(fleet.servers["a.test"], "select id from statuses where uri = ?", [carolPost.uri])).length, 0);
  // c.test itself is not refused: its other accounts are still heard.
  const dave = await signUp(fleet.servers["c.test"], "dave");
  const aliceOnC = (await api(dave.token, "c.test", `/api/v1/accounts/lookup?acct=${encodeURIComponent("alice@a.test")}`)).body.id;
  await api(dave.token, "c.test", `/api/v1/accounts/${aliceOnC}/follow`, { method: "POST" });
  await eventually(async () => (await api(dave.token, "c.test", `/api/v1/accounts/relationships?id[]=${aliceOnC}`)).body[0]?.following, 30_000, "dave@c.test following alice");
});
