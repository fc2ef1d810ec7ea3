// The admin and moderation console (/admin) in real Chromium, as moderators use it: a moderator
// signs in, sees the open report on the dashboard, opens it (the reporter's comment beside the
// reported posts), assigns it and resolves it with a suspension — and the API then says the
// account is suspended and the report resolved; an admin blocks a domain after the preview of
// what it severs — and the block is in GET /api/v1/admin/domain_blocks. Permissions are the API's:
// a user without a staff role gets 403 on /admin, a moderator 403 on the domain blocks (an admin's
// permission). A form post without its CSRF token is refused. axe-core finds no serious or
// critical problem on the dashboard, the report and the domain-block pages. The second round, in
// the same server and browser: an admin creates and revokes an invite, blocks an e-mail domain
// (and sign-up through the API is refused for it), allows a domain, subscribes to a list served on
// loopback and undoes one of the changes it made, gives a role on an account's page, adds terms of
// service; the domain-block preview counts the people here who lose a follower or a followee;
// the trends page draws the samples as SVG charts after one is taken through the service; the cost
// page measures in the background and shows the projection, storage and what was served; axe-core
// on each new page. Screenshots go to test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { startServer, type TestServer } from "../support/server.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { Browser, readForm } from "../support/browser.ts";
import { fixtureIds, insertFollow, insertRemoteAccount, queryRows } from "../support/server-db.ts";
import { launchChromium, type Chromium, type ChromiumPage } from "../support/chromium.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let chromium: Chromium;
let moderator: AdminUser;
let admin: AdminUser;
let alice: AdminUser;
let mallory: AdminUser;
let newbie: AdminUser;
let triager: AdminUser;
let reportId: string;
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const BAD_DOMAIN = "spam.example";

async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const nextId = fixtureIds(200_000_000_000_000n);
const sql = (query: string, params: unknown[] = []) => queryRows(server, query, params);

const remoteAccount = (username: string, domain: string) => insertRemoteAccount(server, nextId(), username, domain, "Spam Bot");

const follow = (from: string, to: string) => insertFollow(server, nextId(), from, to);

before(async () => {
  const browser = launchChromium();
  server = await startServer({ env: { INSTANCE_TITLE: "Admin Console Test" } });
  [moderator, admin, alice, mallory, newbie, triager, chromium] = await Promise.all([
    adminUser(server, "mod", "moderator"),
    adminUser(server, "boss", "admin"),
    adminUser(server, "alice", "user"),
    adminUser(server, "mallory", "user"),
    adminUser(server, "newbie", "user"),
    adminUser(server, "triager", "user"),
    browser,
  ]);
  // A sign-up waiting for approval, with the reason its person gave.
  await sql("update users set approved = 0, sign_up_reason = ? where account_id = ?", ["I run the local knitting club.", newbie.id]);
  const posts = [];
  for (const text of ["Buy cheap watches at totally-legit.example!", "Really, the cheapest watches. DM me."]) {
    const post = await api(mallory.token, "POST", "/api/v1/statuses", { status: text, visibility: "public" });
    assert.equal(post.status, 200, JSON.stringify(post.body));
    posts.push(post.body.id);
  }
  const report = await api(alice.token, "POST", "/api/v1/reports", { account_id: mallory.id, status_ids: posts, comment: "Spam in my mentions twice today.", category: "spam" });
  assert.equal(report.status, 200, JSON.stringify(report.body));
  reportId = report.body.id;
  // Two accounts of the domain to block, one followed by alice and one following her.
  const [spam1, spam2] = [await remoteAccount("spam1", BAD_DOMAIN), await remoteAccount("spam2", `eu.${BAD_DOMAIN}`)];
  await follow(alice.id, spam1);
  await follow(spam2, alice.id);
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

const at = async (p: ChromiumPage) => new URL(await p.url()).pathname;

async function signIn(page: ChromiumPage, user: AdminUser, path: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  assert.equal(await at(page), "/auth/sign_in", "a signed-out visitor is sent to sign in");
  await page.fill("#login", user.username);
  await page.fill("#password", user.password);
  await page.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(page), path, "and brought back");
}

async function axeProblems(page: ChromiumPage): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate<{ id: string; impact: string; help: string; targets: string[] }[]>(
    `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })))`,
  );
  return found.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.slice(0, 3).join(", ")}`);
}

/** A cookie-keeping client signed in through the real sign-in form. */
async function signedInBrowser(user: AdminUser): Promise<Browser> {
  const browser = new Browser();
  const form = readForm(await (await browser.request(`${server.url}/auth/sign_in`)).text());
  const res = await browser.request(new URL(form.action, server.url).toString(), { form: { ...form.fields, login: user.username, password: user.password } });
  assert.equal(res.status, 303);
  return browser;
}

test("permissions are the API's: no staff role, no console; a moderator has no domain blocks", async () => {
  const anonymous = await fetch(`${server.url}/admin`, { redirect: "manual" });
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.headers.get("location") ?? "", /^\/auth\/sign_in\?return_to=%2Fadmin/);

  const user = await signedInBrowser(alice);
  for (const path of ["/admin", "/admin/reports", `/admin/reports/${reportId}`, "/admin/accounts", "/admin/domain_blocks"]) {
    const res = await user.request(`${server.url}${path}`);
    assert.equal(res.status, 403, `${path} is refused to a user without a role`);
    assert.match(await res.text(), /Your role does not allow this page/);
  }
  const mod = await signedInBrowser(moderator);
  assert.equal((await mod.request(`${server.url}/admin/domain_blocks`)).status, 403, "blocking domains is an admin's (manage_federation)");
  assert.equal((await mod.request(`${server.url}/admin/instance`)).status, 403, "so are the server's settings");
  assert.equal((await mod.request(`${server.url}/admin/reports`)).status, 200);
});

test("a moderator resolves a report with a suspension, and the API says the account is suspended", async () => {
  const page = await chromium.newPage();
  await signIn(page, moderator, "/admin");
  assert.equal((await page.text("#open-reports")).replace(/\s+/g, " ").trim(), "1 open report");
  const nav = await page.text("nav.admin");
  assert.ok(nav.includes("Reports") && nav.includes("Accounts"));
  assert.ok(!nav.includes("Domain blocks"), "the navigation names only what the role may open");
  assert.match(await page.text("#queues"), /deliveries/, "the queues, as ./skein queue status prints them");
  assert.match(await page.text("#remote-media-cache"), /Remote media cache: 0 Bytes of its [\d.]+ [KMGT]B budget/);
  assert.deepEqual(await axeProblems(page), [], "the dashboard");
  await page.screenshot("admin-01-dashboard");

  await page.click("#open-reports");
  assert.equal(await at(page), "/admin/reports");
  const queue = await page.text("#reports");
  assert.match(queue, /mallory/);
  assert.match(queue, /Spam in my mentions twice today/);
  await page.click(`#reports a[href='/admin/reports/${reportId}']`);

  assert.equal(await page.text("#comment"), "Spam in my mentions twice today.");
  const posts = await page.text("#reported-posts");
  assert.match(posts, /Buy cheap watches/);
  assert.match(posts, /the cheapest watches/);
  await page.click("#assign");
  assert.match(await page.text("[role=status]"), /assigned to you/);
  assert.match(await page.text("#assignee"), /mod/);
  assert.deepEqual(await axeProblems(page), [], "the report page");
  await page.screenshot("admin-02-report");

  await page.click("#action-form input[value=suspend]", { navigates: false });
  await page.fill("#action-text", "Spam is against the rules here.");
  await page.click("#take-action");
  assert.match(await page.text("[role=status]"), /action was taken and the report resolved/);

  const account = await api(moderator.token, "GET", `/api/v1/admin/accounts/${mallory.id}`);
  assert.equal(account.body.suspended, true, "the account is suspended");
  const report = await api(moderator.token, "GET", `/api/v1/admin/reports/${reportId}`);
  assert.equal(report.body.action_taken, true, "the report is resolved");
  assert.equal(report.body.assigned_account.id, moderator.id);
  assert.equal((await api(mallory.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "the suspended account's token stops working");

  // The account's page keeps the history of what moderators did.
  await page.goto(`${server.url}/admin/accounts/${mallory.id}`);
  assert.match(await page.text("#account-state"), /suspended/);
  const history = await page.text("#history");
  assert.match(history, /suspend/);
  assert.match(history, /Spam is against the rules here/);
  assert.match(history, /mod/);
  // The queue has nothing open left; the resolved list has it.
  await page.goto(`${server.url}/admin/reports`);
  assert.equal(await page.exists("#no-reports"), true);
  await page.goto(`${server.url}/admin/reports?status=resolved`);
  assert.match(await page.text("#reports"), /mallory/);
});

test("an admin blocks a domain after the preview of what it severs", async () => {
  const page = await chromium.newPage();
  await signIn(page, admin, "/admin/domain_blocks");
  assert.equal(await page.exists("#no-blocks"), true);
  assert.deepEqual(await axeProblems(page), [], "the domain-block page");

  await page.fill("#domain", BAD_DOMAIN);
  await page.select("#severity", "suspend");
  await page.fill("#public_comment", "Spam factory");
  await page.click("#add-block button");
  assert.equal(await page.text("#preview-accounts"), "2", "the domain's and its subdomains' accounts");
  assert.equal(await page.text("#preview-following"), "1");
  assert.equal(await page.text("#preview-followers"), "1");
  assert.equal(await page.text("#preview-severed"), "2", "a suspension cuts both follows");
  const before = await api(admin.token, "GET", "/api/v1/admin/domain_blocks");
  assert.deepEqual(before.body, [], "the preview changes nothing");

  await page.click("#confirm-block");
  assert.match(await page.text("[role=status]"), /The domain is blocked/);
  assert.match(await page.text("#domain-blocks"), new RegExp(`${BAD_DOMAIN.replace(".", "\\.")}\\s+suspend`));
  await page.screenshot("admin-03-domain-blocks");
  const blocks = await api(admin.token, "GET", "/api/v1/admin/domain_blocks");
  assert.equal(blocks.status, 200);
  assert.deepEqual(blocks.body.map((b: any) => [b.domain, b.severity, b.public_comment]), [[BAD_DOMAIN, "suspend", "Spam factory"]]);

  // Blocking it again is refused on the preview, with the block that covers it named.
  await page.fill("#domain", `eu.${BAD_DOMAIN}`);
  await page.click("#add-block button");
  assert.match(await page.text("[role=alert]"), /spam\.example is already blocked \(suspend\)/);
  assert.equal(await page.exists("#confirm-block"), false);

  // The server's blocks export as Mastodon's CSV.
  const csv = await (await signedInBrowser(admin)).request(`${server.url}/admin/domain_blocks/export?format=csv`);
  assert.equal(csv.status, 200);
  assert.match(await csv.text(), new RegExp(`^#domain,#severity.*\\n${BAD_DOMAIN.replace(".", "\\.")},suspend`, "m"));
});

test("a form post without its CSRF token is refused and changes nothing", async () => {
  const mod = await signedInBrowser(moderator);
  const page = await mod.request(`${server.url}/admin/reports/${reportId}`);
  assert.equal(page.status, 200);
  const token = /name="authenticity_token" value="([^"]+)"/.exec(await page.text())![1];
  const forms: Record<string, string>[] = [{}, { authenticity_token: "x".repeat(32) }];
  for (const form of forms) {
    const res = await mod.request(`${server.url}/admin/reports/${reportId}/reopen`, { method: "POST", form });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /The form has expired or did not come from this site/, "said on a page");
  }
  assert.equal((await api(moderator.token, "GET", `/api/v1/admin/reports/${reportId}`)).body.action_taken, true, "still resolved");
  // With the token, the same post works.
  const res = await mod.request(`${server.url}/admin/reports/${reportId}/reopen`, { form: { authenticity_token: token } });
  assert.equal(res.status, 303);
  assert.equal((await api(moderator.token, "GET", `/api/v1/admin/reports/${reportId}`)).body.action_taken, false, "reopened");
});

test("a moderator approves a waiting sign-up; an admin previews an import and changes how sign-up works", async () => {
  const mod = await signedInBrowser(moderator);
  const waiting = await (await mod.request(`${server.url}/admin/accounts?status=pending`)).text();
  assert.match(waiting, /newbie/);
  assert.match(waiting, /I run the local knitting club\./, "with the reason given");
  assert.doesNotMatch(waiting, /mallory/);
  const token = /name="authenticity_token" value="([^"]+)"/.exec(waiting)![1];
  const approved = await mod.request(`${server.url}/admin/accounts/${newbie.id}/approve`, { method: "POST", form: { authenticity_token: token } });
  assert.equal(approved.status, 303);
  assert.equal((await api(moderator.token, "GET", `/api/v1/admin/accounts/${newbie.id}`)).body.approved, true);
  assert.match(await (await mod.request(`${server.url}/admin/accounts/${newbie.id}`)).text(), /<td>approve<\/td>/, "the approval is in the account's history");

  const boss = await signedInBrowser(admin);
  const bossToken = /name="authenticity_token" value="([^"]+)"/.exec(await (await boss.request(`${server.url}/admin/instance`)).text())![1];
  const list = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nworse.example,suspend,false,false,,false\n";
  const preview = await (await boss.request(`${server.url}/admin/domain_blocks/import`, { method: "POST", form: { authenticity_token: bossToken, format: "csv", text: list, dry_run: "true" } })).text();
  assert.match(preview, /The import would: 1 new/);
  assert.equal((await api(admin.token, "GET", "/api/v1/admin/domain_blocks")).body.length, 1, "a dry run changes nothing");

  const saved = await boss.request(`${server.url}/admin/instance/registrations`, { method: "POST", form: { authenticity_token: bossToken, mode: "approval", reason_required: "true", message: "Tell us who you are." } });
  assert.equal(saved.status, 303);
  const instance = await (await fetch(`${server.url}/api/v2/instance`)).json();
  assert.equal(instance.registrations.approval_required, true);
  assert.equal(instance.registrations.reason_required, true);
});

/** The second round's tests share one page, signed in as the admin once (each sign-in costs a page load and a password check). */
let adminTab: ChromiumPage | null = null;
async function adminPageAt(path: string): Promise<ChromiumPage> {
  if (!adminTab) {
    adminTab = await chromium.newPage();
    await signIn(adminTab, admin, path);
  } else {
    await adminTab.goto(`${server.url}${path}`);
  }
  return adminTab;
}

test("the domain-block preview counts the people here who would lose a follower or a followee", async () => {
  const page = await adminPageAt("/admin/domain_blocks");
  // A fresh domain with the same shape as spam.example's: alice follows one account and is followed by another.
  const [one, two] = [await remoteAccount("one", "severed.example"), await remoteAccount("two", "severed.example")];
  await follow(alice.id, one);
  await follow(two, alice.id);
  await follow(moderator.id, one);
  await page.fill("#domain", "severed.example");
  await page.select("#severity", "suspend");
  await page.click("#add-block button");
  assert.equal(await page.text("#preview-severed"), "3");
  assert.equal(await page.text("#preview-local-accounts"), "2", "alice once (a followee and a follower lost) and mod");
  assert.match(await page.text("#preview-local-hint"), /each counted once/);
});

test("an admin creates and revokes an invite, and blocks an e-mail domain from signing up", async () => {
  const page = await adminPageAt("/admin/invites");
  assert.equal(await page.exists("#no-invites"), true);
  await page.select("#max_uses", "5");
  await page.select("#expires_in", "1d");
  await page.click("#create-invite button");
  assert.match(await page.text("[role=status]"), /The invite was created/);
  const row = await page.text("#invites tbody tr");
  assert.match(row, /boss/);
  assert.match(row, /0 \/ 5/);
  assert.match(row, /valid/);
  const code = /\/invite\/(\w+)/.exec(row)![1];
  const invite = () => fetch(`${server.url}/invite/${code}`, { redirect: "manual" });
  assert.equal((await invite()).status, 303, "the invite leads to the sign-up");
  assert.deepEqual(await axeProblems(page), [], "the invites page");
  await page.click(`#invites button[aria-label='Revoke the invite ${code}']`);
  assert.match(await page.text("[role=status]"), /The invite was revoked/);
  assert.match(await page.text("#invites tbody tr"), /revoked/);
  assert.equal((await invite()).status, 410, "a revoked invite no longer works");

  await page.goto(`${server.url}/admin/sign_up_blocks`);
  assert.deepEqual(await axeProblems(page), [], "the sign-up blocks page");
  await page.fill("#email-domain", "Throwaway.Example");
  await page.click("#add-email-domain button");
  assert.match(await page.text("[role=status]"), /The block was added/);
  assert.match(await page.text("#email-domain-blocks"), /throwaway\.example\s+refused/);
  await page.fill("#ip", "192.0.2.0/24");
  await page.click("#add-ip-block button");
  assert.match(await page.text("#ip-blocks"), /192\.0\.2\.0\/24\s+Sign-up refused/);
  const blocks = await api(admin.token, "GET", "/api/v1/admin/email_domain_blocks");
  assert.deepEqual(blocks.body.map((b: any) => b.domain), ["throwaway.example"], "the API's list is the page's");

  const app = (await api("", "POST", "/api/v1/apps", { client_name: "sign-up", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" })).body;
  const appToken = (await api("", "POST", "/oauth/token", { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "read write" })).body.access_token;
  const signUp = (username: string, email: string) => api(appToken, "POST", "/api/v1/accounts", { username, email, password: "correct horse battery", agreement: true, locale: "en", reason: "Knitting." });
  const refused = await signUp("throwaway", "someone@mail.throwaway.example");
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.details.email[0].error, "ERR_BLOCKED", "a subdomain's address is refused too");
  assert.equal((await signUp("welcome", "welcome@example.org")).status, 200, "another domain's is not");
});

test("an admin allows a domain, subscribes to a list, gives a role and adds terms of service", async () => {
  const page = await adminPageAt("/admin/domain_allows");
  assert.match(await page.text("#federation-mode"), /blocklist mode/);
  await page.fill("#allow-domain", "friendly.example");
  await page.click("#add-allow button");
  assert.match(await page.text("#domain-allows"), /friendly\.example/);
  assert.deepEqual((await api(admin.token, "GET", "/api/v1/admin/domain_allows")).body.map((a: any) => a.domain), ["friendly.example"]);
  assert.deepEqual(await axeProblems(page), [], "the domain allows page");

  // A published list, served on loopback: subscribed, fetched at once, and one of its changes undone.
  const list = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/csv" });
    res.end("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nlisted1.example,suspend,false,false,Spam,false\nlisted2.example,suspend,false,false,,false\n");
  });
  await new Promise<void>((resolve) => list.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(`${server.url}/admin/blocklists`);
    assert.equal(await page.exists("#no-subscriptions"), true);
    await page.fill("#list-url", `http://127.0.0.1:${(list.address() as AddressInfo).port}/list.csv`);
    await page.click("#add-subscription button");
  } finally {
    list.close();
  }
  assert.match(await page.text("[role=status]"), /The subscription was added/);
  const status = await page.text("#subscriptions tbody tr");
  assert.match(status, /up to date/);
  assert.match(status, /2 at the last fetch/);
  assert.deepEqual(await axeProblems(page), [], "the blocklist subscriptions page");
  await page.click("#subscriptions tbody a");
  const changes = await page.text("#changes");
  assert.match(changes, /listed1\.example\s+added: suspend/);
  assert.match(changes, /listed2\.example\s+added: suspend/);
  await page.click("#changes button[aria-label='Undo: exclude listed1.example from this list']");
  assert.match(await page.text("[role=status]"), /The change was undone/);
  assert.equal(await page.text("#excludes"), "listed1.example");
  assert.match(await page.text("#changes"), /listed1\.example\s+removed: suspend — excluded/, "the undo is the list's latest change");
  const listed = (await api(admin.token, "GET", "/api/v1/admin/domain_blocks")).body.map((b: any) => b.domain).filter((d: string) => d.startsWith("listed"));
  assert.deepEqual(listed, ["listed2.example"], "the undone block is gone; the other stays");

  await page.goto(`${server.url}/admin/roles`);
  assert.match(await page.text("#role-moderator"), /Reports/);
  assert.deepEqual(await axeProblems(page), [], "the roles page");
  await page.goto(`${server.url}/admin/accounts/${alice.id}`);
  await page.select("#role", "moderator");
  await page.click("#role-form button");
  assert.match(await page.text("[role=status]"), /The role was given/);
  assert.equal((await api(admin.token, "GET", `/api/v1/admin/accounts/${alice.id}`)).body.role.name, "Moderator");
  assert.equal(await page.exists("#role option[value=owner]"), false, "an admin gives no role above their own");

  await page.goto(`${server.url}/admin/instance`);
  await page.fill("#terms-text", "Be kind to each other.");
  await page.click("#add-terms button");
  assert.match(await page.text("#terms"), /Be kind to each other/);
  const terms = await (await fetch(`${server.url}/api/v1/instance/terms_of_service`)).json();
  assert.match(terms.content, /Be kind to each other/);
});

test("an admin makes a role that handles reports and gives it: its holder opens the reports, not the settings", async () => {
  const page = await adminPageAt("/admin/roles");
  await page.fill("#create-role-name", "Report triage");
  await page.fill("#create-role-color", "#e76f51");
  await page.fill("#create-role-position", "5");
  await page.setChecked("#create-role input[name=highlighted]", true);
  await page.setChecked("#create-role input[value=manage_reports]", true);
  assert.equal(await page.exists("#create-role input[value=administrator][disabled]"), true, "an admin cannot grant what they lack");
  await page.click("#create-role button[type=submit]");
  assert.match(await page.text("[role=status]"), /The role was created/);
  assert.match(await page.text("#roles"), /Report triage[\s\S]*Reports: read, assign and resolve them/);
  assert.deepEqual(await axeProblems(page), [], "the roles page with a custom role");
  const [{ id }] = await sql("select id from roles where name = ?", ["Report triage"]);

  await page.goto(`${server.url}/admin/accounts/${triager.id}`);
  await page.select("#role", `custom:${id}`);
  await page.click("#role-form button");
  assert.match(await page.text("[role=status]"), /The role was given/);
  assert.match(await page.text("#account-state"), /Report triage/);

  const holder = await signedInBrowser(triager);
  assert.equal((await holder.request(`${server.url}/admin/reports`)).status, 200, "manage_reports opens the reports");
  assert.equal((await holder.request(`${server.url}/admin/instance`)).status, 403, "but not the server settings");
});

test("the trends page charts the samples the scheduler takes, after one is taken now", async () => {
  // Three earlier samples (the scheduler takes one a minute; a test does not wait for minutes).
  const minute = (ago: number) => new Date(Date.now() - ago * 60_000).toISOString();
  for (const [ago, jobs, delivered] of [[30, 120, 600], [20, 40, 300], [10, 5, 60]]) {
    await sql(
      "insert into server_samples (minute, sampled_at, jobs_queued, jobs_ready, deliveries_queued, deliveries_ready, delivered, failed, media_bytes, cache_bytes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      // Storage is measured hourly: these minutes have none.
      [minute(ago).slice(0, 16), minute(ago), jobs, jobs, 2 * jobs, jobs, delivered, 0, null, null],
    );
  }
  const page = await adminPageAt("/admin/trends?range=1h");
  await page.click("#sample-now button");
  assert.match(await page.text("[role=status]"), /A sample was taken/);
  const points = await page.evaluate<number>(`document.querySelector("#chart-queue polyline").getAttribute("points").trim().split(/\\s+/).length`);
  assert.ok(points >= 4, `the queue chart has the three earlier samples and the new one (${points} points)`);
  const described = (id: string) => page.evaluate<string>(`document.getElementById(${JSON.stringify(id)}).textContent`);
  assert.match(await described("chart-queue-desc"), /jobs waiting: \d+ now, highest 120/, "the chart says what it shows");
  assert.match(await described("chart-deliveries-desc"), /delivered: [\d.]+\/s now, highest 10\/s/);
  assert.equal(await page.exists("#chart-storage polyline"), true, "storage is measured when a sample is taken now");
  await page.click("details summary", { navigates: false });
  assert.match(await page.text("#samples"), /240 \(120\)/, "the figures are in a table too");
  assert.deepEqual(await axeProblems(page), [], "the trends page");
  await page.screenshot("admin-04-trends");
});

test("the cost page measures in the background, then shows the month's projection, the storage and what was served", async () => {
  // What the server counted as it served files: two days of previews and originals.
  const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
  await sql("insert into media_usage_daily (day, kind, bytes, requests) values (?, ?, ?, ?)", [day(3), "attachments/original", 1_000_000, 4]);
  await sql("insert into media_usage_daily (day, kind, bytes, requests) values (?, ?, ?, ?)", [day(0), "attachments/small", 2_000_000, 100]);
  const page = await adminPageAt("/admin/cost");
  assert.equal(await page.exists("#not-measured"), true, "nothing measured before it is asked for");
  await page.click("#measure-now button");
  // The page reloads itself while measuring; reading it again until the report is there.
  await eventually(async () => (await adminPageAt("/admin/cost"), await page.exists("#projection")), 15_000, "the measured report");
  assert.match(await page.text("#egress"), /local previews\s+2 MB\s+100/, "served bytes and requests per kind");
  assert.match(await page.text("#storage"), /Total/, "storage by kind, with its total");
  assert.match(await page.text("#total-usd"), /^(<)?\$\d/, "a month in dollars");
  const points = await page.evaluate<number>(`document.querySelector("#chart-egress polyline").getAttribute("points").trim().split(/\\s+/).length`);
  assert.equal(points, 2, "one point per day served");
  assert.deepEqual(await axeProblems(page), [], "the cost page");
});
