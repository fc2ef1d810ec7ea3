// Domain events as they travel between processes (db/notify.ts): ids only, small enough for a
// PostgreSQL NOTIFY (under 8000 bytes). Receivers load what they need from the database and
// check, for each listener, whether it may see it (stream-router.ts).
import type { DomainEvent } from "../events.ts";

export type StreamSignal =
  | { type: "status.created"; statusId: string }
  | { type: "status.updated"; statusId: string }
  /**
   * The status is gone, so who may hear of it travels with the signal: the accounts whose home
   * feed held it, and whether public and hashtag streams showed it. A long reader list is split
   * over several signals; only the first has `toPublic` set.
   */
  | { type: "status.deleted"; statusId: string; authorId: string; toPublic: boolean; readerIds: string[] }
  | { type: "notification.created"; notificationId: string; accountId: string }
  | { type: "filters.changed"; accountId: string }
  | { type: "announcement.published" | "announcement.deleted"; announcementId: string }
  | { type: "announcement.reaction"; announcementId: string; name: string };

/** Reader ids per delete signal: 250 × 21 bytes stays far below the NOTIFY limit. */
export const READERS_PER_SIGNAL = 250;

const ID = /^\d{1,20}$/;

export function signalsOf(event: DomainEvent): StreamSignal[] {
  switch (event.type) {
    case "status.created":
      return [{ type: "status.created", statusId: event.statusId }];
    case "status.updated":
      return [{ type: "status.updated", statusId: event.statusId }];
    case "notification.created":
      return [{ type: "notification.created", notificationId: event.notification.id, accountId: event.notification.account_id }];
    case "filters.changed":
      return [{ type: "filters.changed", accountId: event.accountId }];
    case "announcement.published":
    case "announcement.deleted":
      return [{ type: event.type, announcementId: event.announcementId }];
    case "announcement.reaction":
      return [{ type: event.type, announcementId: event.announcementId, name: event.name }];
    case "status.deleted": {
      // Without a known visibility, public streams hear of the delete: an id reveals nothing.
      const toPublic = event.visibility === undefined || event.visibility === "public";
      const readers = [...new Set(event.readerIds)];
      const signals: StreamSignal[] = [];
      for (let i = 0; i === 0 || i < readers.length; i += READERS_PER_SIGNAL) {
        signals.push({ type: "status.deleted", statusId: event.statusId, authorId: event.authorId, toPublic: toPublic && i === 0, readerIds: readers.slice(i, i + READERS_PER_SIGNAL) });
      }
      return signals;
    }
  }
}

export function encodeSignal(signal: StreamSignal): string {
  return JSON.stringify(signal);
}

/** Parses a received signal; null for anything malformed (never trusted blindly). */
export function decodeSignal(text: string): StreamSignal | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const id = (x: unknown): x is string => typeof x === "string" && ID.test(x);
  switch (v.type) {
    case "status.created":
    case "status.updated":
      return id(v.statusId) ? { type: v.type, statusId: v.statusId } : null;
    case "status.deleted":
      if (!id(v.statusId) || !id(v.authorId) || typeof v.toPublic !== "boolean" || !Array.isArray(v.readerIds) || !v.readerIds.every(id)) return null;
      return { type: "status.deleted", statusId: v.statusId, authorId: v.authorId, toPublic: v.toPublic, readerIds: v.readerIds };
    case "notification.created":
      return id(v.notificationId) && id(v.accountId) ? { type: "notification.created", notificationId: v.notificationId, accountId: v.accountId } : null;
    case "filters.changed":
      return id(v.accountId) ? { type: "filters.changed", accountId: v.accountId } : null;
    case "announcement.published":
    case "announcement.deleted":
      return id(v.announcementId) ? { type: v.type, announcementId: v.announcementId } : null;
    case "announcement.reaction":
      return id(v.announcementId) && typeof v.name === "string" && v.name.length > 0 && v.name.length <= 100 ? { type: v.type, announcementId: v.announcementId, name: v.name } : null;
    default:
      return null;
  }
}
