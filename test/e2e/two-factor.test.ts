// Two-factor sign-in end to end, against a real server: setting it up on the settings page (a
// wrong code refused, a right one enables it, recovery codes shown once), the sign-in's second
// step (no session before the code; a code is good once; recovery codes are single-use; a
// challenge allows five tries), the password grant refused, the OAuth authorize flow through the
// code page, turning it off, and a role that requires it (REQUIRE_TWO_FACTOR=moderator).
//
// The codes are computed here by this file's own HOTP (RFC 4226), not the server's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createRestAPIClient } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { Browser, pkcePair } from "../support/browser.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let contract: ContractLog;
let alicePassword: string;

before(async () => {
  server = await startServer({ env: { REQUIRE_TWO_FACTOR: "moderator", INSTANCE_TITLE: "Two Factor Test" } });
  contract = installContractCheck(server.url);
  alicePassword = await server.createAccount("alice");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
});

// ---- an independent TOTP (RFC 6238 over RFC 4226), SHA-1, 6 digits, 30 s ----

function base32ToBytes(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of text.replace(/[\s=]/g, "").toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `not base32: ${ch}`);
    bits += v.toString(2).padStart(5, "0");
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function codeAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeUInt32BE(Math.floor(step / 2 ** 32), 0);
  counter.writeUInt32BE(step % 2 ** 32, 4);
  const mac = createHmac("sha1", base32ToBytes(secret)).update(counter).digest();
  const offset = mac[19] & 0xf;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, "0");
}

const stepNow = () => Math.floor(Date.now() / 30_000);

test("the HOTP in this file gives RFC 4226's test vectors (appendix D)", () => {
  // The RFC's key is the ASCII "12345678901234567890"; in base32:
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  assert.deepEqual([0, 1, 2, 9].map((c) => codeAt(secret, c)), ["755224", "287082", "359152", "520489"]);
});

// ---- page helpers ----

/** The form whose action is `action` on a page, with its named inputs. */
function formFor(html: string, action: string): Record<string, string> {
  for (const form of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    if (form[1].replace(/&amp;/g, "&") !== action) continue;
    const fields: Record<string, string> = {};
    for (const input of form[2].matchAll(/<input([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      if (name) fields[name] = (/value="([^"]*)"/.exec(input[1])?.[1] ?? "").replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    }
    return fields;
  }
  throw new Error(`no form for ${action} on: ${html.slice(0, 800)}`);
}

const absolute = (location: string | null) => new URL(location!, server.url).toString();

async function get(browser: Browser, path: string): Promise<{ status: number; html: string; location: string | null }> {
  const response = await browser.request(absolute(path));
  return { status: response.status, html: await response.text(), location: response.headers.get("location") };
}

async function post(browser: Browser, path: string, fields: Record<string, string>) {
  const response = await browser.request(absolute(path), { form: fields });
  return { status: response.status, html: await response.text(), location: response.headers.get("location") };
}

/** Submits the password on the sign-in page; returns where it sent the browser. */
async function passwordStep(browser: Browser, login: string, password: string, returnTo = "/settings/profile") {
  const page = await get(browser, `/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`);
  return post(browser, "/auth/sign_in", { ...formFor(page.html, "/auth/sign_in"), login, password });
}

async function codeStep(browser: Browser, code: string, returnTo = "/settings/profile") {
  const page = await get(browser, `/auth/sign_in/two_factor?return_to=${encodeURIComponent(returnTo)}`);
  assert.equal(page.status, 200, "the code page is shown while a challenge is open");
  return post(browser, "/auth/sign_in/two_factor", { ...formFor(page.html, "/auth/sign_in/two_factor"), code });
}

async function signedIn(login: string, password: string): Promise<Browser> {
  const browser = new Browser();
  const result = await passwordStep(browser, login, password);
  assert.equal(result.status, 303);
  assert.equal(result.location, "/settings/profile");
  return browser;
}

/** Sets up two-factor sign-in on the settings page; returns the secret and the recovery codes. */
async function enableTwoFactor(browser: Browser, returnTo?: string): Promise<{ secret: string; recovery: string[]; page: string }> {
  const setup = await get(browser, `/settings/two_factor${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ""}`);
  assert.equal(setup.status, 200);
  const secret = /id="two-factor-secret">([A-Z2-7 ]+)</.exec(setup.html)?.[1].replace(/ /g, "");
  assert.ok(secret && secret.length >= 26, "the setup page shows the key as text");
  const uri = /id="two-factor-uri">([^<]+)</.exec(setup.html)?.[1].replace(/&amp;/g, "&");
  assert.ok(uri?.startsWith("otpauth://totp/"), `an otpauth URI: ${uri}`);
  assert.equal(new URL(uri!).searchParams.get("secret"), secret);
  const enabled = await post(browser, "/settings/two_factor/enable", { ...formFor(setup.html, "/settings/two_factor/enable"), code: codeAt(secret!, stepNow()) });
  assert.equal(enabled.status, 200, enabled.html.slice(0, 500));
  const recovery = [...enabled.html.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1]);
  assert.equal(recovery.length, 10, "ten recovery codes are shown");
  return { secret: secret!, recovery, page: enabled.html };
}

async function app(scopes = "read write") {
  const res = await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "2fa client", redirect_uris: "https://client.example/cb", scopes }),
  });
  return (await res.json()) as { client_id: string; client_secret: string };
}

async function passwordGrant(username: string, password: string) {
  const client = await app();
  return fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "password", client_id: client.client_id, client_secret: client.client_secret, username, password, scope: "read" }),
  });
}

// ---- state shared by the tests below, in order ----
let aliceSecret = "";
let aliceRecovery: string[] = [];
/** The latest TOTP step the server accepted for alice (a later one is needed next time). */
let aliceLastStep = 0;

/** A code for alice that the server has not seen: a step after the last used one, within its window. */
async function freshAliceCode(): Promise<string> {
  // The window reaches one step ahead; wait (at most one step) until the next unused step is in it.
  await eventually(async () => stepNow() + 1 > aliceLastStep, 40_000, "the next 30-second step");
  const step = Math.max(stepNow(), aliceLastStep + 1);
  aliceLastStep = step;
  return codeAt(aliceSecret, step);
}

test("setting up: a wrong code is refused, the right one turns it on, the recovery codes are shown once and the key never again", async () => {
  const browser = await signedIn("alice", alicePassword);
  const setup = await get(browser, "/settings/two_factor");
  const secret = /id="two-factor-secret">([A-Z2-7 ]+)</.exec(setup.html)![1].replace(/ /g, "");
  // A reload shows the same key: what the phone scanned from the first page still works.
  assert.equal(/id="two-factor-secret">([A-Z2-7 ]+)</.exec((await get(browser, "/settings/two_factor")).html)![1].replace(/ /g, ""), secret);

  const wrong = await post(browser, "/settings/two_factor/enable", { ...formFor(setup.html, "/settings/two_factor/enable"), code: codeAt(secret, stepNow() + 20) });
  assert.equal(wrong.status, 422);
  assert.match(wrong.html, /not right/);
  assert.match(wrong.html, /id="two-factor-secret"/, "still setting up");

  const { secret: same, recovery } = await enableTwoFactor(browser);
  assert.equal(same, secret);
  aliceSecret = secret;
  aliceRecovery = recovery;
  aliceLastStep = stepNow();

  const after = await get(browser, "/settings/two_factor");
  assert.match(after.html, /Two-factor sign-in is <strong>on<\/strong>/);
  assert.match(after.html, /10 of 10 recovery codes left/);
  assert.ok(!after.html.includes(secret) && !after.html.includes(secret.slice(0, 4) + " " + secret.slice(4, 8)), "the key is not shown again");
  assert.ok(!recovery.some((code) => after.html.includes(code)), "nor are the recovery codes");
});

test("signing in: the password alone gives no session; a wrong code is refused, the right one signs in once", async () => {
  const browser = new Browser();
  const first = await passwordStep(browser, "alice", alicePassword, "/settings/sessions");
  assert.equal(first.status, 303);
  assert.equal(first.location, "/auth/sign_in/two_factor?return_to=%2Fsettings%2Fsessions");

  // Half signed in: nothing that needs a session is open to this browser.
  const settings = await get(browser, "/settings/profile");
  assert.equal(settings.status, 303);
  assert.match(settings.location!, /^\/auth\/sign_in\?return_to=/);
  const client = await app();
  const authorize = await get(browser, `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri: "https://client.example/cb", response_type: "code", scope: "read" })}`);
  assert.equal(authorize.status, 303);
  assert.match(authorize.location!, /^\/auth\/sign_in\?/, "the consent page needs a full sign-in");

  const wrong = await codeStep(browser, codeAt(aliceSecret, stepNow() + 20), "/settings/sessions");
  assert.equal(wrong.status, 401);
  assert.match(wrong.html, /not right/);

  const code = await freshAliceCode();
  const right = await codeStep(browser, code, "/settings/sessions");
  assert.equal(right.status, 303);
  assert.equal(right.location, "/settings/sessions");
  assert.equal((await get(browser, "/settings/sessions")).status, 200, "signed in now");

  // The same code again, in another browser with the right password: refused (replay).
  const other = new Browser();
  assert.equal((await passwordStep(other, "alice", alicePassword)).status, 303);
  const replay = await codeStep(other, code);
  assert.equal(replay.status, 401, "a code is accepted once");
  // And a code of an earlier step than the one used is refused too.
  const older = await codeStep(other, codeAt(aliceSecret, aliceLastStep - 1));
  assert.equal(older.status, 401);
  assert.equal((await get(other, "/settings/profile")).status, 303, "still not signed in");
});

test("a recovery code signs in once", async () => {
  const [code] = aliceRecovery;
  const browser = new Browser();
  await passwordStep(browser, "alice", alicePassword);
  const used = await codeStep(browser, code.toUpperCase().replace(/-/g, " "));
  assert.equal(used.status, 303, "typed in capitals with spaces, it still counts");
  assert.equal((await get(browser, "/settings/two_factor")).html.match(/(\d+) of 10 recovery codes left/)?.[1], "9");

  const again = new Browser();
  await passwordStep(again, "alice", alicePassword);
  const reused = await codeStep(again, code);
  assert.equal(reused.status, 401, "a recovery code is single-use");
});

test("a challenge allows five wrong codes; then the password must be given again", async () => {
  const browser = new Browser();
  await passwordStep(browser, "alice", alicePassword);
  for (let i = 0; i < 4; i++) assert.equal((await codeStep(browser, codeAt(aliceSecret, stepNow() + 20 + i))).status, 401);
  const fifth = await codeStep(browser, codeAt(aliceSecret, stepNow() + 30));
  assert.equal(fifth.status, 401);
  assert.match(fifth.html, /Sign in again/);
  // The challenge is gone: even a right code gets the browser nowhere now.
  const page = await get(browser, "/auth/sign_in/two_factor");
  assert.equal(page.status, 303);
  assert.match(page.location!, /^\/auth\/sign_in/);
  const late = await post(browser, "/auth/sign_in/two_factor", { ...formFor((await get(browser, "/auth/sign_in")).html, "/auth/sign_in"), code: aliceRecovery[1] });
  assert.equal(late.status, 401);
  assert.equal((await get(browser, "/settings/profile")).status, 303);
});

test("the password grant is refused for an account with two-factor sign-in", async () => {
  const res = await passwordGrant("alice", alicePassword);
  assert.ok(res.status === 400 || res.status === 401, `status ${res.status}`);
  assert.equal((await res.json()).error, "invalid_grant");
});

test("the OAuth authorize flow goes through the code page and gives a working token", async () => {
  const client = await app();
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({ client_id: client.client_id, redirect_uri: "https://client.example/cb", response_type: "code", scope: "read write", code_challenge: challenge, code_challenge_method: "S256", state: "xyz" });
  const browser = new Browser();
  const start = await get(browser, `/oauth/authorize?${query}`);
  assert.equal(start.status, 303);
  const returnTo = new URL(absolute(start.location)).searchParams.get("return_to")!;
  const password = await passwordStep(browser, "alice", alicePassword, returnTo);
  assert.equal(password.status, 303);
  assert.match(password.location!, /^\/auth\/sign_in\/two_factor\?/);
  const coded = await codeStep(browser, aliceRecovery[2], returnTo);
  assert.equal(coded.status, 303);
  assert.equal(coded.location, returnTo, "back to the consent page");
  const consent = await get(browser, coded.location!);
  assert.equal(consent.status, 200);
  assert.match(consent.html, /Authorize 2fa client/);
  const approved = await post(browser, "/oauth/authorize", { ...formFor(consent.html, "/oauth/authorize"), decision: "approve" });
  assert.equal(approved.status, 303);
  const redirect = new URL(approved.location!);
  assert.equal(redirect.searchParams.get("state"), "xyz");
  const tokenRes = await fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "authorization_code", code: redirect.searchParams.get("code"), client_id: client.client_id, redirect_uri: "https://client.example/cb", code_verifier: verifier }),
  });
  assert.equal(tokenRes.status, 200);
  const { access_token } = await tokenRes.json();
  const me = await createRestAPIClient({ url: server.url, accessToken: access_token }).v1.accounts.verifyCredentials();
  assert.equal(me.username, "alice");
});

test("turning it off takes the password and a code; then the password alone signs in again", async () => {
  const browser = new Browser();
  await passwordStep(browser, "alice", alicePassword);
  assert.equal((await codeStep(browser, aliceRecovery[3])).status, 303);
  const page = await get(browser, "/settings/two_factor");
  const form = formFor(page.html, "/settings/two_factor/disable");
  const wrongPassword = await post(browser, "/settings/two_factor/disable", { ...form, current_password: "not the password", code: aliceRecovery[4] });
  assert.equal(wrongPassword.status, 401);
  const wrongCode = await post(browser, "/settings/two_factor/disable", { ...form, current_password: alicePassword, code: codeAt(aliceSecret, stepNow() + 20) });
  assert.equal(wrongCode.status, 401);
  assert.match((await get(browser, "/settings/two_factor")).html, /<strong>on<\/strong>/, "still on after refusals");

  const off = await post(browser, "/settings/two_factor/disable", { ...form, current_password: alicePassword, code: await freshAliceCode() });
  assert.equal(off.status, 303);
  assert.match((await get(browser, off.location!)).html, /Two-factor sign-in is off/);
  const again = await passwordStep(new Browser(), "alice", alicePassword);
  assert.equal(again.location, "/settings/profile", "no code asked any more");
  assert.equal((await passwordGrant("alice", alicePassword)).status, 200, "and the password grant works again");
});

test("a role that requires two-factor sign-in: sent to set it up, no apps until it is on", async () => {
  const created = await server.cli(["accounts", "create", "mod", "--email", "mod@example.com", "--moderator"]);
  const password = /Password: (\S+)/.exec(created.stdout)![1];

  const grant = await passwordGrant("mod", password);
  assert.ok(grant.status === 400 || grant.status === 401);
  assert.equal((await grant.json()).error, "invalid_grant");

  const client = await app();
  const authorizePath = `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri: "https://client.example/cb", response_type: "code", scope: "read" })}`;
  const browser = new Browser();
  const signIn = await passwordStep(browser, "mod", password, authorizePath);
  assert.equal(signIn.status, 303);
  assert.equal(signIn.location, `/settings/two_factor?return_to=${encodeURIComponent(authorizePath)}`, "sent to set it up first");

  // Every other settings page and the consent page lead back to the setup.
  const profile = await get(browser, "/settings/profile");
  assert.equal(profile.status, 303);
  assert.equal(profile.location, "/settings/two_factor");
  const consent = await get(browser, authorizePath);
  assert.equal(consent.status, 303);
  assert.match(consent.location!, /^\/settings\/two_factor\?return_to=/);
  // Posting the consent form straight away does not issue a code either.
  const setupPage = await get(browser, "/settings/two_factor");
  assert.match(setupPage.html, /requires two-factor sign-in/);
  const csrf = formFor(setupPage.html, "/settings/two_factor/enable").authenticity_token;
  const forced = await post(browser, "/oauth/authorize", { authenticity_token: csrf, client_id: client.client_id, redirect_uri: "https://client.example/cb", response_type: "code", scope: "read", decision: "approve" });
  assert.equal(forced.status, 403);
  assert.ok(!forced.location, "no redirect with a code");

  const { page } = await enableTwoFactor(browser, authorizePath);
  const continueTo = /href="([^"]+)" id="continue"/.exec(page)![1].replace(/&amp;/g, "&");
  assert.equal(continueTo, authorizePath, "the recovery-codes page leads back to the app");
  const consentNow = await get(browser, continueTo);
  assert.equal(consentNow.status, 200);
  assert.match(consentNow.html, /Authorize 2fa client/);
  assert.equal((await get(browser, "/settings/profile")).status, 200);

  // A required role cannot turn it off.
  const off = await post(browser, "/settings/two_factor/disable", { ...formFor((await get(browser, "/settings/two_factor")).html, "/settings/two_factor/disable"), current_password: password, code: "000000" });
  assert.equal(off.status, 403);

  // An administrator can turn it off (a lost phone and lost codes); the role then sends the
  // moderator to set it up again at the next sign-in.
  const cli = await server.cli(["accounts", "disable-two-factor", "mod"]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /Two-factor sign-in is off for @mod/);
  const again = await passwordStep(new Browser(), "mod", password);
  assert.equal(again.location, `/settings/two_factor?return_to=${encodeURIComponent("/settings/profile")}`);
});
