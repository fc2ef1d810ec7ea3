// Announcements by admins (`./skein announcements …`), shown to every local user while active
// (published, started, not ended), with emoji reactions and a per-user "read" (dismissed).
// Streaming clients hear of changes on the user stream: `announcement` when one is published (or
// starts), `announcement.reaction` with the new count, `announcement.delete` when removed. The
// first and last come from the announcements sweep (announcePending, run by the server's
// scheduler): an admin command in another process — on SQLite, with no channel between
// processes — only marks the row, and the server tells its clients within seconds.
import type { Stores } from "../../store/stores.ts";
import type { AnnouncementRow, ReactionCount } from "../../store/announcements.ts";
import type { CustomEmojiRow } from "../../store/media/emojis.ts";
import type { EventBus } from "../events.ts";
import { newId, parseId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { textToHtml } from "../instance/instance-texts.ts";

/** Mastodon's limit: distinct reactions on one announcement. */
export const MAX_REACTION_NAMES = 8;
export const MAX_ANNOUNCEMENT_TEXT = 5000;
/** Announcements shown at once (and listed to admins). */
const MAX_LISTED = 100;
const SHORTCODE = /^[a-zA-Z0-9_]{2,64}$/;
const EMOJI = /^\p{RGI_Emoji}$/v;

export interface AnnouncementInput {
  text: string;
  startsAt?: string | null;
  endsAt?: string | null;
  allDay?: boolean;
  /** false: a draft, shown to nobody until published. */
  published?: boolean;
}

export interface AnnouncementView {
  row: AnnouncementRow;
  /** null without a reader (admin listings). */
  read: boolean | null;
  /** `me` null without a reader. */
  reactions: (Omit<ReactionCount, "me"> & { me: boolean | null; emoji: CustomEmojiRow | null })[];
}

export class AnnouncementService {
  private readonly stores: Stores;
  private readonly events: EventBus;
  private readonly pendingListeners = new Set<() => void>();

  constructor(stores: Stores, events: EventBus) {
    this.stores = stores;
    this.events = events;
  }

  /** `listener` is called when this process leaves a change for the sweep to tell (the scheduler's nudge); returns how to stop. */
  onPending(listener: () => void): () => void {
    this.pendingListeners.add(listener);
    return () => this.pendingListeners.delete(listener);
  }

  private pending(): void {
    for (const listener of this.pendingListeners) listener();
  }

  // --- admins ----------------------------------------------------------------------------------

  async create(input: AnnouncementInput): Promise<AnnouncementRow> {
    const now = nowIso();
    const { startsAt, endsAt } = checkTimes(input.startsAt ?? null, input.endsAt ?? null);
    const text = checkText(input.text);
    const published = input.published !== false;
    const row: AnnouncementRow = {
      id: newId(),
      text,
      content: textToHtml(text),
      starts_at: startsAt,
      ends_at: endsAt,
      // Mastodon: all_day means nothing without a start or an end.
      all_day: input.allDay && (startsAt || endsAt) ? 1 : 0,
      published: published ? 1 : 0,
      published_at: published ? now : null,
      created_at: now,
      updated_at: now,
      announced_at: null,
      deleted_at: null,
    };
    await this.stores.announcements.insert(row);
    if (published) this.pending();
    return row;
  }

  async publish(id: string): Promise<AnnouncementRow> {
    const row = await this.existing(id);
    if (row.published) return row;
    const now = nowIso();
    await this.stores.announcements.update(row.id, { published: 1, published_at: now, updated_at: now, announced_at: null });
    this.pending();
    return { ...row, published: 1, published_at: now, updated_at: now, announced_at: null };
  }

  /** Removes it; streaming clients are told by the next sweep, which then deletes the row. */
  async remove(id: string): Promise<void> {
    const row = await this.existing(id);
    // A draft nobody saw goes at once.
    if (!row.announced_at) {
      await this.stores.announcements.delete(row.id);
      return;
    }
    await this.stores.announcements.update(row.id, { deleted_at: nowIso(), announced_at: null });
    this.pending();
  }

  async listAll(): Promise<AnnouncementRow[]> {
    return this.stores.announcements.all(MAX_LISTED);
  }

  // --- readers ---------------------------------------------------------------------------------

  /** The active announcements for a user, with `read` and reactions; dismissed ones too with `withDismissed`. */
  async active(accountId: string, withDismissed: boolean): Promise<AnnouncementView[]> {
    const rows = await this.stores.announcements.active(nowIso(), MAX_LISTED);
    const dismissed = await this.stores.announcements.dismissedAmong(accountId, rows.map((r) => r.id));
    const shown = withDismissed ? rows : rows.filter((r) => !dismissed.has(r.id));
    return this.views(shown, accountId, dismissed);
  }

  /** One announcement; without a reader (streaming: one payload for all), `read` and `me` are unknown. */
  async view(id: string, accountId: string | null): Promise<AnnouncementView | null> {
    const row = await this.stores.announcements.byId(id);
    if (!row || row.deleted_at) return null;
    const dismissed = accountId ? await this.stores.announcements.dismissedAmong(accountId, [row.id]) : null;
    return (await this.views([row], accountId, dismissed))[0] ?? null;
  }

  async dismiss(accountId: string, id: string): Promise<void> {
    const row = await this.shown(id);
    await this.stores.announcements.dismiss(row.id, accountId, nowIso());
  }

  /**
   * Adds the account's reaction: a unicode emoji or the shortcode of an enabled custom emoji of
   * this server; at most MAX_REACTION_NAMES different ones per announcement.
   */
  async react(accountId: string, id: string, name: string): Promise<void> {
    const row = await this.shown(id);
    let emoji: CustomEmojiRow | undefined;
    if (SHORTCODE.test(name)) {
      emoji = await this.stores.emojis.byShortcode(name, "");
      if (!emoji || emoji.disabled) throw validationFailed("Validation failed: Name is not a recognized emoji");
    } else if (!EMOJI.test(name)) {
      throw validationFailed("Validation failed: Name is not a recognized emoji");
    }
    const names = await this.stores.announcements.reactionNames(row.id);
    if (!names.includes(name) && names.length >= MAX_REACTION_NAMES) throw validationFailed("Validation failed: Maximum number of different reactions already added");
    await this.stores.announcements.addReaction({ id: newId(), announcement_id: row.id, account_id: accountId, name, custom_emoji_id: emoji?.id ?? null, created_at: nowIso() });
    await this.reactionChanged(row.id, name);
  }

  async unreact(accountId: string, id: string, name: string): Promise<void> {
    const row = await this.shown(id);
    if (await this.stores.announcements.removeReaction(row.id, accountId, name)) await this.reactionChanged(row.id, name);
  }

  // --- the sweep -------------------------------------------------------------------------------

  /** Tells streaming clients of announcements published or removed since the last sweep; returns how many. */
  async announcePending(): Promise<number> {
    const now = nowIso();
    let told = 0;
    for (const row of await this.stores.announcements.unannounced(now, MAX_LISTED)) {
      // Claimed by one process only, so each change is told once.
      if (!(await this.stores.announcements.markAnnounced(row.id, now))) continue;
      if (row.deleted_at) {
        await this.stores.announcements.delete(row.id);
        this.events.publish({ type: "announcement.deleted", announcementId: row.id });
      } else {
        this.events.publish({ type: "announcement.published", announcementId: row.id });
      }
      told++;
    }
    return told;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private async reactionChanged(announcementId: string, name: string): Promise<void> {
    this.events.publish({ type: "announcement.reaction", announcementId, name });
  }

  /** The count of one reaction now (for the `announcement.reaction` event). */
  async reactionCount(announcementId: string, name: string): Promise<number> {
    const counts = await this.stores.announcements.reactionsOf([announcementId], null);
    return counts.find((r) => r.name === name)?.count ?? 0;
  }

  private async views(rows: AnnouncementRow[], accountId: string | null, dismissed: Set<string> | null): Promise<AnnouncementView[]> {
    const reactions = await this.stores.announcements.reactionsOf(rows.map((r) => r.id), accountId);
    const emojiIds = [...new Set(reactions.map((r) => r.custom_emoji_id).filter((id): id is string => id !== null))];
    const emojis = new Map<string, CustomEmojiRow>();
    for (const id of emojiIds) {
      const emoji = await this.stores.emojis.byId(id);
      if (emoji) emojis.set(id, emoji);
    }
    return rows.map((row) => ({
      row,
      read: dismissed ? dismissed.has(row.id) : null,
      reactions: reactions.filter((r) => r.announcement_id === row.id).map((r) => ({ ...r, me: accountId ? r.me : null, emoji: r.custom_emoji_id ? (emojis.get(r.custom_emoji_id) ?? null) : null })),
    }));
  }

  private async existing(id: string): Promise<AnnouncementRow> {
    const announcementId = parseId(id);
    const row = announcementId ? await this.stores.announcements.byId(announcementId) : undefined;
    if (!row || row.deleted_at) throw notFound("No such announcement");
    return row;
  }

  /** An announcement users can see now (dismiss and react only on those). */
  private async shown(id: string): Promise<AnnouncementRow> {
    const row = await this.existing(id);
    const now = nowIso();
    if (!row.published || (row.starts_at && row.starts_at > now) || (row.ends_at && row.ends_at <= now)) throw notFound();
    return row;
  }
}

function checkText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw validationFailed("An announcement needs a text");
  if (trimmed.length > MAX_ANNOUNCEMENT_TEXT) throw validationFailed(`An announcement is at most ${MAX_ANNOUNCEMENT_TEXT} characters`);
  return trimmed;
}

function checkTimes(startsAt: string | null, endsAt: string | null): { startsAt: string | null; endsAt: string | null } {
  const parse = (value: string | null, what: string) => {
    if (value === null) return null;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw validationFailed(`${what} must be a date or time (ISO 8601)`);
    return new Date(ms).toISOString();
  };
  const start = parse(startsAt, "The start");
  const end = parse(endsAt, "The end");
  if (start && end && end <= start) throw validationFailed("The end must be after the start");
  return { startsAt: start, endsAt: end };
}
