// /api/v1/admin/accounts (list with v1 filters, one account, actions), /api/v2/admin/accounts
// (v2 filters), and /api/v1/admin/action_logs (the audit log: a Skein extension). Mastodon's
// scopes and permissions: reading needs admin:read:accounts and manage_users, acting needs
// admin:write:accounts and manage_users, purging needs delete_user_data.
import { domainToASCII } from "node:url";
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser } from "../../auth.ts";
import { requireAdmin } from "./guard.ts";
import { bool, readParams, str, strOrList, type Params } from "../../params.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { toAdminAccount, toAuditEntry } from "../../../convert/mastodon/admin/account.ts";
import type { AccountActionType, AccountStatusFilter, AdminAccountFilter, AdminAccountRow, Moderator } from "../../../domain/moderation/account-moderation.ts";
import type { RoleBook } from "../../../domain/moderation/role-book.ts";
import type { UserRole } from "../../../db/schema.ts";

export const adminAccountsV1 = new Hono<AppEnv>();
export const adminAccountsV2 = new Hono<AppEnv>();
export const adminActionLogs = new Hono<AppEnv>();

const read = requireAdmin("admin:read:accounts", "manage_users");
const write = requireAdmin("admin:write:accounts", "manage_users");
const STATUSES: readonly AccountStatusFilter[] = ["active", "pending", "disabled", "silenced", "suspended"];
/** Search terms are prefixes and substrings: a bound keeps the LIKE patterns small. */
const MAX_TERM = 200;

function accountId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id") ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

function moderatorOf(c: Context<AppEnv>): Moderator {
  const { user, account } = currentUser(c);
  return { accountId: account.id, role: user.role };
}

function render(c: Context<AppEnv>, row: AdminAccountRow) {
  // Roles: a custom role's entity and badge (the rest of the entity as before: no media URLs here).
  return toAdminAccount(row, { origin: c.get("services").config.origin, roles: c.get("services").moderation.roles.book });
}

/** The filters both versions share. */
function commonFilter(params: Params): AdminAccountFilter {
  const filter: AdminAccountFilter = {};
  const domain = str(params, "by_domain", 253);
  // Stored as URLs give hosts: lower case, internationalized names in punycode.
  if (domain) filter.byDomain = domainToASCII(domain.toLowerCase()) || domain.toLowerCase();
  for (const [param, key] of [["username", "username"], ["display_name", "displayName"], ["email", "email"], ["ip", "ip"]] as const) {
    const value = str(params, param, MAX_TERM);
    if (value) filter[key] = value;
  }
  return filter;
}

/** Mastodon's v1 filters: booleans, the first status flag given wins (as its AccountFilter reads them). */
function v1Filter(params: Params): AdminAccountFilter {
  const filter = commonFilter(params);
  if (bool(params, "local")) filter.origin = "local";
  else if (bool(params, "remote")) filter.origin = "remote";
  filter.status = STATUSES.find((s) => bool(params, s));
  if (bool(params, "sensitized")) filter.sensitized = true;
  if (bool(params, "staff")) filter.staff = true;
  return filter;
}

/** Mastodon's v2 filters: named values; one it does not know is a 400, as Mastodon answers. */
function v2Filter(params: Params, roles: RoleBook): AdminAccountFilter {
  const filter = commonFilter(params);
  const origin = str(params, "origin", 20);
  if (origin) {
    if (origin !== "local" && origin !== "remote") throw new ApiError(400, `Unknown origin: ${origin}`);
    filter.origin = origin;
  }
  const status = str(params, "status", 20);
  if (status) {
    if (!(STATUSES as readonly string[]).includes(status)) throw new ApiError(400, `Unknown status: ${status}`);
    filter.status = status as AccountStatusFilter;
  }
  const permissions = str(params, "permissions", 20);
  if (permissions) {
    if (permissions !== "staff") throw new ApiError(400, `Unknown permissions: ${permissions}`);
    filter.staff = true;
  }
  const roleIds = strOrList(params, "role_ids");
  if (roleIds !== undefined) {
    const ids = (Array.isArray(roleIds) ? roleIds : [roleIds]).slice(0, 10);
    filter.roles = ids.map((id) => roles.byId(id)?.key).filter((role): role is UserRole => role !== undefined);
  }
  const invitedBy = str(params, "invited_by", 30);
  if (invitedBy) filter.invitedBy = parseId(invitedBy) ?? "0";
  return filter;
}

async function listAccounts(c: Context<AppEnv>, filter: AdminAccountFilter) {
  const rows = await c.get("services").moderation.accounts.list(filter, pageRequest(c, { defaultLimit: 100, maxLimit: 200 }));
  setLinkHeader(c, rows.map((r) => r.account.id));
  return c.json(rows.map((row) => render(c, row)));
}

adminAccountsV1.get("/", read, async (c) => listAccounts(c, v1Filter(await readParams(c))));
adminAccountsV2.get("/", read, async (c) => listAccounts(c, v2Filter(await readParams(c), c.get("services").moderation.roles.book)));

adminAccountsV1.get("/:id", read, async (c) => c.json(render(c, await c.get("services").moderation.accounts.get(accountId(c)))));

adminAccountsV1.post("/:id/action", write, async (c) => {
  const params = await readParams(c);
  const type = str(params, "type", 20) ?? "";
  const reportId = str(params, "report_id", 30);
  const presetId = str(params, "warning_preset_id", 30);
  await c.get("services").moderation.accounts.act(moderatorOf(c), accountId(c), {
    type: type as AccountActionType,
    // An id that is not one names no report (404), rather than failing the query.
    reportId: reportId ? (parseId(reportId) ?? "0") : null,
    warningPresetId: presetId || null,
    text: str(params, "text", 5000) ?? "",
    notify: bool(params, "send_email_notification") ?? true,
  });
  return c.json({});
});

for (const action of ["approve", "reject", "enable", "unsilence", "unsuspend", "unsensitive"] as const) {
  adminAccountsV1.post(`/:id/${action}`, write, async (c) => {
    const row = await c.get("services").moderation.accounts[action](moderatorOf(c), accountId(c));
    return c.json(render(c, row));
  });
}

adminAccountsV1.delete("/:id", requireAdmin("admin:write:accounts", "delete_user_data"), async (c) => {
  const row = await c.get("services").moderation.accounts.purge(moderatorOf(c), accountId(c));
  return c.json(render(c, row));
});

adminActionLogs.get("/", requireAdmin("admin:read", "view_audit_log"), async (c) => {
  const entries = await c.get("services").moderation.accounts.auditEntries(pageRequest(c, { defaultLimit: 40, maxLimit: 200 }));
  setLinkHeader(c, entries.map((e) => e.row.id));
  const ctx = { origin: c.get("services").config.origin };
  return c.json(entries.map((e) => toAuditEntry(e.row, e.actor, ctx)));
});
