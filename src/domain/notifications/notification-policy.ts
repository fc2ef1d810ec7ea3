// The notification policy (Mastodon's /api/v2/notifications/policy): per kind of sender, accept,
// filter or drop, applied when notifying (policyVerdict); filtered notifications become
// notification requests (notification-requests.ts) — for limited senders so far (FILTER_APPLIED).
import type { Stores } from "../../store/stores.ts";
import type { NotificationPolicyRow } from "../../store/notification-groups.ts";
import type { NotificationPolicyValue, NotificationType } from "../../db/schema.ts";

export const POLICY_VALUES: readonly NotificationPolicyValue[] = ["accept", "filter", "drop"];
export const POLICY_FIELDS = ["for_not_following", "for_not_followers", "for_new_accounts", "for_private_mentions", "for_limited_accounts"] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

/** Mastodon's defaults. */
export function defaultPolicy(accountId: string): NotificationPolicyRow {
  return {
    account_id: accountId,
    for_not_following: "accept",
    for_not_followers: "accept",
    for_new_accounts: "accept",
    for_private_mentions: "filter",
    for_limited_accounts: "filter",
    updated_at: new Date(0).toISOString(),
  };
}

/** Types a policy applies to (Mastodon's "filterable" notifications). */
const FILTERABLE: readonly NotificationType[] = ["mention", "reblog", "follow", "follow_request", "favourite"];
const NEW_ACCOUNT_MS = 30 * 86_400_000;

export type PolicyVerdict = "accept" | "filter" | "drop";

/** The kinds of sender whose `filter` files notifications away (see policyVerdict). */
export const FILTER_APPLIED: readonly PolicyField[] = ["for_limited_accounts"];

/**
 * What the recipient's policy does with a notification from `fromAccountId`: shown (`accept`),
 * filed away as a notification request (`filter`: stored with filtered = 1, see
 * notification-requests.ts), or not made at all (`drop`). Notifications from accounts one
 * follows, and from senders whose request one accepted, are always shown. Of several matching
 * rules the strictest wins. `limited`: the sender is limited by moderators
 * (domain/moderation/limited-accounts.ts), for `for_limited_accounts`.
 *
 * `filter` is applied for limited senders (`for_limited_accounts`). For the other kinds of sender
 * it is still shown as before (FILTER_APPLIED): Mastodon's default `for_private_mentions: filter`
 * would start hiding direct messages from strangers, and every account is "new" for 30 days —
 * turning those on is a change of its own, with its notice to users.
 */
export async function policyVerdict(stores: Stores, recipientId: string, fromAccountId: string, type: NotificationType, statusId: string | null, limited: boolean): Promise<PolicyVerdict> {
  if (!FILTERABLE.includes(type)) return "accept";
  const policy = (await stores.notificationGroups.policy(recipientId)) ?? defaultPolicy(recipientId);
  const asks = (field: PolicyField, value: NotificationPolicyValue) => policy[field] === value;
  const possible = (value: NotificationPolicyValue) =>
    (limited && asks("for_limited_accounts", value)) ||
    (value === "drop" && POLICY_FIELDS.some((f) => f !== "for_limited_accounts" && asks(f, "drop")));
  if (!possible("drop") && !possible("filter")) return "accept";
  const r = stores.relationships;
  if (await r.find("follows", recipientId, fromAccountId)) return "accept";
  if (await stores.notificationRequests.permitted(recipientId, fromAccountId)) return "accept";
  let verdict: PolicyVerdict = "accept";
  const apply = (value: NotificationPolicyValue, field: PolicyField) => {
    if (value === "drop") verdict = "drop";
    else if (value === "filter" && verdict === "accept" && FILTER_APPLIED.includes(field)) verdict = "filter";
  };
  if (limited) apply(policy.for_limited_accounts, "for_limited_accounts");
  apply(policy.for_not_following, "for_not_following");
  if (policy.for_not_followers !== "accept" && !(await r.find("follows", fromAccountId, recipientId))) apply(policy.for_not_followers, "for_not_followers");
  if (policy.for_new_accounts !== "accept") {
    const sender = await stores.accounts.byId(fromAccountId);
    if (sender && Date.now() - Date.parse(sender.created_at) < NEW_ACCOUNT_MS) apply(policy.for_new_accounts, "for_new_accounts");
  }
  if (policy.for_private_mentions === "drop" && type === "mention" && statusId) {
    const status = await stores.statuses.byId(statusId);
    // Replies to one's own posts are answers, not unsolicited private mentions.
    if (status && status.visibility === "direct" && status.in_reply_to_account_id !== recipientId) apply("drop", "for_private_mentions");
  }
  return verdict;
}
