// Mastodon's AccountWarning: what a moderator's action told the account (the warning row written
// by domain/moderation/account-moderation.ts), carried by `moderation_warning` notifications.
import type { Services } from "../../../domain/services.ts";
import type { NotificationRow } from "../../../store/notifications.ts";
import type { AccountWarningRow } from "../../../store/moderation/audit-log.ts";
import type { AccountRow } from "../../../store/accounts.ts";
import { toAccount, type ConvertContext } from "../account.ts";
import { convertContextOf } from "../context.ts";

export function toAccountWarning(row: AccountWarningRow, target: AccountRow, ctx: ConvertContext) {
  let statusIds: string[] = [];
  try {
    const parsed = JSON.parse(row.status_ids);
    if (Array.isArray(parsed)) statusIds = parsed.map(String);
  } catch {
    // A malformed list names no statuses.
  }
  return {
    id: row.id,
    action: row.action,
    text: row.text,
    status_ids: statusIds,
    target_account: toAccount(target, ctx),
    appeal: null,
    created_at: row.created_at,
  };
}

/** Adds `moderation_warning` to the rendered `moderation_warning` notifications among `rendered` (matched by id). */
export async function withAccountWarnings<T extends { id: string; type: string }>(services: Services, recipientId: string, rows: readonly NotificationRow[], rendered: T[]) {
  const warningOf = new Map(rows.filter((r) => r.account_warning_id !== null).map((r) => [r.id, r.account_warning_id!]));
  if (warningOf.size === 0) return rendered;
  const found = await services.moderation.accounts.warningsOf(recipientId, [...warningOf.values()]);
  const ctx = convertContextOf(services);
  return rendered.map((n) => {
    if (n.type !== "moderation_warning") return n;
    const warning = found?.warnings.get(warningOf.get(n.id) ?? "");
    return { ...n, moderation_warning: found && warning ? toAccountWarning(warning, found.target, ctx) : null };
  });
}

/** The same for grouped notifications (/api/v2/notifications): a warning is never grouped, one notification each. */
export async function withAccountWarningGroups<T extends { group_key: string; type: string }>(
  services: Services,
  recipientId: string,
  groups: readonly { groupKey: string; notifications: readonly NotificationRow[] }[],
  rendered: T[],
) {
  const rows = new Map(groups.map((g) => [g.groupKey, g.notifications[0]]));
  const withWarnings = await withAccountWarnings(services, recipientId, [...rows.values()].filter((r) => r !== undefined), rendered.map((g) => ({ ...g, id: rows.get(g.group_key)?.id ?? "" })));
  return withWarnings.map(({ id: _id, ...group }) => group);
}
