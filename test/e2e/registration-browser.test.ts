// The sign-up pages in real Chromium (Debian's, over the DevTools protocol: test/support/chromium.ts):
// from the sign-in page's link to the form (approval mode: the reason field), errors shown per
// field, the "check your e-mail" page, the link from the mail confirming the address, and an
// invite link prefilling the code (and a used-up one explaining itself). Screenshots of each
// page are kept in test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { launchChromium, type Chromium, type ChromiumPage } from "../support/chromium.ts";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtp;
let contract: ContractLog;
let chromium: Chromium;
let page: ChromiumPage;
let admin: AdminUser;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url(), REGISTRATIONS: "approval", INSTANCE_TITLE: "Sign-up Pages" } });
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "keeper", "admin");
  chromium = await launchChromium();
  page = await chromium.newPage();
});

after(async () => {
  await chromium?.close();
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await smtp?.stop();
});

const at = async (p: ChromiumPage) => new URL(await p.url()).pathname;

test("sign up in approval mode: errors per field, then the check-your-e-mail page, then the mailed link confirms", async () => {
  await page.goto(`${server.url}/auth/sign_in`);
  await page.click("a[href='/auth/sign_up']");
  assert.equal(await at(page), "/auth/sign_up");
  assert.ok(await page.exists("#reason"), "approval mode asks for a reason");
  await page.screenshot("registration-01-sign-up");

  await page.fill("#username", "keeper");
  await page.fill("#email", "mine@example.com");
  await page.fill("#password", "correct horse battery");
  await page.click("form[action='/auth/sign_up'] button");
  assert.match(await page.text("#error-username"), /has already been taken/);
  assert.match(await page.text("#error-agreement"), /must be accepted/);
  await page.screenshot("registration-02-errors");

  await page.fill("#username", "weaver");
  await page.fill("#password", "correct horse battery");
  await page.fill("#reason", "I weave and would like to show my work");
  await page.setChecked("#agreement", true);
  await page.click("form[action='/auth/sign_up'] button");
  assert.match(await page.text("#check-email"), /mine@example\.com/);
  assert.ok(await page.exists("#pending"), "the page says a moderator will review the account");
  await page.screenshot("registration-03-check-email");

  const mail = await smtp.waitFor((m) => m.to.includes("mine@example.com") && m.headers["x-skein-kind"] === "confirmation", "confirmation", 30_000);
  const link = mail.links.find((l) => new URL(l).pathname === "/auth/confirmation");
  assert.ok(link, mail.text);
  await page.goto(link);
  await page.screenshot("registration-04-confirmed");
  const pending = await (await fetch(`${server.url}/api/v1/admin/accounts?pending=true`, { headers: { Authorization: `Bearer ${admin.token}` } })).json();
  const weaver = pending.find((a: { username: string }) => a.username === "weaver");
  assert.ok(weaver, "the account waits for approval");
  assert.equal(weaver.invite_request, "I weave and would like to show my work");
  assert.equal(weaver.confirmed, true);
});

test("an invite link fills in the code; a used-up one says so", async () => {
  const res = await fetch(`${server.url}/api/v1/invites`, { method: "POST", headers: { Authorization: `Bearer ${admin.token}`, "Content-Type": "application/json" }, body: JSON.stringify({ max_uses: 1 }) });
  const invite = await res.json();
  await page.goto(invite.url);
  assert.equal(await at(page), "/auth/sign_up");
  assert.equal(await page.evaluate<string>("document.querySelector('#invite_code').value"), invite.code);
  await page.screenshot("registration-05-invite");
  await page.fill("#username", "invited");
  await page.fill("#email", "invited@example.com");
  await page.fill("#password", "correct horse battery");
  await page.setChecked("#agreement", true);
  await page.click("form[action='/auth/sign_up'] button");
  assert.match(await page.text("#check-email"), /invited@example\.com/);
  assert.equal(await page.exists("#pending"), false, "an invited account needs no approval");

  await page.goto(invite.url);
  assert.match(await page.text("#invite-invalid"), /used up/);
  await page.screenshot("registration-06-invite-used");
});
