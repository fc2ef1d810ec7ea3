// Reports as moderators see them → Mastodon's Admin::Report entity: the reporter, the reported
// account, who is handling it and who resolved it (each an Admin::Account), and the reported
// posts as Status entities, and the server's rules it names (removed ones too).
import type { Services } from "../../../domain/services.ts";
import type { ReportRow } from "../../../store/moderation/reports.ts";
import type { ReportDetails } from "../../../domain/moderation/report-service.ts";
import type { StatusView } from "../../../domain/statuses/status-views.ts";
import { ruleIdsOf, statusIdsOf } from "../../../domain/moderation/report-service.ts";
import type { InstanceRuleRow } from "../../../store/instance-rules.ts";
import { toRule } from "../instance-pages.ts";
import { toStatus } from "../status.ts";
import { toAdminAccount } from "./account.ts";
import type { ConvertContext } from "../account.ts";
import { convertContextOf } from "../context.ts";

export function toAdminReport(report: ReportRow, details: ReportDetails, views: Map<string, StatusView>, ctx: ConvertContext, rules: Map<string, InstanceRuleRow> = new Map()) {
  const adminAccount = (id: string | null) => {
    const account = id ? details.accounts.get(id) : undefined;
    return account ? toAdminAccount({ account, user: details.users.get(account.id) ?? null }, ctx) : null;
  };
  return {
    id: report.id,
    action_taken: report.action_taken_at !== null,
    action_taken_at: report.action_taken_at,
    category: report.category,
    comment: report.comment,
    forwarded: report.forwarded === 1,
    created_at: report.created_at,
    updated_at: report.updated_at ?? report.created_at,
    account: adminAccount(report.account_id),
    target_account: adminAccount(report.target_account_id),
    assigned_account: adminAccount(report.assigned_account_id),
    action_taken_by_account: adminAccount(report.action_taken_by_account_id),
    // Posts deleted since the report was filed are left out.
    statuses: statusIdsOf(report).flatMap((id) => {
      const view = views.get(id);
      return view ? [toStatus(view, ctx)] : [];
    }),
    rules: ruleIdsOf(report).flatMap((id) => {
      const rule = rules.get(id);
      return rule ? [toRule(rule)] : [];
    }),
  };
}

/** Loads what the admin view needs for these reports and renders them for one moderator. */
export async function renderAdminReports(services: Services, moderatorId: string, reports: readonly ReportRow[]) {
  const details = await services.moderation.reports.details(reports);
  const views = new Map((await services.statusViews([...details.statuses.values()], moderatorId)).map((v) => [v.status.id, v]));
  // The reported posts' media as everyone sees them (the same context every entity gets).
  const ctx = convertContextOf(services);
  const rules = new Map((await services.rules.byIds(reports.flatMap(ruleIdsOf))).map((r) => [r.id, r]));
  // A report whose accounts are gone (purged) cannot be shown whole; Mastodon deletes those with them.
  return reports.filter((r) => details.accounts.has(r.account_id) && details.accounts.has(r.target_account_id)).map((r) => toAdminReport(r, details, views, ctx, rules));
}
