// The notifications list: who did what, with the post it concerns.
import { useEffect } from "preact/hooks";
import type { Notification } from "../api/types.ts";
import { loadNotifications, markSeen, notifications } from "../state/notifications.ts";
import { statuses } from "../state/statuses.ts";
import { paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { StatusView } from "./StatusView.tsx";
import { ago, displayName } from "./format.ts";

const WHAT: Record<string, string> = {
  mention: "mentioned you",
  status: "posted",
  reblog: "boosted your post",
  follow: "followed you",
  follow_request: "asked to follow you",
  favourite: "favourited your post",
  poll: "ended a poll you voted in",
  update: "edited a post",
  quote: "quoted your post",
  "admin.sign_up": "signed up",
  "admin.report": "filed a report",
};

export function Notifications() {
  const state = useStore(notifications);
  const cache = useStore(statuses);
  useEffect(() => {
    if (!state.loaded) void loadNotifications();
    markSeen();
  }, []);
  useEffect(() => markSeen(), [state.unseen]);
  return (
    <section aria-labelledby="notifications-heading" class="notifications">
      <h1 id="notifications-heading">Notifications</h1>
      <ul class="notification-list">
        {state.items.map((n) => (
          <NotificationItem key={n.id} notification={n} status={n.status ? (cache[n.status.id] ?? n.status) : null} />
        ))}
      </ul>
      {state.loaded && state.items.length === 0 && <p class="empty">No notifications yet.</p>}
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.loading && <p class="loading">Loading…</p>}
      {state.next && !state.loading && <button type="button" class="more" onClick={() => loadNotifications({ more: true })}>Load more</button>}
    </section>
  );
}

function NotificationItem({ notification, status }: { notification: Notification; status: import("../api/types.ts").Status | null }) {
  return (
    <li class={`notification ${notification.type}`}>
      <p class="notification-line">
        <a href={paths.profile(notification.account.id)}>{displayName(notification.account)}</a> {WHAT[notification.type] ?? notification.type}{" "}
        <time class="meta" dateTime={notification.created_at}>{ago(notification.created_at)}</time>
      </p>
      {status && <StatusView status={status} />}
    </li>
  );
}
