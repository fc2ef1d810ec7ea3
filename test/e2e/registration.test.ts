// Registration end to end: masto.js signs up with an app token (client_credentials) in each mode
// — open (token works for verify_credentials only until the address is confirmed through the
// link mailed to a real SMTP server on loopback, then it posts), approval (no sign-in until a
// moderator approves through the admin API; moderators get admin.sign_up), invite (refused
// without, accepted with, used up after max_uses, expired), closed (403) — every 422 detail,
// the per-address limit (429), e-mail domain and IP blocks, look-alike usernames, minimum age,
// the terms of service, the sign-up page and /invite/CODE. Every JSON answer is checked against the contract.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRestAPIClient } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { Browser, readForm } from "../support/browser.ts";
import { eventually } from "../support/federation-fleet.ts";
import { queryRows } from "../support/server-db.ts";
import { rejectsWith } from "../support/e2e.ts";

let smtp: TestSmtp;
let server: TestServer;
let contract: ContractLog;
let admin: AdminUser;
let app: { clientId: string; clientSecret: string; token: string };
const termsDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-terms-"));
const termsFile = path.join(termsDir, "terms.txt");
let nextIp = 10;

before(async () => {
  fs.writeFileSync(termsFile, "Be kind.\n\nNo spam & no abuse.");
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url(), REGISTRATIONS: "open", TRUST_PROXY: "1", TERMS_OF_SERVICE_FILE: termsFile, INSTANCE_TITLE: "Sign-up Test" } });
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "boss", "admin");
  const created = await (await fetch(`${server.url}/api/v1/apps`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "sign-up app", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" }) })).json();
  const token = await (await fetch(`${server.url}/oauth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials", client_id: created.client_id, client_secret: created.client_secret, scope: "read write" }) })).json();
  app = { clientId: created.client_id, clientSecret: created.client_secret, token: token.access_token };
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await smtp?.stop();
  fs.rmSync(termsDir, { recursive: true, force: true });
});

// ---- helpers ----

const sql = (query: string, params: unknown[] = []) => queryRows(server, query, params);

async function api(token: string | null, method: string, pathAndQuery: string, body?: unknown, ip?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (ip) headers["X-Forwarded-For"] = ip;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A sign-up from its own address (each address gets 5 per 30 minutes). */
function register(fields: Record<string, unknown>, ip = `198.51.100.${nextIp++}`) {
  return api(app.token, "POST", "/api/v1/accounts", { password: "correct horse battery", agreement: true, locale: "en", ...fields }, ip);
}

async function mode(...args: string[]): Promise<void> {
  const result = await server.cli(["registrations", ...args]);
  assert.equal(result.code, 0, result.stderr);
  // Servers cache the settings for up to 2 s: wait until the sign-up page shows the new ones.
  const minAge = args.includes("--min-age") ? args[args.indexOf("--min-age") + 1] : null;
  await eventually(async () => {
    const page = await (await fetch(`${server.url}/auth/sign_up`)).text();
    if (!page.includes(`data-mode="${args[0]}"`)) return false;
    return minAge === null || args[0] === "closed" || page.includes(`data-min-age="${minAge === "none" ? "" : minAge}"`);
  }, 10_000, `mode ${args.join(" ")}`);
}

async function passwordGrant(username: string, password: string): Promise<{ status: number; body: any }> {
  return api(null, "POST", "/oauth/token", { grant_type: "password", client_id: app.clientId, client_secret: app.clientSecret, username, password, scope: "read write" });
}

// ---- tests (in order: the mode changes as they go) ----

test("open: masto.js signs up with an app token; the unconfirmed token sees itself only; the mailed link confirms; then it posts", async () => {
  const instance = (await api(null, "GET", "/api/v2/instance")).body;
  assert.deepEqual(instance.registrations, { enabled: true, approval_required: false, reason_required: false, message: null, url: `${server.url}/auth/sign_up`, min_age: null });
  assert.equal((await api(null, "GET", "/api/v1/instance")).body.registrations, true);
  assert.equal((await api(null, "GET", "/nodeinfo/2.0")).body.openRegistrations, true);

  const appClient = createRestAPIClient({ url: server.url, accessToken: app.token });
  const token = await appClient.v1.accounts.create({ username: "newbie", email: "newbie@example.com", password: "correct horse battery", agreement: true, locale: "en" });
  assert.ok(token.accessToken);
  const client = createRestAPIClient({ url: server.url, accessToken: token.accessToken });
  const me = await client.v1.accounts.verifyCredentials();
  assert.equal(me.username, "newbie");

  const refused = await api(token.accessToken, "GET", "/api/v1/timelines/home");
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { error: "Your login is missing a confirmed e-mail address" });
  await assert.rejects(client.v1.statuses.create({ status: "too early" }), rejectsWith(403));

  const mail = await smtp.waitFor((m) => m.to.includes("newbie@example.com") && m.headers["x-skein-kind"] === "confirmation", "confirmation mail", 30_000);
  const link = mail.links.find((l) => new URL(l).pathname === "/auth/confirmation");
  assert.ok(link, mail.text);
  assert.equal((await fetch(link)).status, 200);
  const status = await client.v1.statuses.create({ status: "hello, I am new here" });
  assert.equal(status.account.username, "newbie");
  // The password grant works for the new account too.
  assert.equal((await passwordGrant("newbie", "correct horse battery")).status, 200);
});

test("every 422 detail, as Mastodon's body", async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ username: "", email: "a1@example.com" }, "username", "ERR_BLANK"],
    [{ username: "newbie", email: "a2@example.com" }, "username", "ERR_TAKEN"],
    [{ username: "NEWBIE", email: "a2b@example.com" }, "username", "ERR_TAKEN"],
    [{ username: "bad-name!", email: "a3@example.com" }, "username", "ERR_INVALID"],
    [{ username: "x".repeat(31), email: "a4@example.com" }, "username", "ERR_TOO_LONG"],
    [{ username: "admin", email: "a5@example.com" }, "username", "ERR_RESERVED"],
    [{ username: "postmaster", email: "a5b@example.com" }, "username", "ERR_RESERVED"],
    [{ username: "r00t", email: "a5c@example.com" }, "username", "ERR_RESERVED"],
    [{ username: "fresh1", email: "" }, "email", "ERR_BLANK"],
    [{ username: "fresh2", email: "not-an-address" }, "email", "ERR_INVALID"],
    [{ username: "fresh3", email: "NEWBIE@example.com" }, "email", "ERR_TAKEN"],
    [{ username: "fresh4", email: "a6@example.com", password: "short" }, "password", "ERR_TOO_SHORT"],
    [{ username: "fresh5", email: "a7@example.com", password: "" }, "password", "ERR_BLANK"],
    [{ username: "fresh6", email: "a8@example.com", agreement: false }, "agreement", "ERR_ACCEPTED"],
    [{ username: "fresh7", email: "a9@example.com", invite_code: "nosuchcode" }, "invite_code", "ERR_INVALID"],
  ];
  for (const [fields, field, code] of cases) {
    const res = await register(fields);
    assert.equal(res.status, 422, `${JSON.stringify(fields)} → ${JSON.stringify(res.body)}`);
    assert.match(res.body.error, /^Validation failed: /);
    assert.equal(res.body.details[field]?.[0]?.error, code, `${JSON.stringify(fields)} → ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.details[field][0].description, "string");
  }
  // Several problems at once, each under its field.
  const many = await register({ username: "admin", email: "bad", password: "x", agreement: false });
  assert.deepEqual(Object.keys(many.body.details).sort(), ["agreement", "email", "password", "username"]);
  // A user token cannot register accounts.
  assert.equal((await api(admin.token, "POST", "/api/v1/accounts", { username: "sneaky", email: "s@example.com", password: "correct horse battery", agreement: true })).status, 403);
  // Nothing was created by any of these.
  assert.equal((await sql("select count(*) as n from accounts where username like 'fresh%'"))[0].n, "0");
});

test("the moderators' username blocks: partial match with look-alikes folded, exact match", async () => {
  assert.equal((await server.cli(["usernames", "block", "spammer"])).code, 0);
  assert.equal((await server.cli(["usernames", "block", "bob", "--exact"])).code, 0);
  assert.match((await server.cli(["usernames", "list"])).stdout, /spammer\tspammer\tpartial/);
  for (const name of ["spammer", "best_5pamm3r_ever", "SPAMMER99"]) {
    assert.equal((await register({ username: name, email: `${name.toLowerCase()}@example.com` })).body.details?.username?.[0]?.error, "ERR_RESERVED", name);
  }
  // Cyrillic "а" in "аdmin" folds to the reserved "admin".
  assert.equal((await register({ username: "аdmin", email: "cyr@example.com" })).body.details?.username?.[0]?.error, "ERR_INVALID");
  assert.equal((await register({ username: "b0b", email: "b0b@example.com" })).body.details?.username?.[0]?.error, "ERR_RESERVED");
  assert.equal((await register({ username: "bobby", email: "bobby@example.com" })).status, 200, "an exact block leaves longer names free");
  assert.equal((await server.cli(["usernames", "unblock", "spammer"])).code, 0);
  assert.equal((await register({ username: "spammer", email: "spammer@example.com" })).status, 200);
});

test("sign-up blocks: a blocked e-mail domain is ERR_BLOCKED; an IP needing approval makes the account pending", async () => {
  assert.equal((await api(admin.token, "POST", "/api/v1/admin/email_domain_blocks", { domain: "spam.example" })).status, 200);
  const blocked = await register({ username: "fromspam", email: "x@spam.example" });
  assert.equal(blocked.status, 422);
  assert.equal(blocked.body.details.email[0].error, "ERR_BLOCKED");
  assert.equal((await api(admin.token, "POST", "/api/v1/admin/ip_blocks", { ip: "203.0.113.0/24", severity: "sign_up_requires_approval" })).status, 200);
  assert.equal((await api(admin.token, "POST", "/api/v1/admin/ip_blocks", { ip: "192.0.2.0/24", severity: "sign_up_block" })).status, 200);
  const pending = await register({ username: "fromnet", email: "fromnet@example.com" }, "203.0.113.7");
  assert.equal(pending.status, 200);
  assert.equal((await sql("select u.approved from users u join accounts a on a.id = u.account_id where a.username = 'fromnet'"))[0].approved, "0");
  const ipBlocked = await register({ username: "fromblocked", email: "fromblocked@example.com" }, "192.0.2.9");
  assert.equal(ipBlocked.status, 422);
  assert.equal(ipBlocked.body.details.email[0].error, "ERR_BLOCKED");
});

test("rate limit: the sixth sign-up from one address in 30 minutes is 429", async () => {
  const ip = "198.51.100.250";
  for (let i = 0; i < 5; i++) assert.equal((await register({ username: "", email: `rl${i}@example.com` }, ip)).status, 422);
  const sixth = await register({ username: "ratelimited", email: "rl@example.com" }, ip);
  assert.equal(sixth.status, 429);
  assert.deepEqual(sixth.body, { error: "Too many requests" });
});

test("minimum age and the terms of service", async () => {
  const terms = await api(null, "GET", "/api/v1/instance/terms_of_service");
  assert.equal(terms.status, 200);
  assert.equal(terms.body.effective, true);
  assert.match(terms.body.content, /<p>No spam &amp; no abuse\.<\/p>/);
  assert.match(terms.body.effective_date, /^\d{4}-\d{2}-\d{2}$/);

  await mode("open", "--min-age", "16");
  assert.equal((await api(null, "GET", "/api/v2/instance")).body.registrations.min_age, 16);
  const year = new Date().getUTCFullYear();
  assert.equal((await register({ username: "nodob", email: "nodob@example.com" })).body.details?.date_of_birth?.[0]?.error, "ERR_BLANK");
  assert.equal((await register({ username: "young", email: "young@example.com", date_of_birth: `${year - 10}-01-01` })).body.details?.date_of_birth?.[0]?.error, "ERR_BELOW_LIMIT");
  assert.equal((await register({ username: "badday", email: "badday@example.com", date_of_birth: "2001-02-30" })).body.details?.date_of_birth?.[0]?.error, "ERR_INVALID");
  assert.equal((await register({ username: "grownup", email: "grownup@example.com", date_of_birth: `${year - 30}-06-15` })).status, 200);
  await mode("open", "--min-age", "none");
});

test("approval: reason required, moderators get admin.sign_up, no sign-in until approved through the admin API", async () => {
  await mode("approval", "--reason-required");
  const instance = (await api(null, "GET", "/api/v2/instance")).body;
  assert.equal(instance.registrations.reason_required, true);
  assert.equal((await api(null, "GET", "/api/v1/instance")).body.approval_required, true);
  assert.equal((await api(null, "GET", "/nodeinfo/2.0")).body.openRegistrations, false);
  assert.equal((await register({ username: "hopeful", email: "hopeful@example.com" })).body.details?.reason?.[0]?.error, "ERR_BLANK");
  const created = await register({ username: "hopeful", email: "hopeful@example.com", reason: "I knit and want to talk about it" });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  // The pending account's token is no good yet, and neither is its password.
  assert.equal((await api(created.body.access_token, "GET", "/api/v1/accounts/verify_credentials")).status, 401);
  assert.equal((await passwordGrant("hopeful", "correct horse battery")).status, 400);

  const notifications = (await api(admin.token, "GET", "/api/v1/notifications?types[]=admin.sign_up")).body;
  const signUp = notifications.find((n: any) => n.account.username === "hopeful");
  assert.ok(signUp, JSON.stringify(notifications));
  assert.equal(signUp.type, "admin.sign_up");
  const listed = (await api(admin.token, "GET", "/api/v1/admin/accounts?pending=true")).body;
  const row = listed.find((a: any) => a.username === "hopeful");
  assert.equal(row.invite_request, "I knit and want to talk about it");
  assert.equal((await api(admin.token, "POST", `/api/v1/admin/accounts/${row.id}/approve`)).status, 200);
  assert.equal((await passwordGrant("hopeful", "correct horse battery")).status, 200);
});

test("invite: refused without, accepted with (invited_by recorded), used up after max_uses, expired; /invite/CODE", async () => {
  await mode("invite");
  assert.equal((await api(null, "GET", "/api/v1/instance")).body.invites_enabled, true);
  const without = await register({ username: "uninvited", email: "uninvited@example.com" });
  assert.equal(without.status, 403);
  assert.equal(typeof without.body.error, "string");

  const invite = (await api(admin.token, "POST", "/api/v1/invites", { max_uses: 1, expires_in: 86400 })).body;
  assert.match(invite.code, /^[A-Za-z0-9]{8,}$/);
  assert.equal(invite.url, `${server.url}/invite/${invite.code}`);
  const page = await fetch(invite.url, { redirect: "manual" });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), `/auth/sign_up?invite_code=${invite.code}`);

  const welcomed = await register({ username: "invitee", email: "invitee@example.com", invite_code: invite.code });
  assert.equal(welcomed.status, 200, JSON.stringify(welcomed.body));
  const invitee = (await api(admin.token, "GET", "/api/v1/admin/accounts?username=invitee")).body.find((a: any) => a.username === "invitee");
  assert.equal(invitee.invited_by_account_id, admin.id);
  assert.equal(invitee.approved, true);

  const again = await register({ username: "second", email: "second@example.com", invite_code: invite.code });
  assert.equal(again.status, 422);
  assert.equal(again.body.details.invite_code[0].error, "ERR_INVALID");
  assert.equal((await fetch(invite.url)).status, 410);
  const listed = (await api(admin.token, "GET", "/api/v1/invites")).body;
  assert.equal(listed.find((i: any) => i.code === invite.code).uses, 1);

  // An invite whose expiry has passed (moved into the past in the database).
  const expiring = (await api(admin.token, "POST", "/api/v1/invites", { expires_in: 1800 })).body;
  await sql("update invites set expires_at = ? where code = ?", [new Date(Date.now() - 1000).toISOString(), expiring.code]);
  assert.equal((await register({ username: "late", email: "late@example.com", invite_code: expiring.code })).body.details?.invite_code?.[0]?.error, "ERR_INVALID");
  assert.match(await (await fetch(`${server.url}/invite/${expiring.code}`)).text(), /expired/);

  // Revoked, through the API; and from the CLI.
  const revokable = (await api(admin.token, "POST", "/api/v1/invites", {})).body;
  assert.equal((await api(admin.token, "DELETE", `/api/v1/invites/${revokable.id}`)).body.state, "revoked");
  assert.equal((await register({ username: "revoked", email: "revoked@example.com", invite_code: revokable.code })).status, 422);
  const cliInvite = await server.cli(["invites", "create", "--max-uses", "2", "--expires", "1h"]);
  assert.equal(cliInvite.code, 0, cliInvite.stderr);
  const cliCode = cliInvite.stdout.split("\t")[0].trim();
  assert.equal((await register({ username: "viacli", email: "viacli@example.com", invite_code: cliCode })).status, 200);
  assert.equal((await server.cli(["invites", "revoke", cliCode])).code, 0);
  assert.equal((await register({ username: "viacli2", email: "viacli2@example.com", invite_code: cliCode })).status, 422);
  // Out-of-range invites are refused.
  assert.equal((await api(admin.token, "POST", "/api/v1/invites", { max_uses: 101 })).status, 422);
  assert.equal((await api(admin.token, "POST", "/api/v1/invites", { expires_in: 5 })).status, 422);
});

test("the sign-up page: the form, errors per field, the check-your-e-mail page; the sign-in page links to it", async () => {
  await mode("open");
  assert.match(await (await fetch(`${server.url}/auth/sign_in`)).text(), /href="\/auth\/sign_up"/);
  const browser = new Browser();
  const form = await browser.request(`${server.url}/auth/sign_up`);
  assert.equal(form.status, 200);
  const { fields: all, action } = readForm(await form.text());
  const { agreement: _checkbox, ...fields } = all; // readForm lists the checkbox; an unticked box is not sent
  // Without the CSRF token nothing happens.
  const forged = await new Browser().request(`${server.url}${action}`, { form: { username: "forged", email: "forged@example.com", password: "correct horse battery", agreement: "1" } });
  assert.ok(forged.status >= 400);
  const wrong = await browser.request(`${server.url}${action}`, { form: { ...fields, username: "newbie", email: "web@example.com", password: "correct horse battery" } });
  assert.equal(wrong.status, 422);
  const wrongPage = await wrong.text();
  assert.match(wrongPage, /id="error-username">has already been taken/);
  assert.match(wrongPage, /id="error-agreement">must be accepted/);
  const done = await browser.request(`${server.url}${action}`, { form: { ...fields, username: "webby", email: "webby@example.com", password: "correct horse battery", agreement: "1" } });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /Check your e-mail/);
  await smtp.waitFor((m) => m.to.includes("webby@example.com"), "webby's confirmation", 30_000);
});

test("closed: 403 from the API, the page says so", async () => {
  await mode("closed");
  const res = await register({ username: "toolate", email: "toolate@example.com" });
  assert.equal(res.status, 403);
  assert.equal(typeof res.body.error, "string");
  assert.equal((await api(null, "GET", "/api/v2/instance")).body.registrations.url, null);
  assert.match(await (await fetch(`${server.url}/auth/sign_up`)).text(), /Registrations are closed/);
});
