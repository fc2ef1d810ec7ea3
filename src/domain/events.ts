// What happened, for whoever listens: streaming today, federation delivery later. The domain
// publishes after its changes are stored; listeners must not change the outcome of the action.

import type { NotificationRow } from "../store/notifications.ts";
import type { Visibility } from "../db/schema.ts";

export type DomainEvent =
  /** A status entered these readers' home feeds (or a public/hashtag timeline). */
  | { type: "status.created"; statusId: string; homeReaderIds: string[] }
  | { type: "status.updated"; statusId: string }
  /** `visibility` (what the status had) decides whether public streams hear of the delete. */
  | { type: "status.deleted"; statusId: string; authorId: string; readerIds: string[]; visibility?: Visibility }
  | { type: "notification.created"; notification: NotificationRow }
  /** The account's filters changed (created, edited, removed). */
  | { type: "filters.changed"; accountId: string }
  /** Announcements by admins (domain/announcements): told to every local user on the user stream. */
  | { type: "announcement.published"; announcementId: string }
  | { type: "announcement.reaction"; announcementId: string; name: string }
  | { type: "announcement.deleted"; announcementId: string };

export type EventListener = (event: DomainEvent) => void | Promise<void>;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      // A failing listener must not undo or fail the action that published.
      Promise.resolve()
        .then(() => listener(event))
        .catch(() => {});
    }
  }
}
