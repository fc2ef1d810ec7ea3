// The notifications, grouped as Mastodon's web app shows them: "Bob and 2 others favourited your
// post", with the post the group concerns; mentions and replies show the post itself. A link
// leads to the filtered ones (notification requests), with how many senders are waiting.
import { useEffect } from "preact/hooks";
import type { Account, NotificationGroup, Status } from "../api/types.ts";
import { loadNotifications, markSeen, notifications } from "../state/notifications.ts";
import { statuses } from "../state/statuses.ts";
import { paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { StatusView } from "./StatusView.tsx";
import { ago, displayName } from "./format.ts";
import { loadPolicy, notificationRequests } from "../state/notification-requests.ts";

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
  quoted_update: "edited a post they quoted",
  "admin.sign_up": "signed up",
  "admin.report": "filed a report",
};

export function Notifications() {
  const state = useStore(notifications);
  const cache = useStore(statuses);
  const { policy } = useStore(notificationRequests);
  useEffect(() => {
    if (!state.loaded) void loadNotifications();
    void loadPolicy();
    markSeen();
  }, []);
  const waiting = policy?.summary.pending_requests_count ?? 0;
  useEffect(() => markSeen(), [state.unseen]);
  return (
    <section aria-labelledby="notifications-heading" class="notifications">
      <h1 id="notifications-heading">Notifications</h1>
      <p class="filtered-link">
        <a href={paths.notificationRequests}>Filtered notifications{waiting > 0 ? ` (${waiting} waiting)` : ""}</a>
      </p>
      <ul class="notification-list">
        {state.groups.map((g) => (
          <GroupItem key={g.group_key} group={g} accounts={g.sample_account_ids.map((id) => state.accounts[id]).filter(Boolean)} status={g.status_id ? cache[g.status_id] : undefined} />
        ))}
      </ul>
      {state.loaded && state.groups.length === 0 && <p class="empty">No notifications yet.</p>}
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.loading && <p class="loading">Loading…</p>}
      {state.next && !state.loading && <button type="button" class="more" onClick={() => loadNotifications({ more: true })}>Load more</button>}
    </section>
  );
}

function GroupItem({ group, accounts, status }: { group: NotificationGroup; accounts: Account[]; status: Status | undefined }) {
  const first = accounts[0];
  const others = group.notifications_count - 1;
  return (
    <li class={`notification ${group.type}`} data-count={group.notifications_count}>
      {accounts.length > 1 && (
        <p class="group-avatars" aria-hidden="true">
          {accounts.slice(0, 6).map((a) => <img key={a.id} class="avatar small" src={a.avatar} alt="" width={28} height={28} loading="lazy" />)}
        </p>
      )}
      <p class="notification-line">
        {first ? <a href={paths.profile(first.id)}>{displayName(first)}</a> : "Someone"}
        {others > 0 && ` and ${others} ${others === 1 ? "other" : "others"}`} {WHAT[group.type] ?? group.type}{" "}
        {group.latest_page_notification_at && <time class="meta" dateTime={group.latest_page_notification_at}>{ago(group.latest_page_notification_at)}</time>}
        {group.type === "follow_request" && <> · <a href={paths.followRequests}>Follow requests</a></>}
      </p>
      {status && <StatusView status={status} />}
    </li>
  );
}
