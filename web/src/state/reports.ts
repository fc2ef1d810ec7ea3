// Reporting an account (with some of its posts) to this server's moderators (POST /api/v1/reports):
// why (spam, a rule broken — which ones —, something illegal, or other), a comment, and for a
// remote account whether to forward a copy to its server's moderators.
import { api } from "../api/client.ts";

export type ReportCategory = "spam" | "violation" | "legal" | "other";

export interface ReportInput {
  accountId: string;
  statusIds: string[];
  category: ReportCategory;
  ruleIds: string[];
  comment: string;
  forward: boolean;
}

export async function submitReport(input: ReportInput): Promise<void> {
  await api.request("POST", "/api/v1/reports", {
    body: {
      account_id: input.accountId,
      status_ids: input.statusIds,
      category: input.category,
      rule_ids: input.category === "violation" ? input.ruleIds : undefined,
      comment: input.comment,
      forward: input.forward,
    },
  });
}
