// Live updates while signed in: one streaming connection, subscribed to the user stream (home
// timeline and notifications) and, while one of them is on screen, the local or federated stream.
import { Streaming, type StreamEvent } from "../api/streaming.ts";
import type { Announcement, Notification, Status } from "../api/types.ts";
import { prepend, removeEverywhere, clearFeeds, forgetFeed } from "./feeds.ts";
import { receiveNotification, clearNotifications } from "./notifications.ts";
import { countReply, forgetStatus, remember } from "./statuses.ts";
import { addReply } from "./threads.ts";
import { session } from "./session.ts";
import { forgetSignedInState } from "./sign-out.ts";
import { announcementArrived, announcementDeleted, announcementReacted } from "./announcements.ts";

const streaming = new Streaming();
const FEED_OF_STREAM: Record<string, string> = { user: "home", "public:local": "local", public: "federated" };

function handle(event: StreamEvent): void {
  if (event.event === "delete") {
    removeEverywhere(event.payload);
    forgetStatus(event.payload);
    return;
  }
  // Filters changed (here or in another client): what the timelines hide or warn about changed.
  if (event.event === "filters_changed") return forgetFeed();
  if (event.event === "announcement.delete") return announcementDeleted(event.payload);
  let payload: unknown;
  try {
    payload = JSON.parse(event.payload);
  } catch {
    return;
  }
  if (event.event === "update") {
    countReply(payload as Status);
    const feed = FEED_OF_STREAM[event.stream[0] ?? ""];
    const status = payload as Status;
    // A post a filter hides here is left out (the server leaves them out of timelines too).
    const hidden = status.filtered?.some((f) => f.filter.filter_action === "hide");
    if (feed && !hidden) prepend(feed, status);
    addReply(payload as Status);
  } else if (event.event === "status.update") {
    remember([payload as Status]);
  } else if (event.event === "announcement") {
    announcementArrived(payload as Announcement);
  } else if (event.event === "announcement.reaction") {
    announcementReacted(payload as { announcement_id: string; name: string; count: number });
  } else if (event.event === "notification") {
    const notification = payload as Notification;
    if (notification.status) countReply(notification.status);
    receiveNotification(notification);
  }
}

streaming.onEvent(handle);

let running = false;
session.subscribe(() => {
  const current = session.get();
  if (current.state === "signed-in" && !running) {
    running = true;
    streaming.subscribe("user");
    streaming.start(current.token);
  } else if (current.state !== "signed-in" && running) {
    running = false;
    streaming.stop();
    streaming.unsubscribe("user");
    clearFeeds();
    clearNotifications();
    forgetSignedInState();
  }
});

/** While a public timeline is on screen, its stream is followed too. */
export function followPublicStream(stream: "public:local" | "public"): () => void {
  streaming.subscribe(stream);
  return () => streaming.unsubscribe(stream);
}
