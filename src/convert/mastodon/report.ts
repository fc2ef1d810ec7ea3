// Reports → Mastodon's Report entity: what the reporter sees of their own report (the answer to
// POST /api/v1/reports) and what an admin.report notification carries.
import type { ReportRow } from "../../store/moderation/reports.ts";
import type { AccountRow } from "../../store/accounts.ts";
import { ruleIdsOf, statusIdsOf } from "../../domain/moderation/report-service.ts";
import { toAccount, type ConvertContext } from "./account.ts";

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
