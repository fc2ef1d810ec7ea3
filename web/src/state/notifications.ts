// The notifications, grouped as Mastodon's web app shows them (GET /api/v2/notifications, 4.3):
// "Bob and 2 others favourited your post" is one row. Live ones (single notifications from the
// user stream) join their group by its group_key and move it to the top; the count of those that
// came since the list was last looked at shows in the navigation.
import { api } from "../api/client.ts";
import type { Account, GroupedNotifications, Notification, NotificationGroup } from "../api/types.ts";
import { Store } from "./store.ts";
import { alreadyCounted, remember } from "./statuses.ts";

export interface NotificationsState {
  groups: NotificationGroup[];
  accounts: Record<string, Account>;
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  unseen: number;
}

const INITIAL: NotificationsState = { groups: [], accounts: {}, next: null, loading: false, loaded: false, error: null, unseen: 0 };
export const notifications = new Store<NotificationsState>(INITIAL);

const byId = (accounts: Account[]) => Object.fromEntries(accounts.map((a) => [a.id, a]));

export async function loadNotifications(options: { more?: boolean } = {}): Promise<void> {
  const current = notifications.get();
  if (current.loading || (options.more && !current.next)) return;
  notifications.set({ ...current, loading: true, error: null });
  try {
    const { body, next } = await api.pageOf<GroupedNotifications>("/api/v2/notifications", { limit: 20, max_id: options.more ? (current.next ?? undefined) : undefined });
    alreadyCounted(body.statuses);
    remember(body.statuses);
    notifications.update((s) => ({
      ...s,
      groups: options.more ? [...s.groups, ...body.notification_groups.filter((g) => !s.groups.some((h) => h.group_key === g.group_key))] : body.notification_groups,
      accounts: { ...s.accounts, ...byId(body.accounts) },
      next,
      loading: false,
      loaded: true,
    }));
  } catch (error) {
    notifications.update((s) => ({ ...s, loading: false, error: (error as Error).message }));
  }
}

export function receiveNotification(notification: Notification): void {
  if (notification.status) remember([notification.status]);
  const key = notification.group_key ?? `ungrouped-${notification.id}`;
  notifications.update((s) => {
    const existing = s.groups.find((g) => g.group_key === key);
    if (existing?.most_recent_notification_id === notification.id) return s;
    const group: NotificationGroup = existing
      ? {
          ...existing,
          notifications_count: existing.notifications_count + 1,
          most_recent_notification_id: notification.id,
          latest_page_notification_at: notification.created_at,
          sample_account_ids: [notification.account.id, ...existing.sample_account_ids.filter((id) => id !== notification.account.id)].slice(0, 8),
        }
      : {
          group_key: key,
          notifications_count: 1,
          type: notification.type,
          most_recent_notification_id: notification.id,
          latest_page_notification_at: notification.created_at,
          sample_account_ids: [notification.account.id],
          status_id: notification.status?.id ?? null,
        };
    return {
      ...s,
      groups: [group, ...s.groups.filter((g) => g.group_key !== key)],
      accounts: { ...s.accounts, [notification.account.id]: notification.account },
      unseen: s.unseen + 1,
    };
  });
}

export function markSeen(): void {
  notifications.update((s) => (s.unseen ? { ...s, unseen: 0 } : s));
}

export function clearNotifications(): void {
  notifications.set(INITIAL);
}
