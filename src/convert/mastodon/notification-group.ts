// Grouped notifications → Mastodon's GroupedNotificationsResults and NotificationGroup. Statuses
// are rendered by the caller (they need the reader's flags) and passed in.
import type { GroupedNotifications, NotificationGroup } from "../../domain/notifications/notification-groups.ts";
import type { AccountRow } from "../../store/accounts.ts";
import { toAccount, type ConvertContext } from "./account.ts";

/**
 * `most_recent_notification_id` is a JSON number in Mastodon's API (unlike every other id);
 * written raw so that 64-bit ids keep all their digits.
 */
function jsonInteger(id: string): unknown {
  return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(BigInt(id).toString());
}

export function toNotificationGroup(group: NotificationGroup) {
  const newest = group.notifications[0];
  const oldest = group.notifications[group.notifications.length - 1];
  return {
    group_key: group.groupKey,
    notifications_count: group.notifications.length,
    type: group.type,
    most_recent_notification_id: jsonInteger(newest.id),
    ...(group.paged ? { page_min_id: oldest.id, page_max_id: newest.id, latest_page_notification_at: newest.created_at } : {}),
    sample_account_ids: group.sampleAccountIds,
    ...(group.statusId ? { status_id: group.statusId } : {}),
  };
}

function toPartialAccount(account: AccountRow, ctx: ConvertContext) {
  const full = toAccount(account, ctx);
  return { id: full.id, acct: full.acct, url: full.url, avatar: full.avatar, avatar_static: full.avatar_static, locked: full.locked, bot: full.bot, avatar_description: "" };
}

/**
 * With `partialAvatars`, only each group's most recent sender is a full account; the other
 * senders are listed in `partial_accounts` (enough to draw their avatars).
 */
export function toGroupedNotificationsResults(result: GroupedNotifications, renderedStatuses: unknown[], ctx: ConvertContext, options: { partialAvatars?: boolean } = {}) {
  const byId = new Map(result.accounts.map((a) => [a.id, a]));
  const full = new Set<string>();
  const partial = new Set<string>();
  for (const group of result.groups) {
    group.sampleAccountIds.forEach((id, i) => (options.partialAvatars && i > 0 ? partial : full).add(id));
  }
  for (const id of full) partial.delete(id);
  return {
    accounts: [...full].map((id) => byId.get(id)).filter((a): a is AccountRow => a !== undefined).map((a) => toAccount(a, ctx)),
    ...(options.partialAvatars
      ? { partial_accounts: [...partial].map((id) => byId.get(id)).filter((a): a is AccountRow => a !== undefined).map((a) => toPartialAccount(a, ctx)) }
      : {}),
    statuses: renderedStatuses,
    notification_groups: result.groups.map(toNotificationGroup),
  };
}
