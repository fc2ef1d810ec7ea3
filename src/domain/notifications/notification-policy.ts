// The notification policy (Mastodon's /api/v2/notifications/policy): per kind of sender, accept,
// filter or drop. Skein stores all three; `drop` is applied when notifying, `filter` is treated
// as `accept` until notification requests exist.
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

/** Whether the recipient's policy drops this notification. Notifications from accounts one follows are never dropped. */
export async function droppedByPolicy(stores: Stores, recipientId: string, fromAccountId: string, type: NotificationType, statusId: string | null): Promise<boolean> {
  if (!FILTERABLE.includes(type)) return false;
  const policy = await stores.notificationGroups.policy(recipientId);
  if (!policy || !POLICY_FIELDS.some((f) => policy[f] === "drop")) return false;
  const r = stores.relationships;
  if (await r.find("follows", recipientId, fromAccountId)) return false;
  if (policy.for_not_following === "drop") return true;
  if (policy.for_not_followers === "drop" && !(await r.find("follows", fromAccountId, recipientId))) return true;
  if (policy.for_new_accounts === "drop") {
    const sender = await stores.accounts.byId(fromAccountId);
    if (sender && Date.now() - Date.parse(sender.created_at) < NEW_ACCOUNT_MS) return true;
  }
  if (policy.for_private_mentions === "drop" && type === "mention" && statusId) {
    const status = await stores.statuses.byId(statusId);
    // Replies to one's own posts are answers, not unsolicited private mentions.
    if (status && status.visibility === "direct" && status.in_reply_to_account_id !== recipientId) return true;
  }
  return false;
}
