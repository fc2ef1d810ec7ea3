// Announcements by the server's admins (/api/v1/announcements), shown above the home timeline
// until read (dismissed), with emoji reactions. They change live on the user stream:
// `announcement` (a new or changed one), `announcement.reaction` (a new count) and
// `announcement.delete` (live.ts passes them here).
import { api } from "../api/client.ts";
import type { Announcement } from "../api/types.ts";
import { Store } from "./store.ts";

export const announcements = new Store<{ items: Announcement[]; loaded: boolean; error: string | null }>({ items: [], loaded: false, error: null });

const change = (id: string, update: (a: Announcement) => Announcement) =>
  announcements.update((s) => ({ ...s, items: s.items.map((a) => (a.id === id ? update(a) : a)) }));

export async function loadAnnouncements(): Promise<void> {
  try {
    const items = await api.request<Announcement[]>("GET", "/api/v1/announcements");
    announcements.set({ items, loaded: true, error: null });
  } catch (error) {
    announcements.update((s) => ({ ...s, error: (error as Error).message }));
  }
}

/** Read here: the stream's news of them (which cannot say who read what) does not bring them back. */
const dismissed = new Set<string>();

/** Marks it read: it leaves the home screen (here and in the user's other clients). */
export async function dismissAnnouncement(id: string): Promise<void> {
  await api.request("POST", `/api/v1/announcements/${id}/dismiss`);
  dismissed.add(id);
  announcements.update((s) => ({ ...s, items: s.items.filter((a) => a.id !== id) }));
}

/**
 * Adds or takes back one's reaction (a unicode emoji or a custom emoji's shortcode), then reads
 * the counts again: the stream's count for the same change may come before or after the answer.
 */
export async function toggleReaction(id: string, name: string): Promise<void> {
  const mine = announcements.get().items.find((a) => a.id === id)?.reactions.find((r) => r.name === name)?.me === true;
  await api.request(mine ? "DELETE" : "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent(name)}`);
  await loadAnnouncements();
}

// From the stream. A new or changed one is shown unread (its payload's `read` is null: one payload
// for every reader).
export function announcementArrived(a: Announcement): void {
  if (dismissed.has(a.id)) return;
  announcements.update((s) => {
    // One's own reactions (`me`) are not in the payload either: kept from what was shown.
    const shown = s.items.find((x) => x.id === a.id);
    const reactions = a.reactions.map((r) => ({ ...r, me: shown?.reactions.find((x) => x.name === r.name)?.me ?? false }));
    return { ...s, items: [...s.items.filter((x) => x.id !== a.id), { ...a, reactions, read: false }] };
  });
}

export function announcementReacted(r: { announcement_id: string; name: string; count: number }): void {
  change(r.announcement_id, (a) => {
    const existing = a.reactions.find((x) => x.name === r.name);
    const others = a.reactions.filter((x) => x.name !== r.name);
    return { ...a, reactions: r.count === 0 ? others : existing ? a.reactions.map((x) => (x.name === r.name ? { ...x, count: r.count } : x)) : [...others, { name: r.name, count: r.count, me: false }] };
  });
}

export function announcementDeleted(id: string): void {
  announcements.update((s) => ({ ...s, items: s.items.filter((a) => a.id !== id) }));
}
