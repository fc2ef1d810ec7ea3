// The notification policy (Mastodon's /api/v2/notifications/policy): per kind of sender, accept,
// filter or drop, applied when notifying (policyVerdict). Filtered notifications are held as
// notification requests (notification-requests.ts) until the recipient accepts or dismisses them;
// dropped ones are not made at all. Mastodon 4.3's rules, field by field:
//
// - for_not_following:    the recipient does not follow the sender
// - for_not_followers:    the sender does not follow the recipient, or only since less than 3 days
//                         (a follow just before a flood of mentions does not count)
// - for_new_accounts:     the sender's account is less than 30 days old, and not followed
// - for_private_mentions: a direct mention from someone the recipient does not follow, unless it
//                         answers the recipient: a reply to the recipient's own post, or in a
//                         thread where an earlier direct post mentioned the sender
// - for_limited_accounts: the sender is limited by moderators, and not followed
//
// A sender whose request the recipient accepted is never filtered again, and mentions from the
// server's staff are not filtered (a moderator's message must arrive). Of several matching
// rules the strictest wins.
import type { Stores } from "../../store/stores.ts";
import type { NotificationPolicyRow } from "../../store/notification-groups.ts";
import type { NotificationPolicyValue, NotificationType, UserRole } from "../../db/schema.ts";

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
export const NEW_ACCOUNT_MS = 30 * 86_400_000;
export const NEW_FOLLOWER_MS = 3 * 86_400_000;
/** How far up a thread a private mention is looked at as an answer. */
const MAX_THREAD_DEPTH = 100;
/** Whether a local user with this role speaks for the server (moderation's role book knows, custom roles too). */
export type StaffCheck = (role: UserRole) => boolean;

export type PolicyVerdict = "accept" | "filter" | "drop";

/**
 * What the recipient's policy does with a notification from `fromAccountId`: shown (`accept`),
 * held as a notification request (`filter`: stored with filtered = 1), or not made (`drop`).
 * `limited`: the sender is limited by moderators (domain/moderation/limited-accounts.ts).
 */
export async function policyVerdict(
  stores: Stores,
  recipientId: string,
  fromAccountId: string,
  type: NotificationType,
  statusId: string | null,
  limited: boolean,
  isStaff: StaffCheck = () => false,
): Promise<PolicyVerdict> {
  if (!FILTERABLE.includes(type)) return "accept";
  const policy = (await stores.notificationGroups.policy(recipientId)) ?? defaultPolicy(recipientId);
  if (POLICY_FIELDS.every((f) => policy[f] === "accept")) return "accept";
  if (await stores.notificationRequests.permitted(recipientId, fromAccountId)) return "accept";
  const r = stores.relationships;
  const following = !!(await r.find("follows", recipientId, fromAccountId));
  const sender = await stores.accounts.byId(fromAccountId);

  const matches: Record<PolicyField, () => Promise<boolean>> = {
    for_not_following: async () => !following,
    for_not_followers: async () => {
      const follow = await r.find("follows", fromAccountId, recipientId);
      return !follow || Date.now() - Date.parse(follow.created_at) < NEW_FOLLOWER_MS;
    },
    for_new_accounts: async () => !following && !!sender && Date.now() - Date.parse(sender.created_at) < NEW_ACCOUNT_MS,
    for_private_mentions: async () => !following && type === "mention" && statusId !== null && (await unsolicitedPrivateMention(stores, statusId, recipientId, fromAccountId)),
    for_limited_accounts: async () => limited && !following,
  };
  let verdict: PolicyVerdict = "accept";
  for (const field of POLICY_FIELDS) {
    const value = policy[field];
    if (value === "accept" || (value === "filter" && verdict !== "accept")) continue;
    if (await matches[field]()) verdict = value;
    if (verdict === "drop") return "drop";
  }
  if (verdict === "filter" && type === "mention" && sender && sender.domain === null) {
    // The users row, not a cache: a role given a moment ago counts at once.
    const user = await stores.users.byUsername(sender.username);
    if (user && isStaff(user.role)) return "accept";
  }
  return verdict;
}

/** A direct post mentioning the recipient that does not answer them (see the rules above). */
async function unsolicitedPrivateMention(stores: Stores, statusId: string, recipientId: string, senderId: string): Promise<boolean> {
  const status = await stores.statuses.byId(statusId);
  if (!status || status.visibility !== "direct") return false;
  if (status.in_reply_to_account_id === recipientId) return false;
  let parentId = status.in_reply_to_id;
  for (let depth = 0; parentId && depth < MAX_THREAD_DEPTH; depth++) {
    const parent = await stores.statuses.byId(parentId);
    if (!parent) break;
    if (parent.visibility === "direct" && ((await stores.statuses.mentionsOf([parent.id])).get(parent.id) ?? []).includes(senderId)) return false;
    parentId = parent.in_reply_to_id;
  }
  return true;
}
