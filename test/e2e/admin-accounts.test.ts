// The admin accounts API (/api/v1/admin/accounts, /api/v2/admin/accounts), account actions and
// what each state does to the account (sign-in, tokens, its actor, its posts, its media), the
// audit-log reader and the `./skein accounts` moderation commands — through masto.js where it
// has the method, raw requests otherwise, every Admin::Account checked against the contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRestAPIClient, type mastodon } from "masto";
import type { TestServer } from "../support/server.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";
import { adminUser, schemaProblems, tokenFor, type AdminUser } from "../support/admin-clients.ts";
import { Browser, readForm } from "../support/browser.ts";
import { eventually } from "../support/federation-fleet.ts";
import { fixtureIds, insertRemoteAccount, queryRows } from "../support/server-db.ts";

let server: TestServer;
let boss: AdminUser; // owner
let root: AdminUser; // admin
let mod: AdminUser; // moderator
let plain: AdminUser; // a user without any role
let alice: AdminUser;
let bob: AdminUser;
let carol: AdminUser;
let remoteId: string;

contractCheckedServer([], async (ready) => {
  server = ready.server;
  boss = await adminUser(server, "boss", "admin");
  const promoted = await server.cli(["accounts", "role", "boss", "owner"]);
  assert.equal(promoted.code, 0, promoted.stderr);
  root = await adminUser(server, "root", "admin");
  mod = await adminUser(server, "mod", "moderator");
  plain = await adminUser(server, "plain", "user");
  alice = await adminUser(server, "alice", "user");
  bob = await adminUser(server, "bob", "user");
  carol = await adminUser(server, "carol", "user");
  remoteId = await remoteAccount("spammer", "remote.example");
});

// ---- helpers ----

function clientOf(user: AdminUser): mastodon.rest.Client {
  return createRestAPIClient({ url: server.url, accessToken: user.token });
}

interface Answer {
  status: number;
  body: any;
  link: string | null;
}

async function api(token: string | null, method: string, pathAndQuery: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, link: res.headers.get("link") };
}

/** SQL beside the server: fixtures the API cannot make (remote accounts, pending sign-ups, media) and rows no API shows. */
const sql = (query: string, params: unknown[] = []) => queryRows(server, query, params);

const nextId = fixtureIds(100_000_000_000_000n);

const remoteAccount = (username: string, domain: string) => insertRemoteAccount(server, nextId(), username, domain, "Remote Spammer");

async function adminAccount(id: string, as: AdminUser = root): Promise<any> {
  const answer = await api(as.token, "GET", `/api/v1/admin/accounts/${id}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** adminUser() keeps the generated password beside the token. */
const passwordOf = (user: AdminUser) => (user as AdminUser & { password: string }).password;

async function passwordGrant(user: AdminUser): Promise<number> {
  const apps = await api(null, "POST", "/api/v1/apps", { client_name: "grant check", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" });
  const res = await api(null, "POST", "/oauth/token", {
    grant_type: "password", client_id: apps.body.client_id, client_secret: apps.body.client_secret, username: user.username, password: passwordOf(user), scope: "read",
  });
  return res.status;
}

async function webSignIn(username: string, password: string): Promise<number> {
  const browser = new Browser();
  const page = await browser.request(`${server.url}/auth/sign_in`);
  const form = readForm(await page.text());
  const res = await browser.request(new URL(form.action, server.url).toString(), { form: { ...form.fields, login: username, password } });
  return res.status;
}

const ids = (list: { id: string }[]) => list.map((a) => a.id);

// ---- listing and reading ----

test("GET /api/v1/admin/accounts/:id is an Admin::Account the contract accepts, roles included", async () => {
  const me = await adminAccount(root.id);
  assert.deepEqual(schemaProblems("AdminAccount", me), []);
  assert.equal(me.username, "root");
  assert.equal(me.domain, null);
  assert.equal(me.email, "root@example.com");
  assert.equal(me.role.name, "Admin");
  assert.equal(me.account.id, root.id);
  assert.equal(me.suspended || me.silenced || me.disabled || me.sensitized, false);
  assert.equal(me.approved, true);
  assert.equal((await adminAccount(boss.id)).role.name, "Owner");
  assert.equal((await adminAccount(mod.id)).role.name, "Moderator");

  const remote = await adminAccount(remoteId);
  assert.equal(remote.domain, "remote.example");
  // The entity requires strings and a role: a remote account has no e-mail or locale here, and the everyone role.
  assert.deepEqual([remote.email, remote.locale, remote.role.id], ["", "", "-99"]);
  assert.equal(remote.account.acct, "spammer@remote.example");

  assert.equal((await api(root.token, "GET", "/api/v1/admin/accounts/99999999")).status, 404);
  const notAnId = await api(root.token, "GET", "/api/v1/admin/accounts/nope");
  assert.equal(notAnId.status, 404);
  assert.equal(typeof notAnId.body.error, "string");
});

test("v1 filters (masto.js): origin, domain, staff, username, display name, e-mail, address", async () => {
  const admin = clientOf(root);
  const local = await admin.v1.admin.accounts.list({ local: true, limit: 100 });
  assert.ok(ids(local).includes(alice.id));
  assert.ok(!ids(local).includes(remoteId));
  const raw = await api(root.token, "GET", "/api/v1/admin/accounts?local=true&limit=100");
  assert.deepEqual(ids(raw.body), ids(local));
  for (const a of raw.body) assert.deepEqual(schemaProblems("AdminAccount", a), []);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ remote: true })), [remoteId]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ byDomain: "remote.example" })), [remoteId]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ byDomain: "Remote.EXAMPLE" })), [remoteId]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ byDomain: "elsewhere.example" })), []);
  assert.deepEqual(new Set(ids(await admin.v1.admin.accounts.list({ staff: true }))), new Set([boss.id, root.id, mod.id]));
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ username: "ALI" })), [alice.id], "a case-insensitive prefix");
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ username: "lice" })), [], "a prefix, not a substring");
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ displayName: "spam" })), [remoteId]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ email: "carol@" })), [carol.id]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ username: "%" })), [], "LIKE wildcards match themselves");

  await sql("update users set sign_up_ip = ? where account_id = ?", ["192.0.2.44", bob.id]);
  assert.deepEqual(ids(await admin.v1.admin.accounts.list({ ip: "192.0.2.44" })), [bob.id]);
  const bobView = await adminAccount(bob.id);
  assert.equal(bobView.ip, "192.0.2.44");
  assert.deepEqual(bobView.ips.map((i: { ip: string }) => i.ip), ["192.0.2.44"]);
  assert.deepEqual(schemaProblems("AdminAccount", bobView), []);
});

test("v2 filters: origin, status, permissions, role_ids, invited_by; unknown values are 400", async () => {
  const get = async (query: string) => {
    const answer = await api(root.token, "GET", `/api/v2/admin/accounts?${query}`);
    assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
    return ids(answer.body);
  };
  assert.deepEqual(await get("origin=remote"), [remoteId]);
  assert.ok((await get("origin=local")).includes(carol.id));
  assert.deepEqual(new Set(await get("permissions=staff")), new Set([boss.id, root.id, mod.id]));
  assert.deepEqual(await get("role_ids[]=1"), [mod.id]);
  assert.deepEqual(new Set(await get("role_ids[]=2&role_ids[]=3")), new Set([root.id, boss.id]));
  assert.deepEqual(await get("origin=local&username=car"), [carol.id]);
  await sql("update users set invited_by_account_id = ? where account_id = ?", [root.id, carol.id]);
  assert.deepEqual(await get(`invited_by=${root.id}`), [carol.id]);
  assert.equal((await adminAccount(carol.id)).invited_by_account_id, root.id);
  assert.deepEqual(await get("origin=remote&by_domain=remote.example&status=active"), [remoteId]);

  for (const bad of ["origin=nowhere", "status=sleeping", "permissions=everything"]) {
    const answer = await api(root.token, "GET", `/api/v2/admin/accounts?${bad}`);
    assert.equal(answer.status, 400, bad);
    assert.equal(typeof answer.body.error, "string");
  }
});

test("pages follow Link headers, newest first, without repeats", async () => {
  const seen: string[] = [];
  let next: string | null = `/api/v1/admin/accounts?local=true&limit=3`;
  let pages = 0;
  while (next) {
    const answer = await api(root.token, "GET", next);
    assert.equal(answer.status, 200);
    seen.push(...ids(answer.body));
    pages++;
    const match = /<([^>]+)>; rel="next"/.exec(answer.link ?? "");
    next = answer.body.length === 3 && match ? new URL(match[1]).pathname + new URL(match[1]).search : null;
    assert.ok(pages < 10);
  }
  assert.ok(pages >= 3, `walked ${pages} pages`);
  assert.equal(new Set(seen).size, seen.length, "no account twice");
  assert.deepEqual(seen, [...seen].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)), "newest first");
  assert.ok([alice.id, bob.id, carol.id, boss.id].every((id) => seen.includes(id)));
  // And back: the prev link of a later page gives the newer accounts.
  const second = await api(root.token, "GET", `/api/v1/admin/accounts?local=true&limit=3&max_id=${seen[2]}`);
  const prev = /<([^>]+)>; rel="prev"/.exec(second.link ?? "")![1];
  const back = await api(root.token, "GET", new URL(prev).pathname + new URL(prev).search);
  assert.deepEqual(ids(back.body), seen.slice(0, 3));
});

// ---- who may ----

test("refusals: no token 401, a plain user 403, a token without admin scope 403, a moderator on an admin 403", async () => {
  assert.equal((await api(null, "GET", "/api/v1/admin/accounts")).status, 401);
  const asPlain = await api(plain.token, "GET", "/api/v1/admin/accounts");
  assert.equal(asPlain.status, 403);
  assert.equal(typeof asPlain.body.error, "string");
  await assert.rejects(async () => await clientOf(plain).v1.admin.accounts.list(), rejectsWith(403));

  const narrow = await tokenFor(server, "mod", passwordOf(mod), "read write");
  const unscoped = await api(narrow.token, "GET", "/api/v1/admin/accounts");
  assert.equal(unscoped.status, 403);
  assert.equal(typeof unscoped.body.error, "string");
  const readOnly = await tokenFor(server, "mod", passwordOf(mod), "admin:read:accounts");
  assert.equal((await api(readOnly.token, "GET", "/api/v1/admin/accounts")).status, 200, "the granular scope reads");
  assert.equal((await api(readOnly.token, "POST", `/api/v1/admin/accounts/${alice.id}/action`, { type: "silence" })).status, 403, "but does not write");

  for (const target of [root.id, boss.id, mod.id]) {
    const answer = await api(mod.token, "POST", `/api/v1/admin/accounts/${target}/action`, { type: "suspend" });
    assert.equal(answer.status, 403, `moderator on ${target}`);
    assert.equal(typeof answer.body.error, "string");
  }
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${boss.id}/action`, { type: "silence" })).status, 403, "an admin does not act on the owner");
  assert.equal((await api(mod.token, "POST", `/api/v1/admin/accounts/${root.id}/enable`)).status, 403);
  assert.equal((await adminAccount(root.id)).suspended, false, "nothing happened to the admin");
});

test("bad input: an unknown type or a missing one is 422, remote accounts cannot be warned or disabled, unknown reports and presets 404", async () => {
  for (const body of [{ type: "obliterate" }, {}]) {
    const answer = await api(root.token, "POST", `/api/v1/admin/accounts/${alice.id}/action`, body);
    assert.equal(answer.status, 422, JSON.stringify(body));
    assert.equal(typeof answer.body.error, "string");
  }
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${remoteId}/action`, { type: "disable" })).status, 422);
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${remoteId}/action`, { type: "none" })).status, 422);
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/99999999/action`, { type: "silence" })).status, 404);
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${alice.id}/action`, { type: "silence", report_id: "99999999" })).status, 404);
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${alice.id}/action`, { type: "silence", warning_preset_id: "1" })).status, 404);
  assert.equal((await adminAccount(alice.id)).silenced, false, "a refused action changes nothing");
});

// ---- the states ----

test("suspend: sign-in refused, tokens 401, the actor and its posts 410, posts gone from timelines; unsuspend restores all", async () => {
  const post = await clientOf(alice).v1.statuses.create({ status: "alice says hello", visibility: "public" });
  const publicIds = async () => ids(await clientOf(bob).v1.timelines.public.list({ local: true }));
  assert.ok((await publicIds()).includes(post.id));
  const alicePassword = passwordOf(alice);

  await clientOf(mod).v1.admin.accounts.$select(alice.id).action.create({ type: "suspend", text: "spam waves" });
  const view = await adminAccount(alice.id);
  assert.equal(view.suspended, true);
  assert.deepEqual(schemaProblems("AdminAccount", view), []);

  assert.equal((await api(alice.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "her token stops working");
  assert.equal(await passwordGrant(alice), 400, "the password grant is refused");
  assert.equal(await webSignIn("alice", alicePassword), 401, "the sign-in page refuses");
  const actor = await fetch(`${server.url}/users/alice`, { headers: { Accept: "application/activity+json" } });
  assert.equal(actor.status, 410, "her actor is gone for other servers");
  const note = await fetch(`${server.url}/users/alice/statuses/${post.id}`, { headers: { Accept: "application/activity+json" } });
  assert.equal(note.status, 410, "and her posts too");
  assert.ok(!(await publicIds()).includes(post.id), "her posts leave the timelines");
  assert.equal((await api(bob.token, "GET", `/api/v1/statuses/${post.id}`)).status, 404);

  const lifted = await clientOf(mod).v1.admin.accounts.$select(alice.id).unsuspend();
  assert.equal(lifted.suspended, false);
  assert.equal((await api(alice.token, "GET", "/api/v1/accounts/verify_credentials")).status, 200, "the same token works again");
  assert.equal(await webSignIn("alice", alicePassword), 303);
  assert.equal((await fetch(`${server.url}/users/alice`, { headers: { Accept: "application/activity+json" } })).status, 200);
  assert.ok((await publicIds()).includes(post.id), "her posts are back");
  assert.equal((await api(mod.token, "POST", `/api/v1/admin/accounts/${alice.id}/unsuspend`)).status, 403, "only a suspended account is unsuspended");
});

test("suspending a remote account: suspended here (origin local), its posts leave the timelines; unsuspend brings them back", async () => {
  const other = await remoteAccount("loud", "noisy.example");
  const statusId = nextId();
  const now = new Date().toISOString();
  await sql(
    `insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id, text, content, spoiler_text, sensitive, visibility, language, application_id, replies_count, reblogs_count, favourites_count, edited_at, created_at, updated_at)
     values (?, ?, null, ?, 0, null, null, null, ?, '', '<p>loud remote post</p>', '', 0, 'public', 'en', null, 0, 0, 0, null, ?, ?)`,
    [statusId, "https://noisy.example/users/loud/statuses/1", other, statusId, now, now],
  );
  const remoteTimeline = async () => ids(await clientOf(bob).v1.timelines.public.list({ remote: true }));
  assert.ok((await remoteTimeline()).includes(statusId));

  await clientOf(mod).v1.admin.accounts.$select(other).action.create({ type: "suspend" });
  assert.equal((await adminAccount(other)).suspended, true);
  assert.deepEqual(await sql("select suspension_origin from accounts where id = ?", [other]), [{ suspension_origin: "local" }]);
  assert.ok(!(await remoteTimeline()).includes(statusId), "gone from the federated timeline");
  assert.equal((await api(bob.token, "GET", `/api/v1/statuses/${statusId}`)).status, 404);
  assert.deepEqual(ids((await api(root.token, "GET", "/api/v2/admin/accounts?origin=remote&status=suspended")).body), [other]);

  await clientOf(mod).v1.admin.accounts.$select(other).unsuspend();
  assert.ok((await remoteTimeline()).includes(statusId));

  // An actor that deleted itself is suspended by its own server: no moderator here lifts that.
  const gone = await remoteAccount("quitter", "noisy.example");
  await sql("update accounts set suspended_at = ?, suspension_origin = 'remote' where id = ?", [now, gone]);
  const refused = await api(root.token, "POST", `/api/v1/admin/accounts/${gone}/unsuspend`);
  assert.equal(refused.status, 403);
  assert.match(refused.body.error, /its own server/);
});

test("disable: sign-in and tokens refused, the data kept; enable restores", async () => {
  const bobPassword = passwordOf(bob);
  const post = await clientOf(bob).v1.statuses.create({ status: "bob was here", visibility: "public" });

  await clientOf(mod).v1.admin.accounts.$select(bob.id).action.create({ type: "disable" });
  assert.equal((await adminAccount(bob.id)).disabled, true);
  assert.equal((await api(bob.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401);
  assert.equal(await passwordGrant(bob), 400);
  assert.equal(await webSignIn("bob", bobPassword), 401);
  assert.equal((await api(carol.token, "GET", `/api/v1/statuses/${post.id}`)).status, 200, "a disabled account keeps its posts");
  assert.deepEqual(ids(await clientOf(root).v1.admin.accounts.list({ disabled: true })), [bob.id]);
  assert.deepEqual(ids((await api(root.token, "GET", "/api/v2/admin/accounts?status=disabled")).body), [bob.id]);

  const enabled = await clientOf(mod).v1.admin.accounts.$select(bob.id).enable();
  assert.equal(enabled.disabled, false);
  assert.equal((await api(bob.token, "GET", "/api/v1/accounts/verify_credentials")).status, 200);
  assert.equal(await passwordGrant(bob), 200);
});

test("sensitive: the account's posts with media are shown as sensitive; unsensitive undoes it", async () => {
  const withMedia = await clientOf(carol).v1.statuses.create({ status: "a picture", visibility: "public" });
  const textOnly = await clientOf(carol).v1.statuses.create({ status: "just words", visibility: "public" });
  await sql(
    `insert into media_attachments (id, status_id, account_id, type, remote_url, url, preview_url, media_type, description, blurhash, focus_x, focus_y, width, height, position, created_at)
     values (?, ?, ?, 'image', 'https://media.example/a.png', 'https://media.example/a.png', 'https://media.example/a.png', 'image/png', null, null, null, null, 10, 10, 0, ?)`,
    [nextId(), withMedia.id, carol.id, new Date().toISOString()],
  );
  const sensitive = async (id: string) => (await clientOf(bob).v1.statuses.$select(id).fetch()).sensitive;
  assert.equal(await sensitive(withMedia.id), false);

  await clientOf(mod).v1.admin.accounts.$select(carol.id).action.create({ type: "sensitive" });
  assert.equal((await adminAccount(carol.id)).sensitized, true);
  assert.equal(await sensitive(withMedia.id), true, "her media are behind a warning");
  assert.equal(await sensitive(textOnly.id), false, "posts without media are unchanged");
  assert.deepEqual(ids((await api(root.token, "GET", "/api/v1/admin/accounts?sensitized=true")).body), [carol.id]);

  const undone = await clientOf(mod).v1.admin.accounts.$select(carol.id).unsensitive();
  assert.equal(undone.sensitized, false);
  assert.equal(await sensitive(withMedia.id), false);
});

test("silence sets the flag (local and remote), unsilence clears it; a warning notifies the account", async () => {
  const warningsOf = async (user: AdminUser) => (await clientOf(user).v1.notifications.list({ limit: 40 })).filter((n) => (n.type as string) === "moderation_warning").length;
  const before = await warningsOf(carol);
  await clientOf(mod).v1.admin.accounts.$select(remoteId).action.create({ type: "silence" });
  await clientOf(mod).v1.admin.accounts.$select(carol.id).action.create({ type: "silence", text: "calm down", sendEmailNotification: true });
  assert.equal((await adminAccount(remoteId)).silenced, true);
  assert.equal((await adminAccount(carol.id)).silenced, true);
  assert.deepEqual(new Set(ids((await api(root.token, "GET", "/api/v2/admin/accounts?status=silenced")).body)), new Set([remoteId, carol.id]));
  assert.equal((await clientOf(mod).v1.admin.accounts.$select(carol.id).unsilence()).silenced, false);
  assert.equal((await adminAccount(remoteId)).silenced, true, "the other stays silenced");

  await clientOf(root).v1.admin.accounts.$select(carol.id).action.create({ type: "none", text: "please read the rules" });
  assert.equal(await warningsOf(carol), before + 2, "the silence and the warning each told her");
  // The notification carries Mastodon's AccountWarning, in v1 and in grouped notifications.
  const v1 = (await api(carol.token, "GET", "/api/v1/notifications")).body.find((n: { type: string }) => n.type === "moderation_warning");
  assert.equal(v1.moderation_warning.action, "none");
  assert.equal(v1.moderation_warning.text, "please read the rules");
  assert.equal(v1.moderation_warning.target_account.id, carol.id);
  assert.equal(v1.account.id, carol.id, "Mastodon names the warned account itself");
  assert.deepEqual(schemaProblems("AccountWarning", v1.moderation_warning), []);
  const v2 = (await api(carol.token, "GET", "/api/v2/notifications")).body.notification_groups.find((g: { type: string }) => g.type === "moderation_warning");
  assert.equal(v2.moderation_warning.text, "please read the rules");
  assert.equal((await api(bob.token, "GET", "/api/v1/notifications")).body.some((n: { moderation_warning?: { text: string } }) => n.moderation_warning?.text === "please read the rules"), false, "nobody else sees it");
  await clientOf(root).v1.admin.accounts.$select(carol.id).action.create({ type: "none", text: "quietly", sendEmailNotification: false });
  assert.equal(await warningsOf(carol), before + 2, "send_email_notification=false tells nobody");
  assert.equal(await warningsOf(bob), 1, "bob heard of his own (the disable) only");
});

test("an action with report_id resolves the report", async () => {
  const filed = await api(bob.token, "POST", "/api/v1/reports", { account_id: carol.id, comment: "rude", category: "other" });
  assert.equal(filed.status, 200, JSON.stringify(filed.body));
  await clientOf(root).v1.admin.accounts.$select(carol.id).action.create({ type: "none", reportId: filed.body.id, text: "about that report" });
  const report = await api(root.token, "GET", `/api/v1/admin/reports/${filed.body.id}`);
  assert.equal(report.status, 200);
  assert.equal(report.body.action_taken, true);
  assert.equal(report.body.action_taken_by_account?.id, root.id);
});

test("approve and reject a pending sign-up", async () => {
  const pending = await adminUser(server, "newbie", "user");
  const doomed = await adminUser(server, "doomed", "user");
  await sql("update users set approved = 0, sign_up_reason = ? where account_id in (?, ?)", ["I like the local timeline", pending.id, doomed.id]);
  assert.equal((await api(pending.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "a pending account has no working token");
  const waiting = await clientOf(mod).v1.admin.accounts.list({ pending: true });
  assert.deepEqual(new Set(ids(waiting)), new Set([pending.id, doomed.id]));
  assert.equal(waiting[0].inviteRequest, "I like the local timeline");
  assert.equal(waiting[0].approved, false);

  const approved = await clientOf(mod).v1.admin.accounts.$select(pending.id).approve();
  assert.equal(approved.approved, true);
  assert.equal((await api(pending.token, "GET", "/api/v1/accounts/verify_credentials")).status, 200);
  assert.equal((await api(mod.token, "POST", `/api/v1/admin/accounts/${pending.id}/approve`)).status, 403, "approving twice is refused");
  assert.equal((await api(mod.token, "POST", `/api/v1/admin/accounts/${pending.id}/reject`)).status, 403, "an approved account is not rejected");

  const rejected = await clientOf(mod).v1.admin.accounts.$select(doomed.id).reject();
  assert.equal(rejected.username, "doomed");
  assert.equal((await api(root.token, "GET", `/api/v1/admin/accounts/${doomed.id}`)).status, 404, "a rejected sign-up is deleted");
  assert.deepEqual(ids(await clientOf(mod).v1.admin.accounts.list({ pending: true })), []);
});

test("DELETE purges a suspended account's data in the background (admins only); the account stays, suspended", async () => {
  const victim = await adminUser(server, "victim", "user");
  await clientOf(victim).v1.statuses.create({ status: "buy my stuff", visibility: "public" });
  await clientOf(victim).v1.accounts.$select(carol.id).follow();
  await clientOf(carol).v1.accounts.$select(victim.id).follow();
  const count = async (table: string, column: string) => Number((await sql(`select count(*) as n from ${table} where ${column} = ?`, [victim.id]))[0].n);
  assert.equal(await count("statuses", "account_id"), 1);
  assert.equal((await api(root.token, "DELETE", `/api/v1/admin/accounts/${victim.id}`)).status, 403, "not suspended");
  await clientOf(root).v1.admin.accounts.$select(victim.id).action.create({ type: "suspend" });
  const byModerator = await api(mod.token, "DELETE", `/api/v1/admin/accounts/${victim.id}`);
  assert.equal(byModerator.status, 403, "moderators may not purge");
  assert.equal(typeof byModerator.body.error, "string");
  assert.equal((await api(root.token, "DELETE", "/api/v1/admin/accounts/99999999")).status, 404);

  const deleted = await api(root.token, "DELETE", `/api/v1/admin/accounts/${victim.id}`);
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.username, "victim");
  assert.deepEqual(schemaProblems("AdminAccount", deleted.body), []);
  await eventually(async () => (await count("statuses", "account_id")) === 0 && (await count("follows", "account_id")) === 0 && (await count("follows", "target_account_id")) === 0, 30_000, "the purge");
  const after = await adminAccount(victim.id);
  assert.equal(after.suspended, true, "the row stays, suspended: the name is not reused");
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${victim.id}/unsuspend`)).status, 403, "a purged account is not brought back empty");
  assert.equal((await clientOf(carol).v1.accounts.verifyCredentials()).followingCount, 0, "counters follow the purge");
});

// ---- the record ----

test("the audit log lists who did what, newest first, for those allowed to read it", async () => {
  const asAdmin = await api(root.token, "GET", "/api/v1/admin/action_logs?limit=200");
  assert.equal(asAdmin.status, 200);
  const entries = asAdmin.body as { id: string; account: { id: string; username: string } | null; action: string; target_type: string; target_id: string; human_identifier: string; text: string; created_at: string }[];
  const suspension = entries.find((e) => e.action === "suspend" && e.target_id === alice.id);
  assert.ok(suspension, "the suspension is recorded");
  assert.equal(suspension.account?.username, "mod");
  assert.equal(suspension.target_type, "Account");
  assert.equal(suspension.human_identifier, "alice");
  assert.equal(suspension.text, "spam waves");
  assert.ok(entries.some((e) => e.action === "unsuspend" && e.target_id === alice.id));
  assert.ok(entries.some((e) => e.action === "reject" && e.human_identifier === "doomed"), "kept after the account is gone");
  assert.ok(entries.some((e) => e.action === "destroy" && e.human_identifier === "victim" && e.account?.username === "root"));
  assert.ok(entries.some((e) => e.action === "resolve" && e.target_type === "Report"));
  assert.ok(entries.some((e) => e.action === "change_role" && e.human_identifier === "boss" && e.account === null), "the command line has no moderator");
  assert.deepEqual(ids(entries), [...ids(entries)].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)));

  const page = await api(root.token, "GET", "/api/v1/admin/action_logs?limit=2");
  assert.equal(page.body.length, 2);
  const next = /<([^>]+)>; rel="next"/.exec(page.link ?? "")![1];
  const second = await api(root.token, "GET", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(ids(second.body), ids(entries).slice(2, 4));

  assert.equal((await api(mod.token, "GET", "/api/v1/admin/action_logs")).status, 200, "moderators may read it");
  assert.equal((await api(plain.token, "GET", "/api/v1/admin/action_logs")).status, 403);
});

// ---- the command line ----

test("./skein accounts suspend|unsuspend|silence|disable|enable|sensitive|approve|role and ./skein audit-log, beside the server", async () => {
  const run = async (...args: string[]) => {
    const result = await server.cli(args);
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  assert.match(await run("accounts", "suspend", "carol", "--text", "from the shell"), /carol.*suspended/);
  assert.equal((await adminAccount(carol.id)).suspended, true);
  assert.equal((await api(carol.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "the running server honours it at once");
  assert.match(await run("accounts", "unsuspend", "@carol"), /carol.*active/);
  assert.equal((await api(carol.token, "GET", "/api/v1/accounts/verify_credentials")).status, 200);

  await run("accounts", "silence", "spammer@remote.example");
  await run("accounts", "sensitive", "SPAMMER@Remote.Example");
  const remote = await adminAccount(remoteId);
  assert.equal(remote.silenced && remote.sensitized, true);
  await run("accounts", "disable", "plain");
  assert.equal((await adminAccount(plain.id)).disabled, true);
  await run("accounts", "enable", "plain");
  assert.equal((await adminAccount(plain.id)).disabled, false);

  assert.match(await run("accounts", "role", "plain", "moderator"), /role moderator/);
  assert.equal((await adminAccount(plain.id)).role.name, "Moderator");
  assert.equal((await api(plain.token, "GET", "/api/v1/admin/accounts")).status, 200, "the new moderator may now read accounts");
  await run("accounts", "role", "plain", "user");
  assert.equal((await api(plain.token, "GET", "/api/v1/admin/accounts")).status, 403);

  const unknown = await server.cli(["accounts", "suspend", "nobody"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^skein: No account nobody/);
  const badRole = await server.cli(["accounts", "role", "plain", "emperor"]);
  assert.equal(badRole.code, 2);
  const notPending = await server.cli(["accounts", "approve", "plain"]);
  assert.equal(notPending.code, 1, "approving an approved account is refused");

  const log = await run("audit-log", "--limit", "5");
  const lines = log.trim().split("\n");
  assert.match(lines[0], /^WHEN\s+BY\s+ACTION\s+TARGET/);
  assert.equal(lines.length, 6);
  assert.match(lines[1], /\(command line\)\s+change_role\s+Account plain/);
  const entries = (await api(root.token, "GET", "/api/v1/admin/action_logs?limit=20")).body as { action: string; account: unknown; text: string; target_id: string }[];
  const shellSuspension = entries.find((e) => e.action === "suspend" && e.target_id === carol.id && e.text === "from the shell");
  assert.ok(shellSuspension);
  assert.equal(shellSuspension.account, null);
  assert.equal((await server.cli(["audit-log", "--limit", "0"])).code, 2);
});

// ---- custom roles (made in the console: Mastodon's API has no role editor) ----

/** A cookie client signed in through the real sign-in form, posting console forms with its CSRF token. */
async function consoleOf(user: AdminUser): Promise<(path: string, fields?: Record<string, string>) => Promise<Response>> {
  const browser = new Browser();
  const signIn = readForm(await (await browser.request(`${server.url}/auth/sign_in`)).text());
  assert.equal((await browser.request(new URL(signIn.action, server.url).toString(), { form: { ...signIn.fields, login: user.username, password: user.password } })).status, 303);
  return async (path, fields) => {
    if (!fields) return browser.request(`${server.url}${path}`);
    const page = await browser.request(`${server.url}/admin`);
    const token = readForm(await page.text()).fields.authenticity_token;
    return browser.request(`${server.url}${path}`, { form: { authenticity_token: token, ...fields } });
  };
}

const roleIdNamed = async (name: string) => String((await sql("select id from roles where name = ?", [name]))[0]?.id ?? "");

test("a custom role: the Role entity in Admin::Account and verify_credentials, its badge in Account.roles; deleting it makes its users plain users", async () => {
  const asRoot = await consoleOf(root);
  const made = await asRoot("/admin/roles", { name: "Gardener", color: "#2A9D8F", position: "20", highlighted: "true", "permissions[]": "view_dashboard" });
  assert.equal(made.status, 303, await made.text());
  const id = await roleIdNamed("Gardener");
  assert.notEqual(id, "");
  assert.equal((await asRoot(`/admin/accounts/${bob.id}/role`, { role: `custom:${id}` })).status, 303);

  const entity = { id, name: "Gardener", color: "#2a9d8f", permissions: "8", highlighted: true };
  const view = await adminAccount(bob.id);
  assert.deepEqual(schemaProblems("AdminAccount", view), []);
  assert.deepEqual(view.role, entity);
  const me = await api(bob.token, "GET", "/api/v1/accounts/verify_credentials");
  assert.deepEqual(schemaProblems("CredentialAccount", me.body), []);
  assert.deepEqual(me.body.role, entity);
  const profile = await api(alice.token, "GET", `/api/v1/accounts/${bob.id}`);
  assert.deepEqual(schemaProblems("Account", profile.body), []);
  assert.deepEqual(profile.body.roles, [{ id, name: "Gardener", color: "#2a9d8f" }], "a highlighted role is a badge others see");
  assert.deepEqual((await api(root.token, "GET", `/api/v2/admin/accounts?role_ids[]=${id}`)).body.map((a: { id: string }) => a.id), [bob.id]);
  // Its flags are what it may do: the dashboard's figures, not accounts.
  const measures = () => api(bob.token, "POST", "/api/v1/admin/measures", { keys: ["new_users"], start_at: "2026-01-01", end_at: "2026-01-02" });
  assert.equal((await api(bob.token, "GET", "/api/v1/admin/accounts")).status, 403);
  assert.equal((await measures()).status, 200);

  // Staff, whose private mentions a notification policy never holds, are the holders of a
  // highlighted role with moderation permissions: not bob's Gardener, but a custom Warden.
  assert.equal((await asRoot("/admin/roles", { name: "Warden", position: "30", highlighted: "true", "permissions[]": "manage_reports" })).status, 303);
  assert.equal((await asRoot(`/admin/accounts/${carol.id}/role`, { role: `custom:${await roleIdNamed("Warden")}` })).status, 303);
  const policy = await api(alice.token, "PATCH", "/api/v2/notifications/policy", { for_not_following: "accept", for_not_followers: "accept", for_new_accounts: "accept", for_private_mentions: "filter", for_limited_accounts: "accept" });
  assert.equal(policy.status, 200);
  for (const from of [bob, carol]) assert.equal((await api(from.token, "POST", "/api/v1/statuses", { status: "@alice a word in private", visibility: "direct" })).status, 200);
  const shownFrom = async (who: AdminUser) => ((await api(alice.token, "GET", "/api/v1/notifications?types[]=mention&limit=80")).body as { account: { id: string } }[]).some((n) => n.account.id === who.id);
  const heldFrom = async (who: AdminUser) => ((await api(alice.token, "GET", "/api/v1/notifications/requests")).body as { account: { id: string } }[]).some((r) => r.account.id === who.id);
  await eventually(async () => (await shownFrom(carol)) && (await heldFrom(bob)), 10_000);
  assert.equal(await shownFrom(bob), false, "a role without moderation permissions does not speak for the server");
  assert.equal(await heldFrom(carol), false);
  assert.equal((await api(alice.token, "PATCH", "/api/v2/notifications/policy", { for_private_mentions: "accept" })).status, 200);

  assert.equal((await asRoot(`/admin/roles/${id}/delete`, {})).status, 303);
  const after = await adminAccount(bob.id);
  assert.equal(after.role.id, "-99", "back to the user role");
  assert.equal((await api(bob.token, "GET", "/api/v1/accounts/verify_credentials")).body.role.id, "-99");
  assert.deepEqual((await api(alice.token, "GET", `/api/v1/accounts/${bob.id}`)).body.roles, []);
  assert.equal((await measures()).status, 403);
  const log = (await api(root.token, "GET", "/api/v1/admin/action_logs?limit=10")).body as { action: string; target_type: string; human_identifier: string }[];
  assert.deepEqual(log.filter((e) => e.target_type === "UserRole").map((e) => e.action), ["destroy", "create", "create"]);
});

test("nobody makes a role at or above their own, nor one with a permission they lack; a moderator has no role editor", async () => {
  assert.equal((await (await consoleOf(mod))("/admin/roles")).status, 403, "the built-in moderator may not manage roles");
  const asRoot = await consoleOf(root);
  assert.equal((await asRoot("/admin/roles", { name: "Keeper", position: "50", "permissions[]": "manage_roles" })).status, 303);
  const keeperRole = await roleIdNamed("Keeper");
  assert.equal((await asRoot(`/admin/accounts/${carol.id}/role`, { role: `custom:${keeperRole}` })).status, 303);
  assert.equal((await asRoot("/admin/roles", { name: "Over root", position: "100" })).status, 403, "an admin's own position is out of reach");

  const asKeeper = await consoleOf(carol);
  const above = await asKeeper("/admin/roles", { name: "Usurper", position: "60" });
  assert.equal(above.status, 403);
  assert.match(await above.text(), /A role must rank below your own/);
  assert.equal((await asKeeper("/admin/roles", { name: "Equal", position: "50" })).status, 403);
  const wider = await asKeeper("/admin/roles", { name: "Wider", position: "10", "permissions[]": "manage_reports" });
  assert.equal(wider.status, 403);
  assert.match(await wider.text(), /cannot hold a permission you do not hold/);
  assert.equal((await asKeeper("/admin/roles", { name: "Helper", position: "10", "permissions[]": "manage_roles" })).status, 303, "below their own, with their own permission");
  assert.equal((await asKeeper(`/admin/accounts/${carol.id}/role`, { role: "moderator" })).status, 403, "nobody changes their own role");
  assert.equal((await asKeeper(`/admin/roles/${keeperRole}`, { name: "Keeper", position: "5", "permissions[]": "manage_roles" })).status, 403, "nor edits their own role");
  assert.equal(await roleIdNamed("Usurper"), "");
  assert.equal(await roleIdNamed("Wider"), "");

  // `./skein accounts role` takes a custom role's name; the running server sees it.
  const given = await server.cli(["accounts", "role", "plain", "helper"]);
  assert.equal(given.code, 0, given.stderr);
  assert.match(given.stdout, /role Helper/);
  assert.equal((await adminAccount(plain.id)).role.name, "Helper");
});
