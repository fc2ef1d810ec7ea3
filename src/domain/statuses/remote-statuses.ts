// Statuses that arrive from other servers: stored like local ones (same tables, same fan-out,
// same notifications), keyed by their URI so a repeated delivery changes nothing.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { Visibility } from "../../db/schema.ts";
import type { EventBus } from "../events.ts";
import type { NotificationService } from "../notifications/notification-service.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { fanOut } from "../timelines/fan-out.ts";
import { canBoost, canSee } from "./visibility.ts";
import type { IncomingEmoji } from "../emojis/emoji-service.ts";
import type { StatusIndexer } from "../search/indexer.ts";

/** A remote status, already converted from ActivityStreams and sanitized. */
export interface IncomingStatus {
  uri: string;
  url: string | null;
  author: AccountRow;
  /** Sanitized HTML. */
  content: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  inReplyTo: StatusRow | null;
  mentioned: AccountRow[];
  tags: string[];
  published: Date;
  updated: Date | null;
  /** Media kept as references to their origin server. */
  attachments?: IncomingAttachment[];
  /** For a Question: its options and the counts its server reports. */
  poll?: IncomingPoll | null;
  /** Its Emoji tags (custom emojis of its author's server). */
  emojis?: IncomingEmoji[];
}

export interface IncomingPoll {
  options: { title: string; votes: number }[];
  multiple: boolean;
  expiresAt: Date | null;
  votersCount: number | null;
}

/** Attachments kept per remote post (the parser reads at most 16; Mastodon shows 4, others send more). */
const MAX_REMOTE_ATTACHMENTS = 16;

export interface IncomingAttachment {
  type: "image" | "gifv" | "video" | "audio" | "unknown";
  url: string;
  mediaType: string | null;
  description: string | null;
  blurhash: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
}

async function storeRemotePoll(tx: Stores, statusId: string, accountId: string, poll: IncomingPoll, now: string): Promise<void> {
  const pollId = newId();
  const voters = poll.votersCount ?? poll.options.reduce((a, o) => a + o.votes, 0);
  await tx.polls.insert(
    {
      id: pollId, status_id: statusId, account_id: accountId, multiple: poll.multiple ? 1 : 0, hide_totals: 0, votes_count: 0, voters_count: 0,
      expires_at: poll.expiresAt?.toISOString() ?? null,
      // The author's server tells its voters when the poll ends; we do not announce remote polls.
      expiry_notified_at: now,
      created_at: now, updated_at: now,
    },
    poll.options.map((o) => o.title),
  );
  await tx.polls.setRemoteCounts(pollId, poll.options.map((o) => o.votes), voters);
}

export class RemoteStatusService {
  private readonly stores: Stores;
  private readonly events: EventBus;
  private readonly notifications: NotificationService;
  /** Stores the emojis a post uses (services.ts plugs in EmojiService.saveRemote). */
  saveEmojis: ((domain: string, emojis: IncomingEmoji[] | undefined) => Promise<void>) | null = null;
  /** Full-text indexing of what arrives, after the commit (services.ts plugs it in). */
  indexer: StatusIndexer | null = null;

  constructor(stores: Stores, events: EventBus, notifications: NotificationService) {
    this.stores = stores;
    this.events = events;
    this.notifications = notifications;
  }

  byUri(uri: string): Promise<StatusRow | undefined> {
    return this.stores.statuses.byUri(uri);
  }

  /** Stores a new remote status (or returns the one already stored under its URI). */
  async receive(incoming: IncomingStatus): Promise<StatusRow> {
    const existing = await this.stores.statuses.byUri(incoming.uri);
    if (existing) return existing;
    if (incoming.author.domain) await this.saveEmojis?.(incoming.author.domain, incoming.emojis);
    // An id from the published time keeps timelines in the order posts were written.
    const published = incoming.published.getTime() > Date.now() ? new Date() : incoming.published;
    const id = newId(published);
    const now = nowIso();
    const parent = await this.threadParent(incoming);
    const status: StatusRow = {
      id,
      uri: incoming.uri,
      url: incoming.url,
      account_id: incoming.author.id,
      local: 0,
      in_reply_to_id: parent?.id ?? null,
      in_reply_to_account_id: parent?.account_id ?? null,
      reblog_of_id: null,
      conversation_id: parent?.conversation_id ?? newId(),
      text: "",
      content: incoming.content,
      spoiler_text: incoming.spoilerText,
      sensitive: incoming.sensitive || incoming.spoilerText !== "" ? 1 : 0,
      visibility: incoming.visibility,
      language: incoming.language,
      application_id: null,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: incoming.updated?.toISOString() ?? null,
      created_at: published.toISOString(),
      updated_at: now,
    };
    const mentionedIds = [...new Set(incoming.mentioned.map((a) => a.id))].filter((m) => m !== incoming.author.id);
    const store = async () => this.stores.transaction(async (tx) => {
      if (await tx.statuses.byUri(incoming.uri)) return false;
      // Queued for search with the insert (one statement on PostgreSQL); indexed after the commit.
      await tx.statuses.insert(status, this.indexer?.queuedAt(status) ?? null);
      await tx.statuses.insertMentions(id, mentionedIds, newId);
      const tags = await tx.statuses.ensureTags(incoming.tags.slice(0, 50), newId, now);
      await tx.statuses.addTags(id, tags.map((t) => t.id));
      if (parent) await tx.statuses.bumpCounter(parent.id, "replies_count", 1);
      await tx.media.insertMany(
        (incoming.attachments ?? []).map((a, position) => ({
          id: newId(), status_id: id, account_id: incoming.author.id, type: a.type, remote_url: a.url, url: null, preview_url: null,
          media_type: a.mediaType, description: a.description, blurhash: a.blurhash, focus_x: a.focus?.x ?? null, focus_y: a.focus?.y ?? null,
          width: a.width, height: a.height, position, created_at: now,
        })),
      );
      if (incoming.poll) await storeRemotePoll(tx, id, incoming.author.id, incoming.poll, now);
      await tx.accounts.countNewStatus(incoming.author.id, status.created_at);
      return true;
    });
    // Two copies of one delivery arriving at once race to insert; the loser finds the winner's row.
    const inserted = await store().catch(async (error) => {
      if (await this.stores.statuses.byUri(incoming.uri)) return false;
      throw error;
    });
    if (!inserted) return (await this.stores.statuses.byUri(incoming.uri))!;
    this.indexer?.committed();
    const readers = await fanOut(this.stores, status, mentionedIds);
    for (const mentioned of mentionedIds) await this.notifications.notify(mentioned, incoming.author.id, "mention", id);
    this.events.publish({ type: "status.created", statusId: id, homeReaderIds: readers });
    return status;
  }

  /**
   * The post a reply is threaded under. Under one of our posts, only if the reply's author may
   * see it: otherwise the reply stays its author's own post, outside the thread (no reply
   * count, not in the post's context or conversation). Under another server's post, that
   * server decides who sees it; we do not know its followers, so its threads are kept as sent.
   */
  private async threadParent(incoming: IncomingStatus): Promise<StatusRow | null> {
    const parent = incoming.inReplyTo;
    if (!parent || !parent.local || (await canSee(this.stores, incoming.author.id, parent))) return parent;
    return null;
  }

  /** An Update of a remote status by its author (for a poll, often just new vote counts). */
  async update(status: StatusRow, incoming: Pick<IncomingStatus, "content" | "spoilerText" | "sensitive" | "language" | "tags" | "updated" | "poll" | "emojis"> & { attachments?: IncomingAttachment[] }): Promise<void> {
    const author = await this.stores.accounts.byId(status.account_id);
    if (author?.domain) await this.saveEmojis?.(author.domain, incoming.emojis);
    const [poll] = await this.stores.polls.byStatusIds([status.id]);
    if (poll && incoming.poll && incoming.poll.options.length === (await this.stores.polls.optionsOf([poll.id])).get(poll.id)?.length) {
      const voters = incoming.poll.votersCount ?? incoming.poll.options.reduce((a, o) => a + o.votes, 0);
      await this.stores.polls.setRemoteCounts(poll.id, incoming.poll.options.map((o) => o.votes), voters);
      // Only the counts changed: not an edit.
      if (incoming.content === status.content && incoming.spoilerText === status.spoiler_text && !(await this.mediaChanged(status.id, incoming.attachments))) return;
    }
    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      const edits = await tx.statuses.editsOf(status.id);
      const oldMedia = ((await tx.media.ofStatuses([status.id])).get(status.id) ?? []).map((m) => m.id);
      if (edits.length === 0) {
        await tx.statuses.insertEdit({ id: newId(new Date(status.created_at)), status_id: status.id, text: "", content: status.content, spoiler_text: status.spoiler_text, sensitive: status.sensitive, created_at: status.created_at, media_ids: JSON.stringify(oldMedia) });
      }
      // The attachments as the edit has them (kept rows keep their ids; removed ones stay for the history).
      const media = incoming.attachments ? await tx.media.syncRemote(status.id, status.account_id, incoming.attachments.slice(0, MAX_REMOTE_ATTACHMENTS), newId, now) : oldMedia;
      const sensitive = incoming.sensitive || incoming.spoilerText !== "" ? 1 : 0;
      await tx.statuses.insertEdit({ id: newId(), status_id: status.id, text: "", content: incoming.content, spoiler_text: incoming.spoilerText, sensitive, created_at: now, media_ids: JSON.stringify(media) });
      await tx.statuses.update(status.id, { content: incoming.content, spoiler_text: incoming.spoilerText, sensitive, language: incoming.language, edited_at: incoming.updated?.toISOString() ?? now, updated_at: now });
      await this.indexer?.queue(tx, status);
      const tags = await tx.statuses.ensureTags(incoming.tags.slice(0, 50), newId, now);
      await tx.statuses.setTags(status.id, tags.map((t) => t.id));
    });
    this.indexer?.committed();
    for (const reblog of await this.stores.statuses.reblogsOf(status.id)) await this.notifications.notify(reblog.account_id, status.account_id, "update", status.id);
    this.events.publish({ type: "status.updated", statusId: status.id });
  }

  /** Whether an Update's attachments differ from the status's (by URL, order, alt text, focus). */
  private async mediaChanged(statusId: string, incoming: IncomingAttachment[] | undefined): Promise<boolean> {
    if (!incoming) return false;
    const current = (await this.stores.media.ofStatuses([statusId])).get(statusId) ?? [];
    const key = (url: string, description: string | null, x: number | null | undefined, y: number | null | undefined) => JSON.stringify([url, description, x ?? null, y ?? null]);
    return JSON.stringify(current.map((m) => key(m.remote_url ?? "", m.description, m.focus_x, m.focus_y))) !== JSON.stringify(incoming.map((a) => key(a.url, a.description, a.focus?.x, a.focus?.y)));
  }

  /** A Delete of a remote status (or an Undo of a remote boost) by its author. */
  async remove(status: StatusRow): Promise<void> {
    const readers = await this.stores.statuses.feedReaders(status.id);
    await this.stores.transaction(async (tx) => {
      if (status.in_reply_to_id) await tx.statuses.bumpCounter(status.in_reply_to_id, "replies_count", -1);
      if (status.reblog_of_id) await tx.statuses.bumpCounter(status.reblog_of_id, "reblogs_count", -1);
      await tx.accounts.bumpCounter(status.account_id, "statuses_count", -1);
      await tx.statuses.delete(status.id);
    });
    this.events.publish({ type: "status.deleted", statusId: status.id, authorId: status.account_id, readerIds: readers, visibility: status.visibility });
  }

  /** A remote Announce of a status we have; null when the actor may not boost it (see canBoost). */
  async receiveBoost(actor: AccountRow, target: StatusRow, uri: string, published: Date, visibility: Visibility): Promise<StatusRow | null> {
    const existing = (await this.stores.statuses.byUri(uri)) ?? (await this.stores.statuses.reblogOf(actor.id, target.id));
    if (existing) return existing;
    if (!(await canBoost(this.stores, actor.id, target))) return null;
    const id = newId(published.getTime() > Date.now() ? new Date() : published);
    const now = nowIso();
    const boost: StatusRow = {
      id, uri, url: null, account_id: actor.id, local: 0, in_reply_to_id: null, in_reply_to_account_id: null, reblog_of_id: target.id,
      conversation_id: target.conversation_id, text: "", content: "", spoiler_text: "", sensitive: 0, visibility, language: null, application_id: null,
      replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: now, updated_at: now,
    };
    await this.stores.transaction(async (tx) => {
      await tx.statuses.insert(boost);
      await tx.statuses.bumpCounter(target.id, "reblogs_count", 1);
      await tx.accounts.bumpCounter(actor.id, "statuses_count", 1);
    });
    const readers = await fanOut(this.stores, boost, []);
    await this.notifications.notify(target.account_id, actor.id, "reblog", target.id);
    this.events.publish({ type: "status.created", statusId: id, homeReaderIds: readers });
    return boost;
  }

  /**
   * A remote Like (or emoji reaction), or its Undo. Counted and notified only when the actor may
   * see the status; an Undo only removes what is there.
   */
  async receiveLike(actor: AccountRow, status: StatusRow, uri: string | null, undo: boolean): Promise<void> {
    if (undo) {
      if (await this.stores.statusRelations.remove("favourites", actor.id, status.id)) await this.stores.statuses.bumpCounter(status.id, "favourites_count", -1);
      return;
    }
    if (!(await canSee(this.stores, actor.id, status))) return;
    const added = await this.stores.statusRelations.add("favourites", { id: newId(), account_id: actor.id, status_id: status.id, uri, created_at: nowIso() });
    if (added) {
      await this.stores.statuses.bumpCounter(status.id, "favourites_count", 1);
      await this.notifications.notify(status.account_id, actor.id, "favourite", status.id);
    }
  }
}
