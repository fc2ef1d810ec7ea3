// /admin/accounts: find accounts (username or user@domain, local or remote, by state), approve or
// reject sign-ups waiting for approval (with the reason the person gave), and one account's page:
// what it is, the reports about it, its history of moderators' actions (the audit log), and the
// actions: warn, mark sensitive, freeze, limit, suspend, and their reversals. The same service as
// /api/v1/admin/accounts (AccountModeration), with its permission (manage_users) and rank rules.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, allowed, can, csrfField, moderatorOf, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { toAdminAccount } from "../../../convert/mastodon/admin/account.ts";
import { type AccountActionType, type AccountStatusFilter, type AdminAccountFilter, type AdminAccountRow } from "../../../domain/moderation/account-moderation.ts";
import { actionChoices, cursorPage, handleOf, pagerLinks, type AdminAccountView } from "./partials.ts";
import { givableRoles, knownRole, roleLabel } from "./roles.ts";
import type { UserRole } from "../../../db/schema.ts";

export const accountRoutes = new Hono<AdminEnv>();

const STATUSES: readonly AccountStatusFilter[] = ["pending", "active", "silenced", "suspended", "disabled", "sensitized"];
const STATUS_LABELS: Record<AccountStatusFilter, string> = {
  pending: "Waiting for approval",
  active: "Active",
  silenced: "Limited",
  suspended: "Suspended",
  disabled: "Frozen",
  sensitized: "Media marked sensitive",
};
/** The reversals, with the state that offers each. */
const REVERSALS = [
  { action: "unsuspend", label: "Lift the suspension", shown: (a: AdminAccountView) => a.suspended },
  { action: "unsilence", label: "Lift the limit", shown: (a: AdminAccountView) => a.silenced },
  { action: "enable", label: "Unfreeze sign-in", shown: (a: AdminAccountView) => a.disabled },
  { action: "unsensitive", label: "Stop marking media sensitive", shown: (a: AdminAccountView) => a.sensitized },
] as const;

const APPROVED = "The sign-up was approved.";
const REJECTED = "The sign-up was rejected and the account removed.";
const ACTED = "The action was taken.";
const REVERSED = "The account's state was changed back.";
const ROLE_GIVEN = "The role was given.";
const NOTICES = [APPROVED, REJECTED, ACTED, REVERSED, ROLE_GIVEN];
const MAX_TERM = 200;

function view(c: AdminContext, row: AdminAccountRow): AdminAccountView {
  // Roles: a custom role's entity and badge (the rest of the entity as before: no media URLs here).
  return toAdminAccount(row, { origin: c.get("services").config.origin, roles: c.get("services").moderation.roles.book });
}

function badges(a: AdminAccountView) {
  return html`${!a.approved ? html` <span class="badge open">waiting for approval</span>` : ""}${a.suspended ? html` <span class="badge bad">suspended</span>` : ""}${a.silenced ? html` <span class="badge bad">limited</span>` : ""}${a.disabled ? html` <span class="badge bad">frozen</span>` : ""}${a.sensitized ? html` <span class="badge">sensitive</span>` : ""}${a.role.name ? html` <span class="badge">${a.role.name}</span>` : ""}`;
}

/** The search form's fields as an account filter: a "user@domain" term searches that domain's accounts. */
function filterOf(c: AdminContext): { filter: AdminAccountFilter; query: string; origin: string; status: string; role: string } {
  const query = (c.req.query("q") ?? "").trim().replace(/^@/, "").slice(0, MAX_TERM);
  const origin = c.req.query("origin") ?? "";
  const status = c.req.query("status") ?? "";
  const role = c.req.query("role") ?? "";
  const filter: AdminAccountFilter = {};
  // The roles page links here with ?role=: the accounts that have it.
  const known = knownRole(c, role);
  if (known) filter.roles = [known];
  if (origin === "local" || origin === "remote") filter.origin = origin;
  if ((STATUSES as readonly string[]).includes(status)) filter.status = status as AccountStatusFilter;
  if (query) {
    const at = query.indexOf("@");
    if (at > 0) {
      filter.username = query.slice(0, at);
      filter.byDomain = query.slice(at + 1).toLowerCase();
    } else if (at === 0) {
      filter.byDomain = query.slice(1).toLowerCase();
    } else {
      filter.username = query;
    }
  }
  return { filter, query, origin, status, role: filter.roles ? role : "" };
}

accountRoutes.get("/accounts", can("manage_users"), async (c) => {
  const { filter, query, origin, status, role } = filterOf(c);
  const request = cursorPage(c, 50);
  const rows = request.trim(await c.get("services").moderation.accounts.list(filter, request.page));
  const accounts = rows.map((row) => view(c, row));
  const search = new URLSearchParams({ q: query, origin, status, ...(role ? { role } : {}) }).toString();
  return c.html(
    adminPage(c, {
      active: "accounts",
      title: "Accounts",
      notice: noticeOf(c, NOTICES),
      body: html`<form method="get" action="/admin/accounts" class="row" role="search">
<div><label for="q">Username or user@domain</label><input type="search" id="q" name="q" value="${query}"></div>
<div><label for="origin">Where</label><select id="origin" name="origin">
<option value=""${origin === "" ? " selected" : ""}>Everywhere</option><option value="local"${origin === "local" ? " selected" : ""}>This server</option><option value="remote"${origin === "remote" ? " selected" : ""}>Other servers</option>
</select></div>
<div><label for="status">State</label><select id="status" name="status">
<option value="">Any</option>${STATUSES.map((s) => html`<option value="${s}"${status === s ? " selected" : ""}>${STATUS_LABELS[s]}</option>`)}
</select></div>
${role ? html`<input type="hidden" name="role" value="${role}">` : ""}<div><button type="submit">Search</button></div>
</form>
${role ? html`<p class="hint" id="role-filter">Only accounts with the role ${roleLabel(c.get("services").moderation.roles.book.info(role as UserRole))}: <a href="/admin/accounts">show all</a>.</p>` : ""}
${accounts.length === 0
  ? html`<p id="no-accounts">No account matches.</p>`
  : html`<table id="accounts">
<thead><tr><th scope="col">Account</th><th scope="col">Joined</th><th scope="col">E-mail</th><th scope="col">Reason given</th><th scope="col"><span class="hint">Sign-up</span></th></tr></thead>
<tbody>
${accounts.map((a) => html`<tr>
  <td><a href="/admin/accounts/${a.id}">${handleOf(a)}</a>${badges(a)}</td>
  <td>${when(a.created_at)}</td>
  <td>${a.email}</td>
  <td>${a.invite_request ?? ""}</td>
  <td>${a.approved ? "" : html`<form class="inline" method="post" action="/admin/accounts/${a.id}/approve">${csrfField(c)}<button type="submit" aria-label="Approve ${handleOf(a)}">Approve</button></form>
<form class="inline" method="post" action="/admin/accounts/${a.id}/reject">${csrfField(c)}<button type="submit" aria-label="Reject ${handleOf(a)}">Reject</button></form>`}</td>
</tr>`)}
</tbody>
</table>`}
${pagerLinks(`/admin/accounts?${search}`, request.links(accounts))}`,
    }),
  );
});

function accountIdOf(c: AdminContext): string | null {
  return parseId(c.req.param("id") ?? "") ?? null;
}

function missing(c: AdminContext, message = "There is no such account.") {
  return c.html(adminPage(c, { active: "accounts", title: "Account", error: message, body: html`<p><a href="/admin/accounts">Back to the accounts</a></p>` }), 404);
}

accountRoutes.get("/accounts/:id", can("manage_users"), async (c) => {
  const id = accountIdOf(c);
  if (!id) return missing(c);
  let row: AdminAccountRow;
  try {
    row = await c.get("services").moderation.accounts.get(id);
  } catch (error) {
    return missing(c, refusal(error).message);
  }
  return c.html(await accountPage(c, row, noticeOf(c, NOTICES), null));
});

async function accountPage(c: AdminContext, row: AdminAccountRow, notice: string | null, error: string | null) {
  const moderation = c.get("services").moderation;
  const a = view(c, row);
  const page = { maxId: null, minId: null, sinceId: null, limit: 50 };
  const [history, reports] = await Promise.all([
    allowed(c, "view_audit_log") ? moderation.audit.list({ targetType: "Account", targetId: a.id }, page) : null,
    allowed(c, "manage_reports") ? moderation.reports.list({ targetAccountId: a.id }, { ...page, limit: 20 }) : null,
  ]);
  // Who took each action: the moderators' handles (a few accounts at most).
  const actors = new Map<string, string>();
  for (const actorId of new Set((history ?? []).map((h) => h.account_id).filter((x): x is string => x !== null))) {
    try {
      actors.set(actorId, handleOf((await moderation.accounts.get(actorId)).account));
    } catch {
      actors.set(actorId, "a removed account");
    }
  }
  const base = `/admin/accounts/${a.id}`;
  return adminPage(c, {
    active: "accounts",
    title: handleOf(a),
    notice,
    error,
    body: html`<p id="account-state">${a.account.display_name || a.username}${badges(a)}</p>
<table id="account-facts">
<tbody>
<tr><th scope="row">Joined</th><td>${when(a.created_at)}</td></tr>
${a.domain ? html`<tr><th scope="row">Profile</th><td><a href="${a.account.url}" rel="noopener noreferrer">${a.account.url}</a></td></tr>` : html`<tr><th scope="row">E-mail</th><td>${a.email}${a.confirmed ? "" : " (not confirmed)"}</td></tr>
<tr><th scope="row">Reason given at sign-up</th><td>${a.invite_request ?? "—"}</td></tr>
<tr><th scope="row">Last IP</th><td>${a.ip ?? "—"}</td></tr>`}
<tr><th scope="row">Posts · followers · following</th><td>${a.account.statuses_count} · ${a.account.followers_count} · ${a.account.following_count}</td></tr>
</tbody>
</table>
${!a.approved
  ? html`<h2>Sign-up</h2>
<form class="inline" method="post" action="${base}/approve">${csrfField(c)}<button type="submit">Approve</button></form>
<form class="inline" method="post" action="${base}/reject">${csrfField(c)}<button type="submit" class="danger">Reject</button></form>`
  : ""}
<h2>Act on this account</h2>
<form method="post" action="${base}/action" id="action-form">
${csrfField(c)}
<fieldset>
<legend>Action</legend>
${actionChoices()}
<label for="action-text">Message to the account (optional)</label>
<textarea id="action-text" name="text" maxlength="5000"></textarea>
<label class="check"><input type="checkbox" name="send_email_notification" value="true" checked> Tell the account</label>
<button type="submit" class="danger">Take the action</button>
</fieldset>
</form>
${REVERSALS.filter((r) => r.shown(a)).map((r) => html`<form class="inline" method="post" action="${base}/${r.action}">${csrfField(c)}<button type="submit">${r.label}</button></form> `)}
${!a.domain && allowed(c, "manage_roles") ? roleForm(c, a, base, row.user?.role ?? "user") : ""}
${reports
  ? html`<h2>Reports about this account</h2>
${reports.length === 0 ? html`<p class="hint">None.</p>` : html`<ul id="account-reports">${reports.map((r) => html`<li><a href="/admin/reports/${r.id}">#${r.id.slice(-6)}</a> ${r.category} · ${when(r.created_at)} · ${r.action_taken_at ? "resolved" : "open"}</li>`)}</ul>`}`
  : ""}
${history
  ? html`<h2>History of moderation</h2>
${history.length === 0
  ? html`<p class="hint" id="history">No moderator has acted on this account.</p>`
  : html`<table id="history">
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Message</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${when(h.created_at)}</td><td>${h.action}</td><td>${h.account_id ? (actors.get(h.account_id) ?? "") : "the command line"}</td><td>${h.text}</td></tr>`)}</tbody>
</table>`}`
  : ""}
<p><a href="/admin/accounts">Back to the accounts</a></p>`,
  });
}

/** The role form: the roles the signed-in user may give (those below their own), if they outrank the account's. */
function roleForm(c: AdminContext, a: AdminAccountView, base: string, current: UserRole) {
  const book = c.get("services").moderation.roles.book;
  if (!book.outranks(c.get("user").role, current)) return html`<h2>Role</h2><p id="account-role">${roleLabel(book.info(current))} <span class="hint">(at or above your own role: only a higher one changes it)</span></p>`;
  const choices = givableRoles(c);
  return html`<h2>Role</h2>
<form method="post" action="${base}/role" id="role-form" class="row">
${csrfField(c)}
<div><label for="role">Role of ${handleOf(a)}</label>
<select id="role" name="role">${choices.map((r) => html`<option value="${r.key}"${r.key === current ? " selected" : ""}>${roleLabel(r)}</option>`)}</select></div>
<div><button type="submit">Give the role</button> <a href="/admin/roles">What each role may do</a></div>
</form>`;
}

/** Runs an action, then back to `done` with a notice; a rule's refusal is shown on the account's page. */
async function act(c: AdminContext, notice: string, run: (id: string, params: Awaited<ReturnType<typeof readForm>>) => Promise<unknown>, done?: string) {
  const params = await readForm(c);
  const id = accountIdOf(c);
  if (!id) return missing(c);
  try {
    await run(id, params);
  } catch (error) {
    const { message, status } = refusal(error);
    if (status === 404) return missing(c, message);
    return c.html(await accountPage(c, await c.get("services").moderation.accounts.get(id), null, message), status);
  }
  return doneRedirect(c, done ?? `/admin/accounts/${id}`, notice);
}

const accounts = (c: AdminContext) => c.get("services").moderation.accounts;

accountRoutes.post("/accounts/:id/action", can("manage_users"), (c) =>
  act(c, ACTED, (id, params) =>
    accounts(c).act(moderatorOf(c), id, {
      type: (str(params, "type", 20) ?? "") as AccountActionType,
      text: str(params, "text", 5000) ?? "",
      notify: bool(params, "send_email_notification") ?? false,
    }),
  ),
);
accountRoutes.post("/accounts/:id/approve", can("manage_users"), (c) => act(c, APPROVED, (id) => accounts(c).approve(moderatorOf(c), id)));
// A rejected sign-up's account is removed: back to the list of those still waiting.
accountRoutes.post("/accounts/:id/reject", can("manage_users"), (c) => act(c, REJECTED, (id) => accounts(c).reject(moderatorOf(c), id), "/admin/accounts?status=pending"));
// The same service as `./skein accounts role`, which checks the ranks (nobody gives a role at or above their own).
accountRoutes.post("/accounts/:id/role", can("manage_roles"), (c) => act(c, ROLE_GIVEN, (id, params) => accounts(c).setRole(moderatorOf(c), id, (str(params, "role", 60) ?? "") as UserRole)));
for (const action of ["unsuspend", "unsilence", "enable", "unsensitive"] as const) {
  accountRoutes.post(`/accounts/:id/${action}`, can("manage_users"), (c) => act(c, REVERSED, (id) => accounts(c)[action](moderatorOf(c), id)));
}
