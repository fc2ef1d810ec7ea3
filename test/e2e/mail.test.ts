// E-mail end to end: a Skein server sending through a real SMTP server on loopback
// (test/support/smtp.ts), the mails read as delivered and their links followed — confirmation
// (and resending it through masto.js), password reset, used and expired links, moderators'
// warning and approval mails; mails queued while the SMTP server is down or refuses our
// credentials arrive once it accepts them, across a restart of Skein too; and without SMTP, the
// DATA_DIR/mail folder read by `./skein mail list`. Every JSON answer is checked against the contract.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRestAPIClient } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, tokenFor, type AdminUser } from "../support/admin-clients.ts";
import { startSmtp, type DeliveredMail, type TestSmtp } from "../support/smtp.ts";
import { Browser, readForm } from "../support/browser.ts";
import { eventually } from "../support/federation-fleet.ts";
import { queryRows } from "../support/server-db.ts";
import { rejectsWith } from "../support/e2e.ts";

let smtp: TestSmtp;
let server: TestServer;
let contract: ContractLog;
let admin: AdminUser;
const extraServers: TestServer[] = [];

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url(), SMTP_FROM: "Skein Tests <mailer@skein.test>", INSTANCE_TITLE: "Mail Test" } });
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "boss", "admin");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  for (const s of extraServers) await s.stop();
  await server?.stop();
  await smtp?.stop();
});

// ---- helpers ----

/** SQL on a server's database beside it: fixtures no API makes (an unconfirmed user, an expired link). */
const sql = queryRows;

/** A local user whose address is not confirmed yet (as after sign-up), with a token. */
async function unconfirmedUser(username: string): Promise<AdminUser> {
  const user = await adminUser(server, username, "user", "read write");
  await sql(server, "update users set confirmed_at = null where account_id = ?", [user.id]);
  return user;
}

const mailTo = (address: string, kind: string) => (m: DeliveredMail) => m.to.includes(address) && m.headers["x-skein-kind"] === kind;
const count = (address: string, kind: string) => smtp.messages.filter(mailTo(address, kind)).length;

/** Waits for the next mail of `kind` to `address` after the `seen` ones. */
async function nextMail(address: string, kind: string, seen: number): Promise<DeliveredMail> {
  await eventually(async () => count(address, kind) > seen, 30_000, `mail #${seen + 1} (${kind}) to ${address}`);
  return smtp.messages.filter(mailTo(address, kind))[seen];
}

/** The link of a mail, pointed at the server's real address (LOCAL_DOMAIN is host:port of it anyway). */
function linkIn(mail: DeliveredMail, pathPrefix: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === pathPrefix);
  assert.ok(link, `no ${pathPrefix} link in: ${mail.text}`);
  return link;
}

async function api(token: string | null, method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function passwordGrant(username: string, password: string): Promise<number> {
  const app = await api(null, "POST", "/api/v1/apps", { client_name: "grant check", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" });
  const res = await fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "password", client_id: app.body.client_id, client_secret: app.body.client_secret, username, password, scope: "read" }),
  });
  await res.body?.cancel();
  return res.status;
}

/** Asks for a reset link on the web form, as a person would. */
async function askForReset(email: string): Promise<void> {
  const browser = new Browser();
  const form = await browser.request(`${server.url}/auth/password/new`);
  assert.equal(form.status, 200);
  const { fields, action } = readForm(await form.text());
  const sent = await browser.request(`${server.url}${action}`, { form: { ...fields, email } });
  assert.equal(sent.status, 200);
  assert.match(await sent.text(), /Check your mail/);
}

// ---- tests ----

test("confirmation: the link mailed through SMTP confirms the address; resending through masto.js (to a new address) retires the old link; 403 once confirmed", async () => {
  const user = await unconfirmedUser("newcomer");
  const client = createRestAPIClient({ url: server.url, accessToken: user.token });
  assert.equal((await api(user.token, "GET", "/api/v1/emails/check_confirmation")).body, false);

  await client.v1.emails.confirmations.create();
  const first = await nextMail("newcomer@example.com", "confirmation", 0);
  assert.equal(first.subject, "Confirm your e-mail address for Mail Test");
  assert.match(first.headers.from, /mailer@skein\.test/);
  const firstLink = linkIn(first, "/auth/confirmation");
  assert.match(firstLink, /^http:\/\/127\.0\.0\.1:\d+\/auth\/confirmation\?confirmation_token=[\w-]{43}$/);

  // A new address for the unconfirmed account: the mail goes there, and the first link is void.
  await client.v1.emails.confirmations.create({ email: "newcomer@elsewhere.example" });
  const second = await nextMail("newcomer@elsewhere.example", "confirmation", 0);
  const stale = await fetch(firstLink);
  assert.equal(stale.status, 410);
  assert.match(await stale.text(), /cannot be used/);

  const confirmed = await fetch(linkIn(second, "/auth/confirmation"));
  assert.equal(confirmed.status, 200);
  const page = await confirmed.text();
  assert.match(page, /Your e-mail address is confirmed/);
  assert.match(page, /newcomer@elsewhere\.example/);
  assert.match(page, /href="\/auth\/sign_in"/);
  assert.equal((await api(user.token, "GET", "/api/v1/emails/check_confirmation")).body, true);
  const admin1 = await api(admin.token, "GET", `/api/v1/admin/accounts/${user.id}`);
  assert.equal(admin1.body.confirmed, true);
  assert.equal(admin1.body.email, "newcomer@elsewhere.example");

  // The same link again, and resending once confirmed, are refused.
  const again = await fetch(linkIn(second, "/auth/confirmation"));
  assert.equal(again.status, 410);
  assert.match(await again.text(), /already been used/);
  await assert.rejects(client.v1.emails.confirmations.create(), rejectsWith(403));
});

test("confirmation resend: an address someone else has is refused (422), a malformed one too, and a sixth mail within the hour is 429", async () => {
  const user = await unconfirmedUser("repeater");
  assert.equal((await api(user.token, "POST", "/api/v1/emails/confirmations", { email: "boss@example.com" })).status, 422);
  assert.equal((await api(user.token, "POST", "/api/v1/emails/confirmations", { email: "not an address" })).status, 422);
  for (let i = 0; i < 5; i++) assert.equal((await api(user.token, "POST", "/api/v1/emails/confirmations")).status, 200);
  const limited = await api(user.token, "POST", "/api/v1/emails/confirmations");
  assert.equal(limited.status, 429);
  // Each request replaced the link before it: a mail whose link was replaced before it left is
  // not sent, and only the newest link works.
  await eventually(async () => (await sql(server, "select count(*) as n from jobs where queue like '%mail'"))[0].n === "0", 30_000, "the mail queue to empty");
  const mails = smtp.messages.filter(mailTo("repeater@example.com", "confirmation"));
  assert.ok(mails.length >= 1 && mails.length <= 5, `${mails.length} mails`);
  for (const stale of mails.slice(0, -1)) assert.equal((await fetch(linkIn(stale, "/auth/confirmation"))).status, 410);
  assert.equal((await fetch(linkIn(mails.at(-1)!, "/auth/confirmation"))).status, 200);
});

test("password reset: form → mail → new password; the old password and the old tokens stop working, the link works once", async () => {
  const user = await adminUser(server, "forgetful", "user", "read write");
  // The sign-in page leads to the reset form.
  const signIn = await (await fetch(`${server.url}/auth/sign_in`)).text();
  assert.match(signIn, /href="\/auth\/password\/new"/);

  await askForReset("Forgetful@Example.com");
  const mail = await nextMail("forgetful@example.com", "password_reset", 0);
  const link = linkIn(mail, "/auth/password/edit");

  const browser = new Browser();
  const formPage = await browser.request(link);
  assert.equal(formPage.status, 200);
  const { action, fields } = readForm(await formPage.text());
  // Two different passwords: the form comes back, nothing changes.
  const mismatch = await browser.request(`${server.url}${action}`, { form: { ...fields, password: "a new secret 1", password_confirmation: "a new secret 2" } });
  assert.equal(mismatch.status, 422);
  assert.equal(await passwordGrant("forgetful", user.password), 200);

  const done = await browser.request(`${server.url}${action}`, { form: { ...fields, password: "correct horse battery", password_confirmation: "correct horse battery" } });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /Your password was changed/);

  assert.equal(await passwordGrant("forgetful", user.password), 400, "the old password no longer signs in");
  assert.equal(await passwordGrant("forgetful", "correct horse battery"), 200, "the new one does");
  assert.equal((await api(user.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "tokens issued before the reset are revoked");
  const notice = await nextMail("forgetful@example.com", "password_changed", 0);
  assert.match(notice.text, /password of your account was just changed/);

  // The link is used up: its page and its form both refuse it.
  const reused = await browser.request(link);
  assert.equal(reused.status, 410);
  assert.match(await reused.text(), /already been used/);
  const replay = await browser.request(`${server.url}${action}`, { form: { ...fields, password: "yet another one", password_confirmation: "yet another one" } });
  assert.equal(replay.status, 410);
  assert.equal(await passwordGrant("forgetful", "yet another one"), 400);
});

test("password reset: an unknown address gets the same answer and no mail; an expired link is refused", async () => {
  const before = smtp.messages.length;
  await askForReset("nobody@nowhere.example");
  await adminUser(server, "late", "user", "read");
  await askForReset("late@example.com");
  const mail = await nextMail("late@example.com", "password_reset", 0);
  assert.equal(smtp.messages.slice(before).filter((m) => m.to.includes("nobody@nowhere.example")).length, 0, "nothing went to the unknown address");

  await sql(server, "update email_tokens set expires_at = ? where email = ? and kind = 'password_reset'", ["2020-01-01T00:00:00.000Z", "late@example.com"]);
  const expired = await fetch(linkIn(mail, "/auth/password/edit"));
  assert.equal(expired.status, 410);
  assert.match(await expired.text(), /expired/);
  // A made-up token is refused the same way.
  const forged = await fetch(`${server.url}/auth/password/edit?reset_password_token=${"A".repeat(43)}`);
  assert.equal(forged.status, 410);
  // Only hashes are stored: the token in the link is nowhere in the table (nor in a queued job).
  const token = new URL(linkIn(mail, "/auth/password/edit")).searchParams.get("reset_password_token")!;
  const rows = await sql(server, "select token_hash from email_tokens where email = ?", ["late@example.com"]);
  assert.equal(rows.length, 1);
  assert.notEqual(rows[0].token_hash, token);
  assert.equal(rows[0].token_hash?.length, 64);
});

test("moderation: a warning with send_email_notification mails the account; without it, nothing; approval and rejection are mailed", async () => {
  const target = await adminUser(server, "rulebreaker", "user", "read");
  const warned = await api(admin.token, "POST", `/api/v1/admin/accounts/${target.id}/action`, { type: "none", text: "Please stop posting spoilers untagged.", send_email_notification: true });
  assert.equal(warned.status, 200, JSON.stringify(warned.body));
  const warning = await nextMail("rulebreaker@example.com", "warning", 0);
  assert.match(warning.text, /Please stop posting spoilers untagged\./);
  assert.match(warning.subject, /moderation notice/);

  const silenced = await api(admin.token, "POST", `/api/v1/admin/accounts/${target.id}/action`, { type: "silence", text: "quiet", send_email_notification: false });
  assert.equal(silenced.status, 200);

  const pending = await adminUser(server, "hopeful", "user", "read");
  const doomed = await adminUser(server, "spambot", "user", "read");
  await sql(server, "update users set approved = 0 where account_id in (?, ?)", [pending.id, doomed.id]);
  assert.equal((await api(admin.token, "POST", `/api/v1/admin/accounts/${pending.id}/approve`)).status, 200);
  assert.equal((await api(admin.token, "POST", `/api/v1/admin/accounts/${doomed.id}/reject`)).status, 200);
  const approved = await nextMail("hopeful@example.com", "approved", 0);
  assert.match(approved.text, /approved your sign-up/);
  assert.ok(approved.links.some((l) => l.endsWith("/auth/sign_in")));
  const rejected = await nextMail("spambot@example.com", "rejected", 0);
  assert.match(rejected.text, /did not accept your sign-up/);
  // The silence was not mailed: by the time the approval mails arrived, it would have been.
  assert.equal(count("rulebreaker@example.com", "warning"), 1);
});

test("durability: a mail queued while the SMTP server is down survives a restart of Skein and arrives once the SMTP server is back", async () => {
  await adminUser(server, "patient", "user", "read");
  await smtp.stop();
  await askForReset("patient@example.com");
  // The first attempt fails and the job waits for a retry.
  await eventually(async () => {
    const rows = await sql(server, "select attempts, last_error from jobs where queue = 'mail'");
    return rows.length === 1 && Number(rows[0].attempts) >= 1 && rows[0].last_error !== null;
  }, 30_000, "a failed attempt recorded on the queued mail");
  const listed = await server.cli(["mail", "list"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /1 mail\(s\) waiting to be sent/);

  // Skein stops and starts again on the same database; then the SMTP server comes back.
  process.kill(server.pid, "SIGTERM");
  await eventually(async () => fetch(`${server.url}/health`).then(() => false, () => true), 30_000, "the first server to stop");
  const restarted = await startServer({ sameDatabaseAs: server, env: { SMTP_URL: smtp.url(), INSTANCE_TITLE: "Mail Test" } });
  extraServers.push(restarted);
  await smtp.start();
  const mail = await nextMail("patient@example.com", "password_reset", 0);
  assert.match(mail.subject, /Reset your password/);
  await eventually(async () => (await sql(restarted, "select count(*) as n from jobs where queue like '%mail'"))[0].n === "0", 20_000, "the job deleted once delivered");
});

test("SMTP AUTH required and our password wrong: the mail is retried, not lost, and arrives once the password is right", async () => {
  const guarded = await startSmtp({ auth: { user: "skein", pass: "right-password" } });
  const other = await startServer({ env: { SMTP_URL: guarded.url({ user: "skein", pass: "wrong-password" }) } });
  extraServers.push(other);
  try {
    const queued = await other.cli(["mail", "test", "operator@example.com"]);
    assert.equal(queued.code, 0, queued.stderr);
    await eventually(async () => guarded.authFailures >= 2, 30_000, "two refused attempts");
    assert.equal(guarded.messages.length, 0);
    // The mail server's operator sets the password Skein uses: the next retry gets through.
    guarded.setPassword("wrong-password");
    const mail = await guarded.waitFor((m) => m.to.includes("operator@example.com"), "the test mail", 40_000);
    assert.match(mail.text, /outgoing mail works/);
  } finally {
    await guarded.stop();
  }
});

test("no SMTP configured: mails are written to DATA_DIR/mail and `./skein mail list` / `show` give their links", async () => {
  const plain = await startServer({ env: { INSTANCE_TITLE: "Folder Test" } });
  extraServers.push(plain);
  await plain.cli(["accounts", "create", "solo", "--email", "solo@example.com"]);
  const browser = new Browser();
  const form = await browser.request(`${plain.url}/auth/password/new`);
  const { fields, action } = readForm(await form.text());
  assert.equal((await browser.request(`${plain.url}${action}`, { form: { ...fields, email: "solo@example.com" } })).status, 200);

  const listed = await eventually(async () => {
    const result = await plain.cli(["mail", "list"]);
    return result.code === 0 && result.stdout.includes("reset_password_token=") ? result.stdout : null;
  }, 30_000, "the reset mail in ./skein mail list");
  assert.match(listed, /to solo@example\.com/);
  assert.match(listed, /Reset your password on Folder Test/);
  const id = /^(\d{8}T\d{6}Z-[0-9a-f]{8})\s/m.exec(listed)?.[1];
  assert.ok(id, listed);
  const link = /(http\S+reset_password_token=\S+)/.exec(listed)![1];
  assert.equal((await fetch(link)).status, 200, "the listed link opens the new-password form");

  const shown = await plain.cli(["mail", "show", id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^Subject: Reset your password on Folder Test$/m);
  assert.ok(shown.stdout.includes(link));
  const raw = await plain.cli(["mail", "show", id, "--raw"]);
  assert.match(raw.stdout, /^Message-ID: <[\w-]+@127\.0\.0\.1>$/m);
  const missing = await plain.cli(["mail", "show", "../../etc/passwd"]);
  assert.equal(missing.code, 2);
});
