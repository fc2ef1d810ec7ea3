// A user deleting their own account, seen from three Skein servers over HTTPS: alice on a.test,
// followed by bob on b.test and carol on c.test, deletes her account on the settings page (the
// password asked again). She is signed out everywhere at once; the Delete of her actor reaches
// b.test and c.test, which stop showing her and her posts; a.test purges her data in the
// background but keeps the row, suspended, so her username cannot be taken again; she cannot
// sign in any more. A user with two-factor sign-in must give a code as well.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { Browser, readForm } from "../support/browser.ts";

let fleet: Fleet;
let admin: AdminUser; // a.test
let alice: TestUser; // a.test, who leaves
let bob: TestUser; // b.test, her follower
let carol: TestUser; // c.test, her follower
let dave: TestUser; // c.test, whom she follows
const contracts: ContractLog[] = [];
const aliceOn: Record<string, string> = {};
let postUri: string;

async function api(token: string | null, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test", "c.test"], { firstAddress: 213 });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  admin = await adminUser(fleet.servers["a.test"], "admin", "admin");
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
  dave = await signUp(fleet.servers["c.test"], "dave");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("before: bob (b.test) and carol (c.test) follow alice and read her post", async () => {
  for (const [user, server] of [[bob, "b.test"], [carol, "c.test"]] as const) {
    const found = await api(user.token, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent("alice@a.test")}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    aliceOn[server] = found.body.id;
    assert.equal((await api(user.token, server, `/api/v1/accounts/${found.body.id}/follow`, { method: "POST" })).status, 200);
    await eventually(async () => (await api(user.token, server, `/api/v1/accounts/relationships?id[]=${found.body.id}`)).body[0]?.following, 30_000, `${user.username} following alice`);
  }
  const daveOnA = (await api(alice.token, "a.test", `/api/v1/accounts/lookup?acct=${encodeURIComponent("dave@c.test")}`)).body.id;
  assert.equal((await api(alice.token, "a.test", `/api/v1/accounts/${daveOnA}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(dave.token, "c.test", `/api/v1/accounts/${dave.id}/followers`)).body?.length === 1, 30_000, "dave's follower on c.test");

  const posted = await api(alice.token, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "alice, before leaving", visibility: "public" }) });
  assert.equal(posted.status, 200);
  postUri = posted.body.uri;
  for (const [user, server] of [[bob, "b.test"], [carol, "c.test"]] as const) {
    await eventually(async () => (await api(user.token, server, "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === postUri), 30_000, `alice's post on ${server}`);
  }
});

test("deleting: the page asks for the password again; a wrong one changes nothing", async () => {
  const browser = new Browser();
  const signInPage = await browser.request("https://a.test/auth/sign_in?return_to=%2Fsettings%2Fdelete");
  const signIn = readForm(await signInPage.text());
  const signedIn = await browser.request(new URL(signIn.action, "https://a.test").toString(), { form: { ...signIn.fields, login: "alice", password: alice.password } });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get("location"), "/settings/delete");

  const page = await browser.request("https://a.test/settings/delete");
  assert.equal(page.status, 200);
  // The page's own form (the frame's sign-out form comes first).
  const html = await page.text();
  const form = readForm(html.slice(html.indexOf('<form method="post" action="/settings/delete"')));
  assert.equal(form.action, "/settings/delete");
  assert.ok(!html.includes('name="code"'), "no two-factor code asked of a user without two-factor sign-in");

  const wrong = await browser.request("https://a.test/settings/delete", { form: { ...form.fields, password: "not her password" } });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /password is wrong/);
  assert.equal((await api(alice.token, "a.test", "/api/v1/accounts/verify_credentials")).status, 200, "still there");
  // Without the form's CSRF token: refused.
  assert.equal((await browser.request("https://a.test/settings/delete", { form: { password: alice.password } })).status, 403);
  assert.equal((await api(alice.token, "a.test", "/api/v1/accounts/verify_credentials")).status, 200, "still there");

  const done = await browser.request("https://a.test/settings/delete", { form: { ...form.fields, password: alice.password } });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /being deleted/);

  // Signed out everywhere: her app's token and her web session.
  assert.equal((await api(alice.token, "a.test", "/api/v1/accounts/verify_credentials")).status, 401);
  const settings = await browser.request("https://a.test/settings/export");
  assert.equal(settings.status, 303);
  assert.match(settings.headers.get("location") ?? "", /^\/auth\/sign_in/);
});

test("federated: b.test and c.test drop her account and her post", async () => {
  for (const [user, server] of [[bob, "b.test"], [carol, "c.test"]] as const) {
    await eventually(
      async () => !(await api(user.token, server, "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === postUri),
      30_000,
      `alice's post gone from ${server}`,
    );
    assert.equal((await api(user.token, server, `/api/v1/accounts/${aliceOn[server]}`)).status, 404, `${server} no longer shows her account`);
    assert.equal((await api(user.token, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent("alice@a.test")}`)).status, 404);
  }
  // dave (whom she followed, on c.test) no longer sees her account either.
  assert.equal((await api(dave.token, "c.test", `/api/v1/accounts/${aliceOn["c.test"]}`)).status, 404);
  // Her actor is gone on a.test.
  assert.equal((await fetch("https://a.test/users/alice", { headers: { Accept: "application/activity+json" } })).status, 410);
});

test("afterwards: her data is purged, she cannot sign in, and her username stays taken", async () => {
  await eventually(async () => (await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}`)).body?.account?.statuses_count === 0, 30_000, "the purge on a.test");
  const row = (await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}`)).body;
  assert.equal(row.suspended, true);
  assert.equal(row.account.followers_count, 0);
  assert.equal(row.account.following_count, 0);
  // No moderator can bring back an account whose data is gone.
  assert.equal((await api(admin.token, "a.test", `/api/v1/admin/accounts/${alice.id}/unsuspend`, { method: "POST" })).status, 403);

  const browser = new Browser();
  const signIn = readForm(await (await browser.request("https://a.test/auth/sign_in")).text());
  const refused = await browser.request(new URL(signIn.action, "https://a.test").toString(), { form: { ...signIn.fields, login: "alice", password: alice.password } });
  assert.equal(refused.status, 401);

  const again = await fleet.servers["a.test"].cli(["accounts", "create", "alice", "--email", "someone-else@example.com"]);
  assert.notEqual(again.code, 0, "the username alice is still taken");
  // Her e-mail address is free again (the user row kept none of it).
  const sameEmail = await fleet.servers["a.test"].cli(["accounts", "create", "alice2", "--email", "alice@example.com"]);
  assert.equal(sameEmail.code, 0, sameEmail.stderr);
});

// ---- two-factor: an independent TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s), not the server's ----

function totp(secret: string, step = Math.floor(Date.now() / 30_000)): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(Array.from({ length: Math.floor(bits.length / 8) }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2)));
  const counter = Buffer.alloc(8);
  counter.writeUInt32BE(Math.floor(step / 2 ** 32), 0);
  counter.writeUInt32BE(step % 2 ** 32, 4);
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[19] & 0xf;
  return String((((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]) % 1_000_000).padStart(6, "0");
}

/** The named inputs of the form posting to `action`. */
function formFor(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `no form for ${action}: ${html.slice(0, 500)}`);
  return readForm(html.slice(html.lastIndexOf("<form", start))).fields;
}

test("two-factor: a user who set it up must give a code to delete the account", async () => {
  const password = await fleet.servers["a.test"].createAccount("zoe");
  const browser = new Browser();
  const signIn = readForm(await (await browser.request("https://a.test/auth/sign_in")).text());
  assert.equal((await browser.request("https://a.test/auth/sign_in", { form: { ...signIn.fields, login: "zoe", password } })).status, 303);
  const setup = await (await browser.request("https://a.test/settings/two_factor")).text();
  const secret = /id="two-factor-secret">([A-Z2-7 ]+)</.exec(setup)![1].replace(/ /g, "");
  const enabled = await browser.request("https://a.test/settings/two_factor/enable", { form: { ...formFor(setup, "/settings/two_factor/enable"), code: totp(secret) } });
  assert.equal(enabled.status, 200);

  const page = await (await browser.request("https://a.test/settings/delete")).text();
  assert.ok(page.includes('name="code"'), "the page asks for the code");
  const fields = formFor(page, "/settings/delete");
  const noCode = await browser.request("https://a.test/settings/delete", { form: { ...fields, password } });
  assert.equal(noCode.status, 401);
  const wrongCode = await browser.request("https://a.test/settings/delete", { form: { ...fields, password, code: totp(secret, Math.floor(Date.now() / 30_000) + 40) } });
  assert.equal(wrongCode.status, 401);
  assert.match(await wrongCode.text(), /two-factor code is wrong/);
  assert.equal((await browser.request("https://a.test/settings/export")).status, 200, "still signed in, account still there");

  // The code the enabling used is spent (a code is good once): wait for the next one.
  const used = totp(secret);
  const fresh = await eventually(async () => (totp(secret) !== used ? totp(secret) : null), 35_000, "a new TOTP step");
  const done = await browser.request("https://a.test/settings/delete", { form: { ...fields, password, code: fresh } });
  assert.equal(done.status, 200, await done.clone().text());
  assert.equal((await browser.request("https://a.test/settings/export")).status, 303, "signed out");
  const row = await eventually(async () => {
    const r = (await api(admin.token, "a.test", "/api/v1/admin/accounts?username=zoe&origin=local")).body;
    return Array.isArray(r) && r[0]?.suspended ? r[0] : null;
  }, 10_000, "zoe suspended");
  assert.equal(row.username, "zoe");
});
