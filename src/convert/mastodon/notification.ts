// Notifications → Mastodon's Notification entity, for the REST API and the streaming API alike.
import type { Services } from "../../domain/services.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusView } from "../../domain/statuses/status-views.ts";
import { toAccount, type ConvertContext } from "./account.ts";
import { toStatus } from "./status.ts";
import { convertContextOf } from "./context.ts";
import { withSeveranceEvents } from "./severance-event.ts";
import { withAccountWarnings } from "./admin/account-warning.ts";
import { toReport } from "./report.ts";

/** `report`: the Report entity an admin.report notification carries. */
export function toNotification(row: NotificationRow, from: AccountRow, status: StatusView | null, ctx: ConvertContext, report: ReturnType<typeof toReport> | null = null) {
  return {
    id: row.id,
    type: row.type,
    created_at: row.created_at,
    group_key: row.group_key,
    account: toAccount(from, ctx),
    status: status ? toStatus(status, ctx) : null,
    ...(row.type === "admin.report" ? { report } : {}),
  };
}

/**
 * Loads and renders notifications for their recipient. Ones whose status the recipient can no
 * longer read, or whose author is gone, are dropped.
 */
export async function renderNotifications(services: Services, recipientId: string, rows: readonly NotificationRow[]) {
  return withAccountWarnings(services, recipientId, rows, await withSeveranceEvents(services, recipientId, rows, await renderEach(services, recipientId, rows)));
}

async function renderEach(services: Services, recipientId: string, rows: readonly NotificationRow[]) {
  const statusRows = [];
  for (const id of new Set(rows.map((r) => r.status_id).filter((id): id is string => id !== null))) {
    const row = await services.statuses.readable(id, recipientId).catch(() => null);
    if (row) statusRows.push(row);
  }
  // Statuses a `hide` filter for notifications matches take their notifications with them.
  const views = new Map((await services.statusViews(statusRows, recipientId, "notifications")).map((v) => [v.status.id, v]));
  const accounts = new Map<string, AccountRow>();
  for (const id of new Set(rows.map((r) => r.from_account_id))) {
    const account = await services.accounts.visible(id).catch(() => null);
    if (account) accounts.set(account.id, account);
  }
  const ctx = convertContextOf(services);
  const reportIds = rows.map((r) => r.report_id).filter((id): id is string => id !== null);
  const reports = reportIds.length ? await services.moderation.reports.withTargets(reportIds) : new Map();
  return rows
    .filter((r) => accounts.has(r.from_account_id) && (r.status_id === null || views.has(r.status_id)) && (r.type !== "admin.report" || reports.has(r.report_id)))
    .map((r) => {
      const report = r.report_id ? reports.get(r.report_id) : undefined;
      return toNotification(r, accounts.get(r.from_account_id)!, r.status_id ? views.get(r.status_id)! : null, ctx, report ? toReport(report.report, report.target, ctx) : null);
    });
}
