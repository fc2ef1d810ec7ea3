// The instance's pages as Mastodon entities: Rule, PrivacyPolicy, TermsOfService, ExtendedDescription.
import type { InstanceRuleRow } from "../../store/instance-rules.ts";

export function toRule(row: InstanceRuleRow) {
  return { id: row.id, text: row.text, hint: row.hint, translations: {} };
}
