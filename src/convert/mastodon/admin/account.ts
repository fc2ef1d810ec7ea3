// An account as moderators see it → Mastodon's Admin::Account entity (and the Skein audit-log
// entry). Remote accounts have no user: their e-mail and locale are empty strings (the entity
// requires strings), their addresses empty, their role the everyone role, and their sign-up flags
// say what is true of them (confirmed, approved, never disabled).
import type { AdminAccountRow } from "../../../store/moderation/admin-accounts.ts";
import type { AuditLogRow } from "../../../store/moderation/audit-log.ts";
import type { AccountRow } from "../../../store/accounts.ts";
import { roleOf, toAccount, type ConvertContext } from "../account.ts";

export function toAdminAccount({ account, user }: AdminAccountRow, ctx: ConvertContext) {
  // The addresses the user is known by, most recent use first (Mastodon's Admin::Ip).
  const ips: { ip: string; used_at: string }[] = [];
  if (user?.last_sign_in_ip) ips.push({ ip: user.last_sign_in_ip, used_at: user.last_sign_in_at ?? user.updated_at });
  if (user?.sign_up_ip && user.sign_up_ip !== user.last_sign_in_ip) ips.push({ ip: user.sign_up_ip, used_at: user.created_at });
  return {
    id: account.id,
    username: account.username,
    domain: account.domain,
    created_at: account.created_at,
    email: user ? user.email : "",
    ip: ips[0]?.ip ?? null,
    ips,
    locale: user ? localeOf(user.locale) : "",
    invite_request: user?.sign_up_reason ?? null,
    role: roleOf(user ?? { role: "user" }, ctx),
    confirmed: user ? user.confirmed_at !== null : true,
    approved: user ? user.approved === 1 : true,
    disabled: user ? user.disabled === 1 : false,
    silenced: account.silenced_at !== null,
    suspended: account.suspended_at !== null,
    sensitized: account.sensitized_at !== null,
    account: toAccount(account, ctx),
    created_by_application_id: null,
    invited_by_account_id: user?.invited_by_account_id ?? null,
  };
}

/** A user who never chose an interface language reads the server's default, English. */
function localeOf(locale: string | null): string {
  return locale && /^[a-z]{2}$/.test(locale) ? locale : "en";
}

/** One audit-log entry (GET /api/v1/admin/action_logs, a Skein extension). */
export function toAuditEntry(row: AuditLogRow, actor: AccountRow | null, ctx: ConvertContext) {
  return {
    id: row.id,
    account: actor ? toAccount(actor, ctx) : null,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    human_identifier: row.human_identifier,
    text: row.text,
    created_at: row.created_at,
  };
}
