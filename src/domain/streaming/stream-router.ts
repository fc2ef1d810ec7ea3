// Who hears what on the streaming API. For each signal, this decides which listening viewers get
// which event, re-checking privacy for every one of them against the database at that moment:
//
// - `user`: statuses that entered the viewer's home feed, if the viewer may still read them, has
//   not muted the author (or, for a boost, the boosted author), and has not put the author in an
//   exclusive list; the viewer's notifications.
// - `list`: statuses the list admits (timelines/list-fan-out.ts), for its owner, read-checked.
// - `public*`, `hashtag*`: public statuses that are not boosts, except from authors the viewer
//   blocks, is blocked by, or mutes, or whose domain the viewer blocked; a limited author's only
//   to the author and their followers (never to anonymous listeners).
// - `direct`: direct statuses the viewer wrote or is mentioned in (as a `conversation`).
// - `user:notification`: the viewer's notifications.
// - announcements (published, reactions, removed): to everyone on `user`.
// - deletes: to the home readers the status had (on `user`, `list` and `direct`), and to every
//   public/hashtag listener for a public status (the status is gone; its id reveals nothing).
//
// The caller renders each delivery for its viewer and sends it (http/streaming/hub.ts).
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { StreamSignal } from "./signals.ts";
import { StreamError, streamKey, type StreamSubscription, type Viewer } from "./streams.ts";
import { listAdmission } from "../timelines/list-fan-out.ts";

/** The routing index of the process: who listens to which stream (by key, see streams.ts). */
export interface Listeners {
  /** Viewers (account ids, null for anonymous) subscribed to this key. */
  viewersOf(key: string): Iterable<string | null>;
  /** Every key someone is subscribed to. */
  keys(): Iterable<string>;
  readonly empty: boolean;
}

export type Delivery =
  | { event: "update" | "status.update" | "conversation"; stream: string[]; viewers: (string | null)[]; status: StatusRow }
  | { event: "delete"; stream: string[]; viewers: (string | null)[]; statusId: string }
  | { event: "notification"; stream: string[]; viewers: string[]; notification: NotificationRow }
  | { event: "filters_changed"; stream: string[]; viewers: string[] }
  /** Announcements: to every local user listening on `user` (rendered per viewer by the caller). */
  | { event: "announcement" | "announcement.delete"; stream: string[]; viewers: string[]; announcementId: string }
  | { event: "announcement.reaction"; stream: string[]; viewers: string[]; announcementId: string; name: string };

export class StreamRouter {
  private readonly stores: Stores;

  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** What parseSubscription cannot check alone: a list must be the viewer's. */
  async authorize(subscription: StreamSubscription, viewer: Viewer | null): Promise<void> {
    if (subscription.name !== "list") return;
    const list = await this.stores.lists.byId(subscription.label[1]);
    if (!list || list.account_id !== viewer?.accountId) throw new StreamError(404, "List not found");
  }

  async route(signal: StreamSignal, listeners: Listeners): Promise<Delivery[]> {
    if (listeners.empty) return [];
    switch (signal.type) {
      case "status.created":
      case "status.updated":
        return this.routeStatus(signal.statusId, signal.type === "status.created" ? "update" : "status.update", listeners);
      case "status.deleted":
        return this.routeDelete(signal, listeners);
      case "notification.created":
        return this.routeNotification(signal.notificationId, signal.accountId, listeners);
      case "filters.changed": {
        // Told on the user stream, as Mastodon does; the client refetches its filters.
        const listening = accountsOf(listeners.viewersOf(streamKey(["user"])));
        return listening.has(signal.accountId) ? [{ event: "filters_changed", stream: ["user"], viewers: [signal.accountId] }] : [];
      }
      case "announcement.published":
      case "announcement.deleted":
      case "announcement.reaction": {
        // Announcements are for the server's own users; remote viewers cannot stream here.
        const viewers = [...accountsOf(listeners.viewersOf(streamKey(["user"])))];
        if (viewers.length === 0) return [];
        if (signal.type === "announcement.reaction") return [{ event: "announcement.reaction", stream: ["user"], viewers, announcementId: signal.announcementId, name: signal.name }];
        return [{ event: signal.type === "announcement.published" ? "announcement" : "announcement.delete", stream: ["user"], viewers, announcementId: signal.announcementId }];
      }
    }
  }

  private async routeStatus(statusId: string, event: "update" | "status.update", listeners: Listeners): Promise<Delivery[]> {
    const status = await this.stores.statuses.byId(statusId);
    if (!status) return [];
    const deliveries: Delivery[] = [];

    const homeListeners = accountsOf(listeners.viewersOf(streamKey(["user"])));
    if (homeListeners.size) {
      const readers = (await this.stores.statuses.feedReaders(status.id)).filter((id) => homeListeners.has(id));
      const allowed = await this.readersAmong(status, readers, { home: true });
      if (allowed.length) deliveries.push({ event, stream: ["user"], viewers: allowed, status });
    }

    const listened = listKeys(listeners);
    if (listened.size && status.visibility !== "direct") {
      const lists = (await this.stores.lists.containing(status.account_id)).filter((l) => listened.has(l.id));
      const admits = lists.length ? await listAdmission(this.stores, lists, [status]) : () => false;
      for (const list of lists) {
        const label = ["list", list.id];
        if (!admits(list, status) || !new Set(listeners.viewersOf(streamKey(label))).has(list.account_id)) continue;
        const allowed = await this.readersAmong(status, [list.account_id]);
        if (allowed.length) deliveries.push({ event, stream: label, viewers: allowed, status });
      }
    }

    if (status.visibility === "public" && status.reblog_of_id === null) {
      const labels = [["public"], [status.local ? "public:local" : "public:remote"]];
      const tags = (await this.stores.statuses.tagsOf([status.id])).get(status.id) ?? [];
      for (const tag of tags) {
        labels.push(["hashtag", tag.name]);
        if (status.local) labels.push(["hashtag:local", tag.name]);
      }
      const audience = new Map<string | null, boolean>();
      for (const label of labels) {
        const viewers = [...new Set(listeners.viewersOf(streamKey(label)))];
        if (viewers.length === 0) continue;
        const unknown = viewers.filter((v) => !audience.has(v));
        if (unknown.length) {
          const { excluded, anonymous } = await this.excludedFromPublic(status.account_id, unknown.filter((v): v is string => v !== null));
          for (const v of unknown) audience.set(v, v === null ? anonymous : !excluded.has(v));
        }
        const allowed = viewers.filter((v) => audience.get(v));
        if (allowed.length) deliveries.push({ event, stream: label, viewers: allowed, status });
      }
    }

    if (status.visibility === "direct" && status.reblog_of_id === null && event === "update") {
      const directListeners = accountsOf(listeners.viewersOf(streamKey(["direct"])));
      if (directListeners.size) {
        const mentioned = (await this.stores.statuses.mentionsOf([status.id])).get(status.id) ?? [];
        const participants = [status.account_id, ...mentioned].filter((id) => directListeners.has(id));
        const allowed = await this.readersAmong(status, [...new Set(participants)]);
        if (allowed.length) deliveries.push({ event: "conversation", stream: ["direct"], viewers: allowed, status });
      }
    }
    return deliveries;
  }

  private async routeDelete(signal: Extract<StreamSignal, { type: "status.deleted" }>, listeners: Listeners): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    // The author's own feed holds the status, so the author is among the readers.
    const readers = new Set(signal.readerIds);
    const labels = [["user"], ["direct"], ...[...listKeys(listeners)].map((id) => ["list", id])];
    for (const label of labels) {
      const viewers = [...accountsOf(listeners.viewersOf(streamKey(label)))].filter((id) => readers.has(id));
      if (viewers.length) deliveries.push({ event: "delete", stream: label, viewers, statusId: signal.statusId });
    }
    if (signal.toPublic) {
      for (const key of listeners.keys()) {
        const label = key.split("\u0000");
        if (!label[0].startsWith("public") && !label[0].startsWith("hashtag")) continue;
        const viewers = [...new Set(listeners.viewersOf(key))];
        if (viewers.length) deliveries.push({ event: "delete", stream: label, viewers, statusId: signal.statusId });
      }
    }
    return deliveries;
  }

  private async routeNotification(notificationId: string, accountId: string, listeners: Listeners): Promise<Delivery[]> {
    const labels = [["user"], ["user:notification"]].filter((label) => accountsOf(listeners.viewersOf(streamKey(label))).has(accountId));
    if (labels.length === 0) return [];
    const notification = await this.stores.notifications.byId(accountId, notificationId);
    if (!notification) return [];
    return labels.map((stream) => ({ event: "notification" as const, stream, viewers: [accountId], notification }));
  }

  /**
   * Of `viewerIds`, those who may read `status` now and have not muted its author(s); for the
   * home timeline, also not those who put the author in an exclusive list.
   */
  private async readersAmong(status: StatusRow, viewerIds: readonly string[], options: { home?: boolean } = {}): Promise<string[]> {
    if (viewerIds.length === 0) return [];
    const boosted = status.reblog_of_id ? await this.stores.statuses.byId(status.reblog_of_id) : null;
    if (status.reblog_of_id && !boosted) return [];
    const authors = [...new Set([status.account_id, boosted?.account_id].filter((id): id is string => !!id))];
    // The authors' domains, for the viewers' own domain blocks (as the timelines apply them).
    const domains = [...new Set((await this.stores.accounts.byIds(authors)).map((a) => a.domain).filter((d): d is string => d !== null))];
    const allowed: string[] = [];
    for (const viewerId of viewerIds) {
      if (!(await this.stores.statuses.readableById(status.id, viewerId))) continue;
      if (viewerId !== status.account_id && (await this.mutes(viewerId, authors))) continue;
      if (domains.length && (await this.stores.accountDomainBlocks.blockedAmong(viewerId, domains)).size) continue;
      if (options.home && viewerId !== status.account_id && (await this.stores.lists.ofOwnerContaining(viewerId, status.account_id)).some((l) => l.exclusive === 1)) continue;
      allowed.push(viewerId);
    }
    return allowed;
  }

  /**
   * Of `viewerIds`, those who block `authorId`, are blocked by it, mute it or blocked its domain,
   * and if it is limited, those who are not it and do not follow it (store/visibility-sql.ts,
   * notLimitedFor): a few queries for all. `anonymous`: whether anonymous listeners hear it.
   */
  private async excludedFromPublic(authorId: string, viewerIds: readonly string[]): Promise<{ excluded: Set<string>; anonymous: boolean }> {
    const r = this.stores.relationships;
    const author = await this.stores.accounts.byId(authorId);
    const limited = !author || author.silenced_at !== null;
    const [blocking, blockedBy, muting, domainBlocking, following] = await Promise.all([
      r.sourcesAmong("blocks", authorId, viewerIds),
      r.targetsAmong("blocks", authorId, viewerIds),
      r.sourcesAmong("mutes", authorId, viewerIds),
      author?.domain ? this.stores.accountDomainBlocks.blockersAmong(author.domain, viewerIds) : Promise.resolve(new Set<string>()),
      limited ? r.sourcesAmong("follows", authorId, viewerIds) : Promise.resolve(new Set<string>()),
    ]);
    const excluded = new Set([...blocking, ...blockedBy, ...domainBlocking]);
    if (limited) for (const viewerId of viewerIds) if (viewerId !== authorId && !following.has(viewerId)) excluded.add(viewerId);
    for (const viewerId of muting) {
      if (!excluded.has(viewerId) && (await this.mutes(viewerId, [authorId]))) excluded.add(viewerId);
    }
    return { excluded, anonymous: !limited };
  }

  /** Whether the viewer has an unexpired mute of any of these accounts. */
  private async mutes(viewerId: string, accountIds: readonly string[]): Promise<boolean> {
    const now = new Date().toISOString();
    return (await this.stores.relationships.mutesAmong(viewerId, accountIds)).some((m) => !m.expires_at || m.expires_at > now);
  }
}

/** Ids of the lists someone listens to. */
function listKeys(listeners: Listeners): Set<string> {
  const ids = new Set<string>();
  for (const key of listeners.keys()) {
    const [name, id] = key.split("\u0000");
    if (name === "list" && id) ids.add(id);
  }
  return ids;
}

function accountsOf(viewers: Iterable<string | null>): Set<string> {
  const out = new Set<string>();
  for (const v of viewers) if (v !== null) out.add(v);
  return out;
}
