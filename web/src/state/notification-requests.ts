// Filtered notifications (Mastodon 4.3): the notification policy decides, for people you do not
// follow, who do not follow you, new accounts, private mentions and moderated accounts, whether
// their notifications arrive, wait as a request (one per sender) or are dropped. Requests are
// accepted (their notifications join the list, and later ones arrive) or dismissed.
import { api } from "../api/client.ts";
import type { NotificationPolicy, NotificationRequest, PolicyValue } from "../api/types.ts";
import { Store } from "./store.ts";
import { remember } from "./statuses.ts";
import { loadNotifications } from "./notifications.ts";

export interface RequestsState {
  requests: NotificationRequest[];
  policy: NotificationPolicy | null;
  loaded: boolean;
  error: string | null;
}

export const notificationRequests = new Store<RequestsState>({ requests: [], policy: null, loaded: false, error: null });

const fail = (error: unknown) => notificationRequests.update((s) => ({ ...s, error: (error as Error).message }));

/** The policy alone (its summary counts the waiting requests, shown on the notifications screen). */
export async function loadPolicy(): Promise<void> {
  try {
    const policy = await api.request<NotificationPolicy>("GET", "/api/v2/notifications/policy");
    notificationRequests.update((s) => ({ ...s, policy }));
  } catch (error) {
    fail(error);
  }
}

export async function loadRequests(): Promise<void> {
  try {
    const [requests] = await Promise.all([api.request<NotificationRequest[]>("GET", "/api/v1/notifications/requests", { query: { limit: 40 } }), loadPolicy()]);
    remember(requests.flatMap((r) => (r.last_status ? [r.last_status] : [])));
    notificationRequests.update((s) => ({ ...s, requests, loaded: true, error: null }));
  } catch (error) {
    fail(error);
  }
}

export async function answerRequest(id: string, accept: boolean): Promise<void> {
  try {
    await api.request("POST", `/api/v1/notifications/requests/${encodeURIComponent(id)}/${accept ? "accept" : "dismiss"}`);
    notificationRequests.update((s) => ({ ...s, requests: s.requests.filter((r) => r.id !== id), error: null }));
    void loadPolicy();
    // An accepted request's notifications join the list.
    if (accept) void loadNotifications();
  } catch (error) {
    fail(error);
  }
}

export async function savePolicy(change: Partial<Record<Exclude<keyof NotificationPolicy, "summary">, PolicyValue>>): Promise<void> {
  const policy = await api.request<NotificationPolicy>("PATCH", "/api/v2/notifications/policy", { body: change });
  notificationRequests.update((s) => ({ ...s, policy, error: null }));
}
