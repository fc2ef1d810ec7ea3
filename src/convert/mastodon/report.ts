// Reports → Mastodon's Report entity: what the reporter sees of their own report (the answer to
// POST /api/v1/reports) and what an admin.report notification (single or grouped) carries.
import type { ReportRow } from "../../store/moderation/reports.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { Services } from "../../domain/services.ts";
import { ruleIdsOf, statusIdsOf } from "../../domain/moderation/report-service.ts";
import { toAccount, type ConvertContext } from "./account.ts";
import { convertContextOf } from "./context.ts";

export function toReport(report: ReportRow, target: AccountRow, ctx: ConvertContext) {
  return {
    id: report.id,
    action_taken: report.action_taken_at !== null,
    action_taken_at: report.action_taken_at,
    category: report.category,
    comment: report.comment,
    forwarded: report.forwarded === 1,
    created_at: report.created_at,
    status_ids: statusIdsOf(report),
    rule_ids: ruleIdsOf(report),
    target_account: toAccount(target, ctx),
  };
}

/**
 * Grouped notifications (/api/v2/notifications): an admin.report group carries its Report, as
 * the single notifications do. admin.report is never grouped, so the group's one notification
 * names it; a group whose report is gone is left out.
 */
export async function withReportGroups<T extends { group_key: string; type: string }>(
  services: Services,
  groups: readonly { groupKey: string; notifications: readonly NotificationRow[] }[],
  rendered: T[],
): Promise<T[]> {
  const reportOf = new Map<string, string>();
  for (const g of groups) {
    const id = g.notifications[0]?.report_id;
    if (id) reportOf.set(g.groupKey, id);
  }
  if (!rendered.some((g) => g.type === "admin.report")) return rendered;
  const reports = await services.moderation.reports.withTargets([...reportOf.values()]);
  const ctx = convertContextOf(services);
  return rendered.flatMap((g) => {
    if (g.type !== "admin.report") return [g];
    const found = reports.get(reportOf.get(g.group_key) ?? "");
    return found ? [{ ...g, report: toReport(found.report, found.target, ctx) }] : [];
  });
}
