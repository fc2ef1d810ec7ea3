// Reports through the API: a user files one with masto.js (POST /api/v1/reports), moderators
// see it in an admin.report notification and work through it with the admin API (list, read,
// reclassify, assign, resolve, reopen) — Mastodon's entities (checked against the contract's
// Report, Notification and Admin_Report schemas), bad input (422/404, never 500), Mastodon's
// scopes and permissions (403), and an audit-log entry for every moderator's change.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { apiCaller, type ApiResponse } from "../support/api.ts";
import { createRestAPIClient, type mastodon } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, auditRows, schemaProblems, tokenFor, type AdminUser } from "../support/admin-clients.ts";

let server: TestServer;
let contract: ContractLog;
let alice: TestUser;
let bob: TestUser;
let admin: AdminUser;
let moderator: AdminUser;
let plainAdminScoped: AdminUser;
let modClient: mastodon.rest.Client;
let bobPublic: mastodon.v1.Status;
let bobPrivate: mastodon.v1.Status;
let alicePost: mastodon.v1.Status;
const schemaViolations: string[] = [];

before(async () => {
  server = await startServer();
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "root", "admin");
  moderator = await adminUser(server, "mod", "moderator");
  // A plain user whose token holds every admin scope: the role, not the token, is what is missing.
  plainAdminScoped = await adminUser(server, "carol", "user");
  alice = await signUp(server, "alice");
  bob = await signUp(server, "bob");
  modClient = createRestAPIClient({ url: server.url, accessToken: moderator.token });
  bobPublic = await bob.client.v1.statuses.create({ status: "buy cheap watches", visibility: "public" });
  bobPrivate = await bob.client.v1.statuses.create({ status: "followers only", visibility: "private" });
  alicePost = await alice.client.v1.statuses.create({ status: "hello", visibility: "public" });
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  assert.deepEqual(schemaViolations, []);
  await server?.stop();
});

type Res = ApiResponse;
const call = apiCaller(() => server.url);

function adminEntity<T>(body: T): T {
  for (const item of Array.isArray(body) ? body : [body]) schemaViolations.push(...schemaProblems("AdminReport", item));
  return body;
}

function refused(res: Res, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body?.error, "string", `${what} has Mastodon's error body`);
}

let reportId = "";

test("a user reports an account and its post with masto.js: Mastodon's Report entity", async () => {
  const report = await alice.client.v1.reports.create({ accountId: bob.id, statusIds: [bobPublic.id], comment: "spam links", category: "spam", forward: true });
  reportId = report.id;
  assert.equal(report.category, "spam");
  assert.equal(report.comment, "spam links");
  assert.equal(report.actionTaken, false);
  assert.equal(report.actionTakenAt, null);
  assert.deepEqual(report.statusIds, [bobPublic.id]);
  assert.equal(report.targetAccount.id, bob.id);
  // bob is local: there is no other server to forward to.
  assert.equal(report.forwarded, false);

  // Defaults: category other, no posts, an empty comment; a form body works as well as JSON.
  const plain = await call(alice.token, "POST", "/api/v1/reports", new URLSearchParams({ account_id: bob.id }));
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.equal(plain.body.category, "other");
  assert.equal(plain.body.comment, "");
  assert.deepEqual(plain.body.status_ids, []);
  // status_ids[] as a form list, with "legal".
  const form = new URLSearchParams({ account_id: bob.id, category: "legal" });
  form.append("status_ids[]", bobPublic.id);
  const legal = await call(alice.token, "POST", "/api/v1/reports", form);
  assert.equal(legal.status, 200, JSON.stringify(legal.body));
  assert.equal(legal.body.category, "legal");
  assert.deepEqual(legal.body.status_ids, [bobPublic.id]);
});

test("bad reports are refused: 422 for bad input and posts that are not the target's or not visible, 404 for an unknown account", async () => {
  const post = (body: unknown) => call(alice.token, "POST", "/api/v1/reports", body);
  refused(await post({}), 422, "no account_id");
  refused(await post({ account_id: "999999999999" }), 404, "unknown account");
  refused(await post({ account_id: "not-an-id" }), 404, "an account id that is not one");
  refused(await post({ account_id: bob.id, comment: "x".repeat(1001) }), 422, "comment over 1000 characters");
  refused(await post({ account_id: bob.id, category: "rude" }), 422, "unknown category");
  refused(await post({ account_id: bob.id, status_ids: [alicePost.id] }), 422, "a post of another account");
  refused(await post({ account_id: bob.id, status_ids: [bobPrivate.id] }), 422, "a post the reporter cannot see");
  refused(await post({ account_id: bob.id, status_ids: ["12345"] }), 422, "a post that does not exist");
  refused(await post({ account_id: bob.id, status_ids: ["nope"] }), 422, "a post id that is not one");
  refused(await post({ account_id: bob.id, status_ids: Array.from({ length: 101 }, () => bobPublic.id).map((id, i) => `${BigInt(id) + BigInt(i)}`) }), 422, "more than 100 posts");
  refused(await post({ account_id: bob.id, rule_ids: ["1"] }), 422, "a rule this server does not have");
  refused(await post({ account_id: bob.id, status_ids: { a: 1 } }), 422, "status_ids that are not a list of strings");
  refused(await post({ account_id: bob.id, forward: "maybe" }), 422, "forward that is not a boolean");
  refused(await post({ account_id: bob.id, comment: "a\u0000b" }), 422, "a NUL in the comment");
  // The post of bob's that alice cannot see becomes reportable once she follows him.
  await alice.client.v1.accounts.$select(bob.id).follow();
  const ok = await post({ account_id: bob.id, status_ids: [bobPrivate.id] });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  await alice.client.v1.accounts.$select(bob.id).unfollow();
});

test("filing a report needs write:reports and a user", async () => {
  const readOnly = await tokenFor(server, "alice", alice.password, "read");
  refused(await call(readOnly.token, "POST", "/api/v1/reports", { account_id: bob.id }), 403, "a token without write:reports");
  refused(await call(null, "POST", "/api/v1/reports", { account_id: bob.id }), 401, "no token");
  const granular = await tokenFor(server, "alice", alice.password, "write:reports");
  assert.equal((await call(granular.token, "POST", "/api/v1/reports", { account_id: bob.id })).status, 200);
});

test("moderators and admins are told of a new report (admin.report carrying the Report); the reporter and plain users are not", async () => {
  const before = await call(moderator.token, "GET", "/api/v1/notifications?limit=40");
  const seen = new Set(before.body.map((n: { id: string }) => n.id));
  const report = await alice.client.v1.reports.create({ accountId: bob.id, comment: "again" });
  const notifications = await modClient.v1.notifications.list({ limit: 40 });
  const fresh = notifications.filter((n) => !seen.has(n.id));
  assert.equal(fresh.length, 1, JSON.stringify(fresh));
  const [notification] = fresh;
  assert.equal(notification.type, "admin.report");
  assert.equal(notification.account?.id, alice.id, "from the reporter");
  assert.ok(notification.type === "admin.report" && notification.report);
  assert.equal(notification.report.id, report.id);
  assert.equal(notification.report.targetAccount.id, bob.id);
  assert.equal(notification.report.comment, "again");

  // Only reports, when asked; and in the grouped notifications, one group per report, carrying it.
  const onlyReports = await call(moderator.token, "GET", "/api/v1/notifications?types[]=admin.report");
  assert.ok(onlyReports.body.length >= 1 && onlyReports.body.every((n: { type: string }) => n.type === "admin.report"));
  const grouped = await call(moderator.token, "GET", "/api/v2/notifications");
  assert.equal(grouped.status, 200);
  const group = grouped.body.notification_groups.find((g: { type: string; report?: { id: string } }) => g.type === "admin.report" && g.report?.id === report.id);
  assert.ok(group, JSON.stringify(grouped.body.notification_groups));
  assert.equal(group.report.target_account.id, bob.id);
  assert.equal(group.notifications_count, 1);

  const adminNotes = await call(admin.token, "GET", "/api/v1/notifications?limit=40");
  assert.ok(adminNotes.body.some((n: { type: string; report?: { id: string } }) => n.type === "admin.report" && n.report?.id === report.id), "the admin is told too");
  for (const user of [alice, bob]) {
    const list = await user.client.v1.notifications.list({ limit: 40 });
    assert.ok(!list.some((n) => n.type === "admin.report"), `${user.username} is not told`);
  }
});

test("moderators work through reports with the admin API: list, read, reclassify, assign, resolve, reopen — each in the audit log", async () => {
  const list = await modClient.v1.admin.reports.list();
  // masto.js camel-cases what it reads; the schema is checked on the wire format.
  adminEntity((await call(moderator.token, "GET", "/api/v1/admin/reports")).body);
  const listed = list.find((r) => r.id === reportId);
  assert.ok(listed, "the open report is listed");
  assert.equal(listed.account.id, alice.id);
  assert.equal((listed.account as unknown as { email: string }).email, "alice@example.com", "the reporter as Admin::Account");
  assert.equal(listed.targetAccount.id, bob.id);
  assert.equal(listed.targetAccount.username, "bob");
  assert.deepEqual(listed.statuses.map((s) => s.id), [bobPublic.id]);
  assert.equal(listed.statuses[0].content.includes("cheap watches"), true);
  assert.equal(listed.assignedAccount, null);
  assert.deepEqual(listed.rules, []);

  const one = await modClient.v1.admin.reports.$select(reportId).fetch();
  adminEntity((await call(moderator.token, "GET", `/api/v1/admin/reports/${reportId}`)).body);
  assert.equal(one.id, reportId);
  assert.equal(one.category, "spam");

  const put = await call(moderator.token, "PUT", `/api/v1/admin/reports/${reportId}`, { category: "legal" });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  adminEntity(put.body);
  assert.equal(put.body.category, "legal");
  refused(await call(moderator.token, "PUT", `/api/v1/admin/reports/${reportId}`, { category: "awful" }), 422, "an unknown category");
  refused(await call(moderator.token, "PUT", `/api/v1/admin/reports/${reportId}`, { rule_ids: ["7"] }), 422, "a rule this server does not have");

  const assigned = await modClient.v1.admin.reports.$select(reportId).assignToSelf();
  assert.equal(assigned.assignedAccount?.id, moderator.id);
  const unassigned = await modClient.v1.admin.reports.$select(reportId).unassign();
  assert.equal(unassigned.assignedAccount, null);

  const resolved = await modClient.v1.admin.reports.$select(reportId).resolve();
  adminEntity((await call(moderator.token, "GET", `/api/v1/admin/reports/${reportId}`)).body);
  assert.equal(resolved.actionTaken, true);
  assert.ok(resolved.actionTakenAt);
  assert.equal(resolved.actionTakenByAccount?.id, moderator.id);
  const open = await call(moderator.token, "GET", "/api/v1/admin/reports?limit=200");
  assert.ok(!open.body.some((r: { id: string }) => r.id === reportId), "a resolved report leaves the default (open) list");
  const closed = await call(moderator.token, "GET", "/api/v1/admin/reports?resolved=true");
  assert.deepEqual(closed.body.map((r: { id: string }) => r.id), [reportId]);

  const reopened = await modClient.v1.admin.reports.$select(reportId).reopen();
  assert.equal(reopened.actionTaken, false);
  assert.equal(reopened.actionTakenAt, null);
  assert.equal(reopened.actionTakenByAccount, null);

  const audit = (await auditRows(server)).filter((r) => r.target_type === "Report" && r.target_id === reportId);
  assert.deepEqual(audit.map((r) => r.action), ["update", "assigned_to_self", "unassigned", "resolve", "reopen"]);
  assert.ok(audit.every((r) => r.account_id === moderator.id && r.human_identifier === "bob"));
});

test("the admin list filters by reporter, target and target domain, and pages with Link", async () => {
  const byTarget = await call(moderator.token, "GET", `/api/v1/admin/reports?target_account_id=${bob.id}`);
  assert.ok(byTarget.body.length >= 4);
  assert.ok(byTarget.body.every((r: { target_account: { id: string } }) => r.target_account.id === bob.id));
  const byReporter = await call(moderator.token, "GET", `/api/v1/admin/reports?account_id=${bob.id}`);
  assert.deepEqual(byReporter.body, [], "bob reported nobody");
  const remote = await call(moderator.token, "GET", "/api/v1/admin/reports?by_target_domain=elsewhere.example");
  assert.deepEqual(remote.body, []);
  const bogus = await call(moderator.token, "GET", "/api/v1/admin/reports?account_id=xyz");
  assert.deepEqual(bogus.body, [], "an account id that is not one matches nothing");

  const first = await call(moderator.token, "GET", "/api/v1/admin/reports?limit=2");
  assert.equal(first.body.length, 2);
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
  assert.ok(next, "a Link to the next page");
  const second = await call(moderator.token, "GET", new URL(next).pathname + new URL(next).search);
  assert.ok(second.body.length >= 1);
  assert.ok(BigInt(second.body[0].id) < BigInt(first.body[1].id), "older reports on the next page");
  refused(await call(moderator.token, "GET", "/api/v1/admin/reports/99999999"), 404, "an unknown report");
  refused(await call(moderator.token, "POST", "/api/v1/admin/reports/abc/resolve"), 404, "a report id that is not one");
});

test("the admin reports API refuses users without manage_reports and tokens without the admin scope (403, Mastodon's body)", async () => {
  refused(await call(plainAdminScoped.token, "GET", "/api/v1/admin/reports"), 403, "a plain user");
  refused(await call(plainAdminScoped.token, "POST", `/api/v1/admin/reports/${reportId}/resolve`), 403, "a plain user resolving");
  refused(await call(alice.token, "GET", `/api/v1/admin/reports/${reportId}`), 403, "a plain user's ordinary token");
  const adminNoScope = await tokenFor(server, "root", admin.password, "read write");
  refused(await call(adminNoScope.token, "GET", "/api/v1/admin/reports"), 403, "an admin token without admin scopes");
  const modReadOnly = await tokenFor(server, "mod", moderator.password, "admin:read:reports");
  assert.equal((await call(modReadOnly.token, "GET", "/api/v1/admin/reports")).status, 200, "admin:read:reports reads");
  refused(await call(modReadOnly.token, "POST", `/api/v1/admin/reports/${reportId}/assign_to_self`), 403, "admin:read:reports does not write");
  refused(await call(modReadOnly.token, "PUT", `/api/v1/admin/reports/${reportId}`, { category: "spam" }), 403, "nor reclassify");
  const modOtherScope = await tokenFor(server, "mod", moderator.password, "admin:read:accounts admin:write:accounts");
  refused(await call(modOtherScope.token, "GET", "/api/v1/admin/reports"), 403, "another admin scope");
  refused(await call(null, "GET", "/api/v1/admin/reports"), 401, "no token");
  // Nothing changed through the refusals.
  const one = await modClient.v1.admin.reports.$select(reportId).fetch();
  assert.equal(one.actionTaken, false);
  assert.equal(one.assignedAccount, null);
});
