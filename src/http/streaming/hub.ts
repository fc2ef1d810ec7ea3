// The streaming connections of this process (WebSocket and server-sent events), what each is
// subscribed to, and delivery: signals from every process of the server arrive here (through
// server/streaming.ts), the router (domain/streaming/stream-router.ts) decides who may hear what,
// and each delivery is rendered once per viewer and queued on that viewer's connections.
//
// Memory stays bounded: a fixed backlog of signals waiting to be routed, a byte limit on every
// connection's unsent output (a client that cannot keep up is dropped), and limits on
// connections per process and subscriptions per connection.
import { getLogger } from "@logtape/logtape";
import type { Services } from "../../domain/services.ts";
import type { StreamSignal } from "../../domain/streaming/signals.ts";
import type { Delivery, Listeners, StreamRouter } from "../../domain/streaming/stream-router.ts";
import type { StreamSubscription, Viewer } from "../../domain/streaming/streams.ts";
import type { FilterContext } from "../../db/schema.ts";
import type { StatusRow } from "../../store/statuses.ts";
import { toStatus } from "../../convert/mastodon/status.ts";
import { toAccountConversation } from "../../convert/mastodon/account-conversation.ts";
import { renderNotifications } from "../../convert/mastodon/notification.ts";
import { convertContextOf } from "../../convert/mastodon/context.ts";
import { toAnnouncement } from "../../convert/mastodon/announcement.ts";

const logger = getLogger(["skein", "streaming"]);

/** One message on the wire, as Mastodon sends it. `payload` is a JSON string or a bare id. */
export interface StreamMessage {
  stream: string[];
  event: string;
  payload: string;
}

export type CloseReason = "shutdown" | "revoked" | "unresponsive" | "too slow";

/** A viewer with the token it connected with (re-checked now and then). */
export interface ConnectedViewer extends Viewer {
  token: string;
}

/** One open WebSocket or event stream. */
export interface StreamClient {
  readonly viewer: ConnectedViewer | null;
  /** Queues a message; a client whose queue is full closes itself. */
  send(message: StreamMessage): void;
  /** Keeps the connection alive and finds dead peers; called every HEARTBEAT_MS. */
  heartbeat(): void;
  close(reason: CloseReason): void;
}

export const HEARTBEAT_MS = 30_000;
/** Revoked tokens stop streaming within this time. */
const TOKEN_RECHECK_MS = 5 * 60_000;
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 100;
/** Connections one process holds at most; more are refused with 503 (add processes instead). */
export const MAX_CLIENTS = 20_000;
/** Signals waiting to be routed; beyond this the oldest are dropped (and a warning logged). */
const MAX_BACKLOG = 10_000;

interface ClientState {
  subscriptions: Map<string, StreamSubscription>;
  recheckAt: number;
}

export class StreamingHub implements Listeners {
  private readonly services: Services;
  private readonly router: StreamRouter;
  /** Whether public and hashtag streams may be read without a token. */
  readonly anonymousPublic: boolean;
  private readonly clients = new Map<StreamClient, ClientState>();
  /** key → viewer → clients: the routing index. */
  private readonly index = new Map<string, Map<string | null, Set<StreamClient>>>();
  private readonly backlog: StreamSignal[] = [];
  private pumping: Promise<void> | null = null;
  private dropped = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(services: Services, router: StreamRouter, options: { anonymousPublic?: boolean } = {}) {
    this.services = services;
    this.router = router;
    this.anonymousPublic = options.anonymousPublic ?? true;
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  // --- connections ----------------------------------------------------------------------

  get size(): number {
    return this.clients.size;
  }

  /** Whether a new connection must be refused. */
  get full(): boolean {
    return this.closed || this.clients.size >= MAX_CLIENTS;
  }

  add(client: StreamClient): void {
    if (this.closed) {
      client.close("shutdown");
      return;
    }
    this.clients.set(client, { subscriptions: new Map(), recheckAt: Date.now() + TOKEN_RECHECK_MS });
  }

  remove(client: StreamClient): void {
    const state = this.clients.get(client);
    if (!state) return;
    for (const subscription of state.subscriptions.values()) this.unindex(client, subscription.key);
    this.clients.delete(client);
  }

  /** Checks what needs the database before subscribing (a list must be the viewer's); throws StreamError. */
  authorize(subscription: StreamSubscription, viewer: Viewer | null): Promise<void> {
    return this.router.authorize(subscription, viewer);
  }

  /** Returns false when the client already has as many subscriptions as allowed. */
  subscribe(client: StreamClient, subscription: StreamSubscription): boolean {
    const state = this.clients.get(client);
    if (!state) return true;
    if (state.subscriptions.has(subscription.key)) return true;
    if (state.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CLIENT) return false;
    state.subscriptions.set(subscription.key, subscription);
    const viewer = client.viewer?.accountId ?? null;
    let byViewer = this.index.get(subscription.key);
    if (!byViewer) this.index.set(subscription.key, (byViewer = new Map()));
    let set = byViewer.get(viewer);
    if (!set) byViewer.set(viewer, (set = new Set()));
    set.add(client);
    return true;
  }

  unsubscribe(client: StreamClient, subscription: StreamSubscription): void {
    const state = this.clients.get(client);
    if (!state?.subscriptions.delete(subscription.key)) return;
    this.unindex(client, subscription.key);
  }

  private unindex(client: StreamClient, key: string): void {
    const byViewer = this.index.get(key);
    const viewer = client.viewer?.accountId ?? null;
    const set = byViewer?.get(viewer);
    if (!byViewer || !set) return;
    set.delete(client);
    if (set.size === 0) byViewer.delete(viewer);
    if (byViewer.size === 0) this.index.delete(key);
  }

  // --- Listeners, for the router ----------------------------------------------------------

  get empty(): boolean {
    return this.index.size === 0;
  }

  viewersOf(key: string): Iterable<string | null> {
    return this.index.get(key)?.keys() ?? [];
  }

  keys(): Iterable<string> {
    return this.index.keys();
  }

  // --- delivery -------------------------------------------------------------------------

  /** Takes a signal from any process; routing happens in order, one signal at a time. */
  receive(signal: StreamSignal): void {
    if (this.closed || this.index.size === 0) return;
    if (this.backlog.length >= MAX_BACKLOG) {
      this.backlog.shift();
      if (this.dropped++ % 1000 === 0) logger.warning("Streaming cannot keep up: dropped {n} signal(s) so far", { n: this.dropped });
    }
    this.backlog.push(signal);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** Resolves when every received signal has been delivered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    for (let signal = this.backlog.shift(); signal; signal = this.backlog.shift()) {
      try {
        // One rendering per viewer and kind of payload, even when it goes to several streams.
        const rendered = new Map<string, string | null>();
        for (const delivery of await this.router.route(signal, this)) await this.deliver(delivery, rendered);
      } catch (error) {
        logger.error("Could not deliver {type} to streaming clients: {error}", { type: signal.type, error });
      }
    }
  }

  private async deliver(delivery: Delivery, rendered: Map<string, string | null>): Promise<void> {
    const byViewer = this.index.get(delivery.stream.join("\u0000"));
    if (!byViewer) return;
    for (const viewer of delivery.viewers) {
      const clients = byViewer.get(viewer);
      if (!clients?.size) continue;
      const kind = delivery.event === "update" || delivery.event === "status.update" ? `status:${filterContextOf(delivery.stream)}` : delivery.event;
      // Announcements are the same for every listener (rendered without a reader, as Mastodon does).
      const cacheKey = delivery.event.startsWith("announcement") ? delivery.event : `${kind}\u0000${viewer}`;
      let payload = rendered.get(cacheKey);
      if (payload === undefined) rendered.set(cacheKey, (payload = await this.render(delivery, viewer)));
      if (payload === null) continue;
      const message = { stream: delivery.stream, event: delivery.event, payload };
      // Copied: a client that closes while sending leaves the set.
      for (const client of [...clients]) client.send(message);
    }
  }

  private async render(delivery: Delivery, viewer: string | null): Promise<string | null> {
    switch (delivery.event) {
      case "delete":
        return delivery.statusId;
      case "filters_changed":
        // Mastodon sends this event without a payload.
        return "";
      case "notification": {
        const [rendered] = await renderNotifications(this.services, delivery.notification.account_id, [delivery.notification]);
        return rendered ? JSON.stringify(rendered) : null;
      }
      case "update":
      case "status.update": {
        // The viewer's filters apply as on the matching timeline: `hide` leaves the status out.
        const [view] = await this.services.statusViews([delivery.status], viewer, filterContextOf(delivery.stream));
        return view ? JSON.stringify(toStatus(view, this.convertContext())) : null;
      }
      case "conversation":
        return viewer ? this.renderConversation(delivery.status, viewer) : null;
      case "announcement": {
        const view = await this.services.announcements.view(delivery.announcementId, null);
        return view ? JSON.stringify(toAnnouncement(view, this.convertContext())) : null;
      }
      case "announcement.delete":
        return delivery.announcementId;
      case "announcement.reaction": {
        const count = await this.services.announcements.reactionCount(delivery.announcementId, delivery.name);
        return JSON.stringify({ name: delivery.name, count, announcement_id: delivery.announcementId });
      }
    }
  }

  /** The origin, and the domain policy's reject_media (as loaded: the policy is refreshed by API requests and inboxes). */
  private convertContext() {
    return convertContextOf(this.services);
  }

  /** The viewer's conversation (as /api/v1/conversations lists it) whose latest status this is. */
  private async renderConversation(status: StatusRow, viewer: string): Promise<string | null> {
    // The conversation was updated before the signal was sent, so it is among the latest.
    const rows = await this.services.conversations.list(viewer, { sinceId: (BigInt(status.id) - 1n).toString(), limit: 40 });
    const row = rows.find((r) => r.last_status_id === status.id);
    if (!row) return null;
    const [[conversation], [view]] = await Promise.all([this.services.conversations.views(viewer, [row]), this.services.statusViews([status], viewer, "thread")]);
    if (!conversation || !view) return null;
    const ctx = this.convertContext();
    return JSON.stringify(toAccountConversation(conversation, new Map([[status.id, toStatus(view, ctx)]]), ctx));
  }

  // --- upkeep ---------------------------------------------------------------------------

  private beat(): void {
    const now = Date.now();
    for (const [client, state] of this.clients) {
      client.heartbeat();
      if (client.viewer && state.recheckAt <= now) {
        state.recheckAt = now + TOKEN_RECHECK_MS;
        const token = client.viewer.token;
        this.services.oauth
          .authenticate(token)
          .then((auth) => {
            if (!auth && this.clients.has(client)) client.close("revoked");
          })
          .catch(() => {});
      }
    }
  }

  /** Closes every connection (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.backlog.length = 0;
    await this.idle().catch(() => {});
    for (const client of [...this.clients.keys()]) {
      client.close("shutdown");
      this.remove(client);
    }
  }
}

/** The filter context of a stream, as on the matching REST timeline. */
function filterContextOf(stream: readonly string[]): FilterContext {
  if (stream[0] === "user" || stream[0] === "list") return "home";
  if (stream[0] === "direct") return "thread";
  return "public";
}
