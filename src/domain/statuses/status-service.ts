// Posting and everything done to a status: create, edit, delete, boost, favourite, bookmark,
// pin, mute its conversation, and reading it (alone or with its thread). Statuses from the API
// and (later) from federation go through the same methods.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { StatusRow, StatusEditRow, TagRow } from "../../store/statuses.ts";
/** What the status services hand out, for callers above the domain (pages) to name. */
export type { StatusRow };
import type { AccountRow } from "../../store/accounts.ts";
import type { MediaRow } from "../../store/media/attachments.ts";
import type { ApplicationRow } from "../../store/oauth.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { Visibility } from "../../db/schema.ts";
import type { EventBus } from "../events.ts";
import type { NotificationService } from "../notifications/notification-service.ts";
import type { Outbox } from "../outbox.ts";
import type { QuoteInput, QuoteService } from "../quotes/quote-service.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import { mentionHandles, renderPlainText } from "../text/plain-to-html.ts";
import { LIMITS } from "../instance/instance-service.ts";
import { fanOut } from "../timelines/fan-out.ts";
import { attachPoll, changePoll, checkPoll, type NewPoll } from "../polls/poll-drafts.ts";
import type { MediaService, StatusMediaRequest } from "../media/media-service.ts";
import { checkAllowedMentions } from "./allowed-mentions.ts";
import { justWrittenView, type JustWritten, type StatusView } from "./status-views.ts";
import type { StatusIndexer } from "../search/indexer.ts";
import type { EmojiCatalog } from "../emojis/emoji-catalog.ts";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["skein", "statuses"]);

export const VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private", "direct"];
const MAX_THREAD_DEPTH = 40;
const MAX_DESCENDANTS = 4096;

export interface NewStatus {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  visibility?: Visibility;
  language?: string | null;
  inReplyToId?: string | null;
  idempotencyKey?: string | null;
  poll?: NewPoll | null;
  /** media_ids (uploads of the author's, processed, unattached), up to four. */
  media?: StatusMediaRequest | null;
  /** quoted_status_id, quote_approval_policy (and Skein's reply_policy): domain/quotes. */
  quote?: QuoteInput;
  /** allowed_mentions: account ids the text may mention; anyone else → UnexpectedMentionsError. */
  allowedMentions?: string[] | null;
}

/** The author's settings a post falls back on (visibility, sensitive, language). */
export interface PostingDefaults {
  visibility: Visibility;
  sensitive: boolean;
  language: string | null;
}

export interface StatusChanges {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** The poll the status has after the edit: null removes it, undefined leaves it as it is. */
  poll?: NewPoll | null;
  /** The attachments after the edit (media_ids + media_attributes); undefined leaves them as they are. */
  media?: StatusMediaRequest;
  /** A quote added, or new interaction policies (domain/quotes). */
  quote?: QuoteInput;
}

export class StatusService {
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly events: EventBus;
  private readonly notifications: NotificationService;

  private readonly outbox: Outbox;
  /** Uploads for media_ids, and their files when a status goes; set in services.ts. */
  media: Pick<MediaService, "forStatus" | "attach" | "filesOfStatus" | "deleteFiles"> | null = null;
  /** Full-text indexing of what is written, after the commit (services.ts plugs it in). */
  indexer: StatusIndexer | null = null;
  /** The emoji catalog, brought up to date for the view createViewed makes without statusViews; set in services.ts. */
  emojis: Pick<EmojiCatalog, "prepareFor"> | null = null;
  /** Quotes and interaction policies (domain/quotes/quote-service.ts); set in services.ts. */
  quotes: Pick<QuoteService, "prepare" | "created" | "edited" | "quotedUpdated" | "checkLocalInteraction" | "remoteQuotedAuthorOf" | "quotingDeleted"> | null = null;

  constructor(stores: Stores, config: Config, events: EventBus, notifications: NotificationService, outbox: Outbox) {
    this.stores = stores;
    this.config = config;
    this.events = events;
    this.notifications = notifications;
    this.outbox = outbox;
  }

  // --- reading --------------------------------------------------------------------------

  /** The status if `viewerId` may read it; otherwise "not found", as Mastodon hides it entirely. */
  async readable(id: string, viewerId: string | null): Promise<StatusRow> {
    const status = await this.stores.statuses.readableById(id, viewerId);
    if (!status) throw notFound();
    return status;
  }

  /** The thread around a status: readable ancestors (oldest first) and descendants (depth first). */
  async context(id: string, viewerId: string | null): Promise<{ ancestors: StatusRow[]; descendants: StatusRow[] }> {
    const status = await this.readable(id, viewerId);
    const ancestors: StatusRow[] = [];
    let parentId = status.in_reply_to_id;
    while (parentId && ancestors.length < MAX_THREAD_DEPTH) {
      const parent = await this.stores.statuses.readableById(parentId, viewerId);
      if (!parent) break;
      ancestors.unshift(parent);
      parentId = parent.in_reply_to_id;
    }
    const children = new Map<string, StatusRow[]>();
    let frontier = [status.id];
    let total = 0;
    for (let depth = 0; depth < MAX_THREAD_DEPTH && frontier.length && total < MAX_DESCENDANTS; depth++) {
      const replies = await this.stores.statuses.replies(frontier, viewerId);
      for (const r of replies) children.set(r.in_reply_to_id!, [...(children.get(r.in_reply_to_id!) ?? []), r]);
      total += replies.length;
      frontier = replies.map((r) => r.id);
    }
    const descendants: StatusRow[] = [];
    const walk = (parent: string) => {
      for (const child of children.get(parent) ?? []) {
        if (descendants.length >= MAX_DESCENDANTS) return;
        descendants.push(child);
        walk(child.id);
      }
    };
    walk(status.id);
    return { ancestors, descendants };
  }

  async history(id: string, viewerId: string | null): Promise<{ status: StatusRow; edits: StatusEditRow[]; media: MediaRow[] }> {
    const status = await this.readable(id, viewerId);
    return { status, edits: await this.stores.statuses.editsOf(status.id), media: await this.stores.media.allOfStatus(status.id) };
  }

  async accountsWho(relation: "favourites" | "reblogs", id: string, viewerId: string | null, page: PageRequest) {
    const status = await this.readable(id, viewerId);
    if (relation === "favourites") return this.stores.statusRelations.accountsOf("favourites", status.id, page);
    const reblogs = await this.stores.statuses.reblogsOf(status.id);
    const accounts = await this.stores.accounts.byIds(reblogs.map((r) => r.account_id));
    const byId = new Map(accounts.map((a) => [a.id, a]));
    return reblogs
      .filter((r) => (!page.maxId || r.id < page.maxId) && (!page.sinceId || r.id > page.sinceId) && (!page.minId || r.id > page.minId))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, page.limit)
      .map((r) => ({ relationId: r.id, account: byId.get(r.account_id)! }))
      .filter((r) => r.account);
  }

  // --- posting --------------------------------------------------------------------------

  async create(author: AccountRow, input: NewStatus, app: ApplicationRow | null, defaults: PostingDefaults): Promise<StatusRow> {
    return (await this.write(author, input, app, defaults)).status;
  }

  /**
   * Creates a status, and its view for its author (the answer to the post) when the write says
   * all of it: a plain post (status-views.ts justWrittenView). Null otherwise — media, a poll, a
   * quote, a reply, a retried request — and the caller reads it back as any status.
   */
  async createViewed(author: AccountRow, input: NewStatus, app: ApplicationRow | null, defaults: PostingDefaults): Promise<{ status: StatusRow; view: StatusView | null }> {
    const { status, written } = await this.write(author, input, app, defaults);
    if (!written) return { status, view: null };
    const view = await justWrittenView(this.stores, status, written);
    // As services.statusViews does for the views it loads: the converters find the emojis synchronously.
    await this.emojis?.prepareFor([view]);
    return { status, view };
  }

  private async write(author: AccountRow, input: NewStatus, app: ApplicationRow | null, defaults: PostingDefaults): Promise<{ status: StatusRow; written: JustWritten | null }> {
    if (input.idempotencyKey) {
      const earlier = await this.stores.statuses.byIdempotencyKey(author.id, input.idempotencyKey);
      if (earlier) return { status: earlier, written: null };
    }
    const text = input.text ?? "";
    const spoilerText = input.spoilerText ?? "";
    const media = input.media?.ids.length ? await this.mediaFor(author, input.media, null) : [];
    // A post with media may have no text (Mastodon's rule).
    if (text.trim() === "" && media.length === 0) throw validationFailed("Validation failed: Text can't be blank");
    if ([...text].length + [...spoilerText].length > LIMITS.statusCharacters) {
      throw validationFailed(`Validation failed: Text character limit of ${LIMITS.statusCharacters} exceeded`);
    }
    const visibility = input.visibility ?? defaults.visibility;
    if (!VISIBILITIES.includes(visibility)) throw validationFailed("Validation failed: Visibility is not included in the list");
    const language = checkLanguage(input.language === undefined ? defaults.language : input.language);
    const poll = input.poll ? checkPoll(input.poll, this.config.polls.minExpirationSeconds) : null;

    let parent: StatusRow | undefined;
    if (input.inReplyToId) {
      parent = await this.stores.statuses.readableById(input.inReplyToId, author.id);
      if (!parent || parent.reblog_of_id) throw notFound("The status you are replying to does not exist or is not visible to you");
      if (await this.stores.relationships.find("blocks", parent.account_id, author.id)) throw forbidden();
    }

    const quoting = this.quotes ? await this.quotes.prepare(author, input.quote, visibility, parent?.id) : null;
    const rendered = await this.render(text);
    checkAllowedMentions(rendered.mentions, input.allowedMentions, author.id);
    const id = newId();
    const now = nowIso();
    const status: StatusRow = {
      id,
      uri: `${this.config.origin}/users/${author.username}/statuses/${id}`,
      url: `${this.config.origin}/@${author.username}/${id}`,
      account_id: author.id,
      local: 1,
      in_reply_to_id: parent?.id ?? null,
      in_reply_to_account_id: parent?.account_id ?? null,
      reblog_of_id: null,
      conversation_id: parent?.conversation_id ?? newId(),
      text,
      content: rendered.html,
      spoiler_text: spoilerText,
      sensitive: input.sensitive ?? (spoilerText !== "" || defaults.sensitive) ? 1 : 0,
      visibility,
      language,
      application_id: app?.id ?? null,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      created_at: now,
      updated_at: now,
    };
    const mentionedIds = rendered.mentions.map((a) => a.id).filter((mid) => mid !== author.id);
    let tags: TagRow[] = [];
    await this.stores.transaction(async (tx) => {
      // Queued for search with the insert (one statement on PostgreSQL); indexed after the commit.
      await tx.statuses.insert(status, this.indexer?.queuedAt(status) ?? null);
      if (poll) await attachPoll(tx, id, author.id, poll, now);
      if (media.length) await this.media!.attach(tx, id, author.id, media);
      await tx.statuses.insertMentions(id, mentionedIds, newId);
      tags = await tx.statuses.ensureTags(rendered.tags, newId, now);
      await tx.statuses.addTags(id, tags.map((t) => t.id));
      if (parent) await tx.statuses.bumpCounter(parent.id, "replies_count", 1);
      await tx.accounts.countNewStatus(author.id, now);
      if (input.idempotencyKey) {
        await tx.statuses.saveIdempotencyKey(author.id, input.idempotencyKey, id, now);
      }
    });
    this.indexer?.committed();

    const policy = quoting ? await this.quotes!.created(author, status, quoting) : null;
    const readers = await fanOut(this.stores, status, mentionedIds);
    for (const mentioned of mentionedIds) await this.notifications.notify(mentioned, author.id, "mention", id);
    if (visibility !== "direct") {
      for (const subscriber of await this.stores.relationships.subscribersOf(author.id)) {
        if (!mentionedIds.includes(subscriber)) await this.notifications.notify(subscriber, author.id, "status", id);
      }
    }
    this.events.publish({ type: "status.created", statusId: id, homeReaderIds: readers });
    await this.outbox.statusCreated(status);
    const plain = media.length === 0 && !poll && !parent && !quoting?.quoted;
    if (!plain) return { status, written: null };
    const byId = new Map(rendered.mentions.map((a) => [a.id, a]));
    return {
      status,
      written: {
        author: { ...author, statuses_count: author.statuses_count + 1, last_status_at: now },
        mentions: mentionedIds.map((mid) => byId.get(mid)!),
        tags,
        application: app,
        policy,
      },
    };
  }

  async edit(author: AccountRow, id: string, changes: StatusChanges): Promise<StatusRow> {
    const status = await this.stores.statuses.byId(id);
    if (!status || status.account_id !== author.id || status.reblog_of_id) throw notFound();
    const text = changes.text ?? status.text;
    const spoilerText = changes.spoilerText ?? status.spoiler_text;
    const oldMediaIds = ((await this.stores.media.ofStatuses([id])).get(id) ?? []).map((m) => m.id);
    const media = changes.media === undefined ? undefined : changes.media.ids.length ? await this.mediaFor(author, changes.media, id) : [];
    const newMediaIds = media === undefined ? oldMediaIds : media.map((m) => m.id);
    if (text.trim() === "" && newMediaIds.length === 0) throw validationFailed("Validation failed: Text can't be blank");
    if ([...text].length + [...spoilerText].length > LIMITS.statusCharacters) {
      throw validationFailed(`Validation failed: Text character limit of ${LIMITS.statusCharacters} exceeded`);
    }
    const language = changes.language === undefined ? status.language : checkLanguage(changes.language);
    const pollDraft = changes.poll ? checkPoll(changes.poll, this.config.polls.minExpirationSeconds) : changes.poll;
    const [oldPoll] = await this.stores.polls.byStatusIds([id]);
    const oldPollTitles = oldPoll ? ((await this.stores.polls.optionsOf([oldPoll.id])).get(oldPoll.id) ?? []).map((o) => o.title) : null;
    const newPollTitles = pollDraft === undefined ? oldPollTitles : (pollDraft?.titles ?? null);
    const rendered = await this.render(text);
    const now = nowIso();
    const sensitive = (changes.sensitive ?? (changes.spoilerText !== undefined ? spoilerText !== "" : status.sensitive === 1)) ? 1 : 0;
    if (changes.quote) await this.quotes?.edited(author, status, changes.quote);
    const oldMentions = (await this.stores.statuses.mentionsOf([id])).get(id) ?? [];
    const mentionedIds = rendered.mentions.map((a) => a.id).filter((mid) => mid !== author.id);
    await this.stores.transaction(async (tx) => {
      const edits = await tx.statuses.editsOf(id);
      // The first edit also records the original, so history starts with what readers first saw.
      if (edits.length === 0) {
        await tx.statuses.insertEdit({ id: newId(new Date(status.created_at)), status_id: id, text: status.text, content: status.content, spoiler_text: status.spoiler_text, sensitive: status.sensitive, created_at: status.created_at, poll_options: oldPollTitles && JSON.stringify(oldPollTitles), media_ids: JSON.stringify(oldMediaIds) });
      }
      await tx.statuses.insertEdit({ id: newId(), status_id: id, text, content: rendered.html, spoiler_text: spoilerText, sensitive: sensitive as 0 | 1, created_at: now, poll_options: newPollTitles && JSON.stringify(newPollTitles), media_ids: JSON.stringify(newMediaIds) });
      if (media !== undefined) await this.media!.attach(tx, id, author.id, media, changes.media?.attributes);
      if (pollDraft !== undefined) await changePoll(tx, id, author.id, oldPoll ? { poll: oldPoll, titles: oldPollTitles! } : null, pollDraft, now);
      await tx.statuses.update(id, { text, content: rendered.html, spoiler_text: spoilerText, sensitive: sensitive as 0 | 1, language, edited_at: now, updated_at: now });
      await this.indexer?.queue(tx, status);
      await tx.statuses.deleteMentions(id);
      await tx.statuses.insertMentions(id, mentionedIds, newId);
      const tags = await tx.statuses.ensureTags(rendered.tags, newId, now);
      await tx.statuses.setTags(id, tags.map((t) => t.id));
    });
    this.indexer?.committed();
    for (const mentioned of mentionedIds) if (!oldMentions.includes(mentioned)) await this.notifications.notify(mentioned, author.id, "mention", id);
    // People who boosted it hear that what they shared changed.
    for (const reblog of await this.stores.statuses.reblogsOf(id)) await this.notifications.notify(reblog.account_id, author.id, "update", id);
    this.events.publish({ type: "status.updated", statusId: id });
    const updated = (await this.stores.statuses.byId(id))!;
    await this.quotes?.quotedUpdated(updated);
    await this.outbox.statusUpdated(updated);
    return (await this.stores.statuses.byId(id))!;
  }

  /**
   * Deletes the author's status; returns it as it was, for delete-and-redraft. Its current
   * attachments become unattached uploads again (a redraft posts them anew; ones never reused
   * are pruned after a day), unless `deleteMedia` (Mastodon's delete_media) removes them now.
   */
  async delete(author: AccountRow, id: string, options: { deleteMedia?: boolean } = {}): Promise<StatusRow> {
    const status = await this.stores.statuses.byId(id);
    if (!status || status.account_id !== author.id || status.reblog_of_id) throw notFound();
    await this.remove(status, { keepMedia: !options.deleteMedia });
    return status;
  }

  private async remove(status: StatusRow, options: { keepMedia?: boolean } = {}): Promise<void> {
    const keepMedia = options.keepMedia === true && status.local === 1;
    // Files of the attachments that go with the status (all of them, or those edits removed).
    const files = status.local && this.media ? await this.media.filesOfStatus(status.id, { current: !keepMedia }) : [];
    const mentionedIds = (await this.stores.statuses.mentionsOf([status.id])).get(status.id) ?? [];
    const readers = await this.stores.statuses.feedReaders(status.id);
    const reblogs = await this.stores.statuses.reblogsOf(status.id);
    const reblogReaders = new Map(await Promise.all(reblogs.map(async (r) => [r.id, await this.stores.statuses.feedReaders(r.id)] as const)));
    const quotedAuthor = this.quotes ? await this.quotes.remoteQuotedAuthorOf(status) : null;
    await this.stores.transaction(async (tx) => {
      for (const reblog of reblogs) await tx.accounts.bumpCounter(reblog.account_id, "statuses_count", -1);
      if (status.in_reply_to_id) await tx.statuses.bumpCounter(status.in_reply_to_id, "replies_count", -1);
      if (status.reblog_of_id) await tx.statuses.bumpCounter(status.reblog_of_id, "reblogs_count", -1);
      await tx.accounts.bumpCounter(status.account_id, "statuses_count", -1);
      if (keepMedia) await tx.media.detachFromStatus(status.id);
      await tx.statuses.delete(status.id);
    });
    // After the commit: a failure leaves orphan files for `./skein media prune`, never a row without its file.
    if (files.length) await this.media!.deleteFiles(files).catch((error) => logger.warn("Could not delete the files of status {id}: {error}", { id: status.id, error }));
    for (const reblog of reblogs) this.events.publish({ type: "status.deleted", statusId: reblog.id, authorId: reblog.account_id, readerIds: reblogReaders.get(reblog.id) ?? [], visibility: reblog.visibility });
    this.events.publish({ type: "status.deleted", statusId: status.id, authorId: status.account_id, readerIds: readers, visibility: status.visibility });
    if (status.local) await this.outbox.statusDeleted(status, mentionedIds);
    if (quotedAuthor) await this.quotes!.quotingDeleted(status, quotedAuthor);
  }

  // --- acting on statuses ---------------------------------------------------------------

  async reblog(actor: AccountRow, id: string, visibility: Visibility = "public"): Promise<StatusRow> {
    let target = await this.readable(id, actor.id);
    if (target.reblog_of_id) target = await this.readable(target.reblog_of_id, actor.id);
    const existing = await this.stores.statuses.reblogOf(actor.id, target.id);
    if (existing) return existing;
    const ownPrivate = target.visibility === "private" && target.account_id === actor.id;
    if (!(target.visibility === "public" || target.visibility === "unlisted" || ownPrivate)) {
      throw forbidden("This status cannot be boosted");
    }
    if (await this.stores.relationships.find("blocks", target.account_id, actor.id)) throw forbidden();
    await this.quotes?.checkLocalInteraction(actor, target, "announce");
    if (!["public", "unlisted", "private"].includes(visibility)) throw validationFailed("Validation failed: Visibility is not included in the list");
    const rid = newId();
    const now = nowIso();
    const reblog: StatusRow = {
      id: rid,
      uri: `${this.config.origin}/users/${actor.username}/statuses/${rid}/activity`,
      url: null,
      account_id: actor.id,
      local: 1,
      in_reply_to_id: null,
      in_reply_to_account_id: null,
      reblog_of_id: target.id,
      conversation_id: target.conversation_id,
      text: "",
      content: "",
      spoiler_text: "",
      sensitive: 0,
      visibility: ownPrivate ? "private" : visibility,
      language: null,
      application_id: null,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.stores.transaction(async (tx) => {
      await tx.statuses.insert(reblog);
      await tx.statuses.bumpCounter(target.id, "reblogs_count", 1);
      await tx.accounts.bumpCounter(actor.id, "statuses_count", 1);
    });
    const readers = await fanOut(this.stores, reblog, []);
    await this.notifications.notify(target.account_id, actor.id, "reblog", target.id);
    this.events.publish({ type: "status.created", statusId: rid, homeReaderIds: readers });
    await this.outbox.statusCreated(reblog);
    return reblog;
  }

  /** Undoes a boost; returns the boosted status. */
  async unreblog(actor: AccountRow, id: string): Promise<StatusRow> {
    let target = await this.readable(id, actor.id);
    if (target.reblog_of_id) target = await this.readable(target.reblog_of_id, actor.id);
    const reblog = await this.stores.statuses.reblogOf(actor.id, target.id);
    if (reblog) await this.remove(reblog);
    return (await this.stores.statuses.byId(target.id))!;
  }

  async favourite(actor: AccountRow, id: string): Promise<StatusRow> {
    const status = await this.readableOriginal(id, actor.id);
    await this.quotes?.checkLocalInteraction(actor, status, "like");
    const added = await this.stores.statusRelations.add("favourites", { id: newId(), account_id: actor.id, status_id: status.id, created_at: nowIso() });
    if (added) {
      await this.stores.statuses.bumpCounter(status.id, "favourites_count", 1);
      await this.notifications.notify(status.account_id, actor.id, "favourite", status.id);
      await this.outbox.favourited(actor, status, likeUri(actor, status), false);
    }
    return (await this.stores.statuses.byId(status.id))!;
  }

  async unfavourite(actor: AccountRow, id: string): Promise<StatusRow> {
    const status = await this.readableOriginal(id, actor.id);
    if (await this.stores.statusRelations.remove("favourites", actor.id, status.id)) {
      await this.stores.statuses.bumpCounter(status.id, "favourites_count", -1);
      await this.outbox.favourited(actor, status, likeUri(actor, status), true);
    }
    return (await this.stores.statuses.byId(status.id))!;
  }

  async bookmark(actor: AccountRow, id: string, on: boolean): Promise<StatusRow> {
    const status = await this.readableOriginal(id, actor.id);
    if (on) await this.stores.statusRelations.add("bookmarks", { id: newId(), account_id: actor.id, status_id: status.id, created_at: nowIso() });
    else await this.stores.statusRelations.remove("bookmarks", actor.id, status.id);
    return status;
  }

  async pin(actor: AccountRow, id: string, on: boolean): Promise<StatusRow> {
    const status = await this.stores.statuses.byId(id);
    if (!status || status.account_id !== actor.id || status.reblog_of_id) throw notFound();
    if (on) {
      if (status.visibility === "direct") throw validationFailed("Validation failed: Direct posts cannot be pinned");
      if ((await this.stores.statusRelations.count("status_pins", actor.id)) >= LIMITS.pinnedStatuses) {
        throw validationFailed(`Validation failed: You can pin at most ${LIMITS.pinnedStatuses} posts`);
      }
      if (await this.stores.statusRelations.add("status_pins", { id: newId(), account_id: actor.id, status_id: status.id, created_at: nowIso() })) await this.outbox.pinned(actor, status, true);
    } else if (await this.stores.statusRelations.remove("status_pins", actor.id, status.id)) {
      await this.outbox.pinned(actor, status, false);
    }
    return status;
  }

  async muteConversation(actor: AccountRow, id: string, on: boolean): Promise<StatusRow> {
    const status = await this.readableOriginal(id, actor.id);
    if (on) await this.stores.statusRelations.muteConversation(actor.id, status.conversation_id);
    else await this.stores.statusRelations.unmuteConversation(actor.id, status.conversation_id);
    return status;
  }

  // --- helpers --------------------------------------------------------------------------

  private async mediaFor(author: AccountRow, request: StatusMediaRequest, statusId: string | null) {
    if (!this.media) throw validationFailed("Media attachments are not supported on this server");
    return this.media.forStatus(author, request, statusId);
  }

  /** Acting on a boost acts on the boosted status, as Mastodon does. */
  private async readableOriginal(id: string, viewerId: string): Promise<StatusRow> {
    const status = await this.readable(id, viewerId);
    return status.reblog_of_id ? this.readable(status.reblog_of_id, viewerId) : status;
  }

  /** Renders text, resolving mentions of local accounts and of remote accounts already known. */
  private async render(text: string): Promise<{ html: string; mentions: AccountRow[]; tags: string[] }> {
    const known = new Map<string, AccountRow>();
    for (const handle of mentionHandles(text).slice(0, 50)) {
      const domain = handle.domain === this.config.localDomain ? null : handle.domain;
      const account = await this.stores.accounts.byUsername(handle.username, domain);
      if (account && !account.suspended_at) known.set(`${handle.username.toLowerCase()}@${handle.domain ?? ""}`, account);
    }
    const byUrl = new Map<string, AccountRow>();
    const rendered = renderPlainText(text, {
      mention: (username, domain) => {
        const account = known.get(`${username.toLowerCase()}@${domain ?? ""}`);
        if (!account) return null;
        const url = account.url ?? account.uri;
        byUrl.set(url, account);
        return { username: account.username, url };
      },
      tagUrl: (name) => `${this.config.origin}/tags/${encodeURIComponent(name)}`,
    });
    return { html: rendered.html, mentions: rendered.mentions.map((m) => byUrl.get(m.url)!), tags: rendered.tags };
  }
}

/** A like's id: one per (account, status), so Undo can name it without storing it. */
export function likeUri(actor: AccountRow, status: StatusRow): string {
  return `${actor.uri}#likes/${status.id}`;
}

export function checkLanguage(language: string | null | undefined): string | null {
  if (language === undefined || language === null || language === "") return null;
  if (!/^[a-z]{2}$/.test(language)) throw validationFailed("Validation failed: Language must be an ISO 639-1 code");
  return language;
}
