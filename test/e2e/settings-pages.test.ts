// The web settings pages in real Chromium (Debian's chromium over the DevTools protocol,
// test/support/chromium.ts), as a person uses them: signing in, the profile, authorized apps,
// sessions, the password, the e-mail address, invites, migration, and two-factor sign-in set up on
// its page and then asked for at the next sign-in. What each page changed is checked through the
// API, and a screenshot of every page is kept in test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createHmac } from "node:crypto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { tokenFor } from "../support/admin-clients.ts";
import { launchChromium, type Chromium, type ChromiumPage } from "../support/chromium.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let contract: ContractLog;
let chromium: Chromium;
let page: ChromiumPage;
let password: string;
let carolId: string;

before(async () => {
  server = await startServer({ env: { INSTANCE_TITLE: "Settings Test" } });
  contract = installContractCheck(server.url);
  password = await server.createAccount("carol");
  chromium = await launchChromium();
  page = await chromium.newPage();
});

after(async () => {
  await chromium?.close();
  assert.deepEqual(contract.violations, []);
  await server?.stop();
});

// An HOTP of this file's own (RFC 4226), for the codes an authenticator app would show.
function totp(secret: string, step: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/\s/g, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[19] & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
const stepNow = () => Math.floor(Date.now() / 30_000);

async function api(path: string, token: string, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
}

const at = async (p: ChromiumPage) => new URL(await p.url()).pathname;

test("signing in from a settings link lands on the page asked for", async () => {
  await page.goto(`${server.url}/settings/profile`);
  assert.equal(await at(page), "/auth/sign_in");
  await page.screenshot("settings-01-sign-in");
  await page.fill("#login", "carol");
  await page.fill("#password", "wrong password");
  await page.click("form[action='/auth/sign_in'] button");
  assert.match(await page.text(".error"), /Invalid username, email or password/);
  await page.fill("#password", password);
  await page.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(page), "/settings/profile");
  const nav = await page.text("nav.settings");
  for (const item of ["Profile", "Password", "E-mail", "Two-factor", "Apps", "Sessions", "Invites", "Export", "Import", "Delete account", "Migration"]) {
    assert.ok(nav.includes(item), `the navigation names ${item}`);
  }
});

test("profile: display name, bio and flags are saved and seen by the API", async () => {
  const { id, token } = await tokenFor(server, "carol", password, "read");
  carolId = id;
  await page.fill("#display_name", "Carol in Chromium");
  await page.fill("#note", "Testing the settings pages.");
  await page.setChecked("input[name=locked]", true);
  await page.setChecked("input[name=bot]", true);
  await page.click("form[action='/settings/profile'] button");
  assert.match(await page.text("[role=status]"), /Your profile was saved/);
  await page.screenshot("settings-02-profile");
  const me = await (await api("/api/v1/accounts/verify_credentials", token)).json();
  assert.equal(me.display_name, "Carol in Chromium");
  assert.equal(me.source.note, "Testing the settings pages.");
  assert.equal(me.locked, true);
  assert.equal(me.bot, true);
  assert.equal(me.discoverable, false);

  // A display name over the limit is refused on the page, not saved.
  await page.fill("#display_name", "x".repeat(40));
  await page.evaluate("document.querySelector('#display_name').removeAttribute('maxlength')");
  await page.fill("#display_name", "x".repeat(40));
  await page.click("form[action='/settings/profile'] button");
  assert.match(await page.text(".error"), /too long/);
  assert.equal((await (await api("/api/v1/accounts/verify_credentials", token)).json()).display_name, "Carol in Chromium");
});

test("authorized apps: an app's tokens are listed with their scopes, and revoking ends them", async () => {
  const { token } = await tokenFor(server, "carol", password, "read write");
  assert.equal((await api("/api/v1/accounts/verify_credentials", token)).status, 200);
  await page.goto(`${server.url}/settings/apps`);
  const table = await page.text("#apps");
  assert.match(table, /admin tests/, "the app that holds tokens is listed");
  assert.match(table, /read write/);
  assert.match(table, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/, "with dates");
  await page.screenshot("settings-03-apps");
  await page.click("#apps button");
  assert.match(await page.text("[role=status]"), /revoked/);
  assert.equal(await page.exists("#no-apps"), true);
  assert.equal((await api("/api/v1/accounts/verify_credentials", token)).status, 401, "the token no longer works");
});

test("sessions: each browser is listed, and revoking one signs it out", async () => {
  const other = await chromium.newPage();
  await other.goto(`${server.url}/auth/sign_in?return_to=%2Fsettings%2Fprofile`);
  await other.fill("#login", "carol");
  await other.fill("#password", password);
  await other.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(other), "/settings/profile");

  await page.goto(`${server.url}/settings/sessions`);
  const rows = await page.evaluate<string[]>("[...document.querySelectorAll('#sessions tbody tr')].map((tr) => tr.innerText)");
  assert.equal(rows.length, 2);
  assert.ok(rows.every((row) => /Chrome/.test(row)), "with the browser's user agent");
  assert.equal(rows.filter((row) => row.includes("(this browser)")).length, 1);
  await page.screenshot("settings-04-sessions");
  // Revoke the row that is not this browser.
  const index = rows.findIndex((row) => !row.includes("(this browser)"));
  await page.click(`#sessions tbody tr:nth-child(${index + 1}) button`);
  assert.match(await page.text("[role=status]"), /signed out/);
  assert.equal(await page.evaluate<number>("document.querySelectorAll('#sessions tbody tr').length"), 1);

  await other.goto(`${server.url}/settings/profile`);
  assert.equal(await at(other), "/auth/sign_in", "the other browser is signed out");
});

test("password: the current one is checked; a change ends app tokens but keeps this browser signed in", async () => {
  const { token } = await tokenFor(server, "carol", password, "read");
  await page.goto(`${server.url}/settings/password`);
  await page.screenshot("settings-05-password");
  await page.fill("#current_password", "not it at all");
  await page.fill("#password", "a new password 123");
  await page.fill("#password_confirmation", "a new password 123");
  await page.click("form[action='/settings/password'] button");
  assert.match(await page.text(".error"), /current password is not right/);
  assert.equal((await api("/api/v1/accounts/verify_credentials", token)).status, 200, "nothing changed");

  await page.fill("#current_password", password);
  await page.fill("#password", "a new password 123");
  await page.fill("#password_confirmation", "a new password 123");
  await page.click("form[action='/settings/password'] button");
  assert.match(await page.text("[role=status]"), /password was changed/);
  password = "a new password 123";
  assert.equal((await api("/api/v1/accounts/verify_credentials", token)).status, 401, "app tokens were revoked");
  await page.goto(`${server.url}/settings/profile`);
  assert.equal(await at(page), "/settings/profile", "this browser stays signed in");
  assert.ok((await tokenFor(server, "carol", password, "read")).token, "the new password signs in");
});

test("e-mail: a change needs the password and waits for the new address to be confirmed", async () => {
  await page.goto(`${server.url}/settings/email`);
  const before = await page.text("#current-email");
  assert.match(before, /^carol@/);
  await page.screenshot("settings-06-email");
  await page.fill("#email", "carol.new@example.org");
  await page.fill("#current_password", "wrong");
  await page.click("form[action='/settings/email'] button");
  assert.match(await page.text(".error"), /password is wrong/i);
  await page.fill("#current_password", password);
  await page.click("form[action='/settings/email'] button");
  assert.match(await page.text("[role=status]"), /confirmation link was sent/);
  assert.equal(await page.text("#current-email"), before, "the address changes only when the link is followed");
  // Without SMTP the mail is written to DATA_DIR/mail (see the e-mail tests): the link went to the new address.
  await eventually(async () => {
    const dir = `${server.env.DATA_DIR}/mail`;
    return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => fs.readFileSync(`${dir}/${f}`, "utf8").includes("carol.new@example.org"));
  }, 20_000, "the confirmation mail to the new address");
});

test("invites: create one with its uses and expiry, the link prefills the sign-up, revoking ends it", async () => {
  await page.goto(`${server.url}/settings/invites`);
  assert.equal(await page.exists("#no-invites"), true);
  await page.evaluate("document.querySelector('#max_uses').value = '5'; document.querySelector('#expires_in').value = '1d'");
  await page.click(`form[action='/settings/invites'] button`);
  assert.match(await page.text("[role=status]"), /invite was created/);
  const row = await page.text("#invites tbody tr");
  assert.match(row, /0 \/ 5/);
  assert.match(row, /Valid/);
  const link = /(http\S+\/invite\/(\S+))/.exec(row)!;
  const [, url, code] = link;
  // The expiry is a day from now.
  const expires = Date.parse(/(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/.exec(row)![1].replace(" ", "T") + ":00Z");
  assert.ok(Math.abs(expires - (Date.now() + 86_400_000)) < 120_000, "expires in a day");
  await page.screenshot("settings-07-invites");

  const visitor = await chromium.newPage();
  await visitor.goto(url);
  assert.equal(await visitor.evaluate<string>("document.querySelector('#invite_code').value"), code, "the sign-up form has the code");

  await page.click("#invites tbody tr button");
  assert.match(await page.text("[role=status]"), /invite was revoked/);
  assert.match(await page.text("#invites tbody tr"), /Revoked/);
  await visitor.goto(url);
  assert.match(await visitor.text("body"), /This invite was revoked/);
});

test("migration: aliases by handle, and a move with the password", async () => {
  const created = await server.cli(["accounts", "create", "dave", "--email", "dave@example.com"]);
  const davePassword = /Password: (\S+)/.exec(created.stdout)![1];
  const dave = await tokenFor(server, "dave", davePassword, "read write");
  const daveAccount = await (await api("/api/v1/accounts/verify_credentials", dave.token)).json();
  const carol = await (await fetch(`${server.url}/api/v1/accounts/${carolId}`)).json();
  // A follower here, who should end up following the new account.
  const carolToken = (await tokenFor(server, "carol", password, "read write")).token;
  await api("/api/v1/accounts/update_credentials", carolToken, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locked: false }) });
  const erinCreated = await server.cli(["accounts", "create", "erin", "--email", "erin@example.com"]);
  const erin = await tokenFor(server, "erin", /Password: (\S+)/.exec(erinCreated.stdout)![1], "read write follow");
  assert.equal((await (await api(`/api/v1/accounts/${carolId}/follow`, erin.token, { method: "POST" })).json()).following, true);

  await page.goto(`${server.url}/settings/migration`);
  await page.screenshot("settings-08-migration");
  await page.fill("#aliases", "@dave");
  await page.click("form[action='/settings/migration/aliases'] button");
  assert.match(await page.text("[role=status]"), /aliases were saved/);
  const aliases = await page.evaluate<string>("document.querySelector('#aliases').value");
  assert.match(aliases, /\/users\/dave$/, "the handle became dave's account address");

  // Moving to dave needs dave to name carol first, and carol's password.
  await page.fill("#target", "dave");
  await page.fill("#move-password", password);
  await page.click("form[action='/settings/migration/move'] button");
  assert.match(await page.text(".error"), /alias/);
  const aliased = await api("/api/v1/accounts/alias", dave.token, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ also_known_as_uris: [carol.uri ?? carol.url] }),
  });
  assert.equal(aliased.status, 200);
  await page.fill("#target", "dave");
  await page.fill("#move-password", "wrong");
  await page.click("form[action='/settings/migration/move'] button");
  assert.match(await page.text(".error"), /password is wrong/i);
  await page.fill("#target", "dave");
  await page.fill("#move-password", password);
  await page.click("form[action='/settings/migration/move'] button");
  assert.match(await page.text("[role=status]"), /account was moved/);
  assert.match(await page.text("#moved-to"), /dave/);
  // Carol's follower here now follows dave instead.
  await eventually(async () => {
    const [relation] = await (await api(`/api/v1/accounts/relationships?id[]=${daveAccount.id}&id[]=${carolId}`, erin.token)).json();
    return relation.following === true;
  }, 20_000, "erin following dave");
  const [, toCarol] = await (await api(`/api/v1/accounts/relationships?id[]=${daveAccount.id}&id[]=${carolId}`, erin.token)).json();
  assert.equal(toCarol.following, false, "and no longer carol");
});

test("two-factor: set up on its page, then asked for at the next sign-in", async () => {
  await page.goto(`${server.url}/settings/two_factor`);
  const secret = (await page.text("#two-factor-secret")).replace(/\s/g, "");
  assert.match(await page.text("#two-factor-uri"), /^otpauth:\/\/totp\//);
  await page.screenshot("settings-09-two-factor-setup");
  await page.fill("#code", totp(secret, stepNow() + 20));
  await page.click("form[action='/settings/two_factor/enable'] button");
  assert.match(await page.text(".error"), /not right/);
  const used = stepNow();
  await page.fill("#code", totp(secret, used));
  await page.click("form[action='/settings/two_factor/enable'] button");
  const codes = await page.evaluate<string[]>("[...document.querySelectorAll('#recovery-codes li')].map((li) => li.innerText)");
  assert.equal(codes.length, 10);
  await page.screenshot("settings-10-recovery-codes");

  await page.click("form[action='/auth/sign_out'] button");
  await page.goto(`${server.url}/settings/two_factor`);
  assert.equal(await at(page), "/auth/sign_in");
  await page.fill("#login", "carol");
  await page.fill("#password", password);
  await page.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(page), "/auth/sign_in/two_factor");
  await page.screenshot("settings-11-two-factor-sign-in");
  await page.fill("#code", totp(secret, Math.max(stepNow(), used + 1)));
  await page.click("form[action='/auth/sign_in/two_factor'] button");
  assert.equal(await at(page), "/settings/two_factor");
  assert.match(await page.text("#two-factor-status"), /on/);
  await page.screenshot("settings-12-two-factor-on");
});
