// The notifications list (ungrouped, newest first), with live ones from the user stream and a
// count of those that came since the list was last looked at.
import { api } from "../api/client.ts";
import type { Notification } from "../api/types.ts";
import { Store } from "./store.ts";
import { alreadyCounted, remember } from "./statuses.ts";

export interface NotificationsState {
  items: Notification[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
  unseen: number;
}

const INITIAL: NotificationsState = { items: [], next: null, loading: false, loaded: false, error: null, unseen: 0 };
export const notifications = new Store<NotificationsState>(INITIAL);

export async function loadNotifications(options: { more?: boolean } = {}): Promise<void> {
  const current = notifications.get();
  if (current.loading || (options.more && !current.next)) return;
  notifications.set({ ...current, loading: true, error: null });
  try {
    const page = await api.page<Notification>("/api/v1/notifications", { limit: 20, max_id: options.more ? (current.next ?? undefined) : undefined });
    const fetched = page.items.flatMap((n) => (n.status ? [n.status] : []));
    alreadyCounted(fetched);
    remember(fetched);
    notifications.update((s) => ({
      ...s,
      items: options.more ? [...s.items, ...page.items] : page.items,
      next: page.next,
      loading: false,
      loaded: true,
    }));
  } catch (error) {
    notifications.update((s) => ({ ...s, loading: false, error: (error as Error).message }));
  }
}

export function receiveNotification(notification: Notification): void {
  if (notification.status) remember([notification.status]);
  notifications.update((s) => (s.items.some((n) => n.id === notification.id) ? s : { ...s, items: [notification, ...s.items], unseen: s.unseen + 1 }));
}

export function markSeen(): void {
  notifications.update((s) => (s.unseen ? { ...s, unseen: 0 } : s));
}

export function clearNotifications(): void {
  notifications.set(INITIAL);
}
