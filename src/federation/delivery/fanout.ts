// Turns one outgoing activity into deliveries: one per distinct remote inbox — the shared inbox
// when a server has one — computed in the database from the follower set (only inbox strings
// come back, however many followers), plus the inboxes of named recipients. Hosts that are
// unavailable get nothing; paused ones get their deliveries scheduled for the end of the pause.
// Hosts the domain policy does not federate with (suspended, or not allowed in allowlist mode)
// get nothing either: decided from the policy in memory, one map lookup per distinct host.
import type { DeliveryStore, Inbox } from "../../store/deliveries.ts";

export interface Audience {
  /** Inbox URLs of named recipients (mentioned, replied to, followed…). */
  inboxes: string[];
  /** Also every remote follower of this local account. */
  followersOf?: string;
}

const BLOCKED_CACHE_MS = 5_000;

/**
 * The domain policy as delivery asks it: a function (current within seconds) answering why a
 * host gets nothing — it is suspended, or not allowed in allowlist mode — or null when it may.
 */
export type DeliveryPolicy = () => Promise<(host: string) => string | null>;

const EVERY_HOST: DeliveryPolicy = async () => () => null;

export class Fanout {
  private readonly store: DeliveryStore;
  private readonly allowPlainHttp: boolean;
  private readonly queued: () => void;
  private readonly refusal: DeliveryPolicy;
  private blocked: { at: number; paused: Map<string, string>; unavailable: Set<string> } | null = null;

  /** `queued` is told when deliveries were added (the engine in this process wakes up). */
  constructor(store: DeliveryStore, options: { allowPlainHttp: boolean; queued?: () => void; policy?: DeliveryPolicy }) {
    this.store = store;
    this.allowPlainHttp = options.allowPlainHttp;
    this.queued = options.queued ?? (() => {});
    this.refusal = options.policy ?? EVERY_HOST;
  }

  /** The inboxes an audience comes to: distinct, http(s) only, unavailable hosts left out. */
  async inboxesFor(audience: Audience): Promise<Inbox[]> {
    const urls = new Set(audience.inboxes);
    if (audience.followersOf !== undefined) for (const url of await this.store.followerInboxes(audience.followersOf)) urls.add(url);
    if (urls.size === 0) return [];
    const blocked = await this.blockedHosts();
    const refusal = await this.refusal();
    const inboxes: Inbox[] = [];
    for (const text of urls) {
      const url = URL.canParse(text) ? new URL(text) : null;
      if (!url || !(url.protocol === "https:" || (this.allowPlainHttp && url.protocol === "http:"))) continue;
      if (blocked.unavailable.has(url.host) || refusal(url.hostname) !== null) continue;
      inboxes.push({ url: url.href, host: url.host });
    }
    return inboxes;
  }

  /** Stores the activity and one delivery per inbox; paused hosts' deliveries wait for the pause to end. */
  async enqueue(activity: { accountId: string; uri: string; body: string }, audience: Inbox[]): Promise<number> {
    const refusal = await this.refusal();
    const inboxes = audience.filter((inbox) => refusal(inbox.host) === null);
    if (inboxes.length === 0) return 0;
    const blocked = await this.blockedHosts();
    const now = new Date().toISOString();
    await this.store.enqueue(activity, inboxes, (host) => {
      const until = blocked.paused.get(host);
      return until && until > now ? until : now;
    });
    this.queued();
    return inboxes.length;
  }

  /** Any activity from a host proves it is back: an unavailable host gets deliveries again. */
  async revive(host: string): Promise<void> {
    const blocked = await this.blockedHosts();
    if (!blocked.unavailable.has(host)) return;
    await this.store.clearHosts([host]);
    blocked.unavailable.delete(host);
  }

  private async blockedHosts() {
    if (this.blocked && Date.now() - this.blocked.at < BLOCKED_CACHE_MS) return this.blocked;
    const rows = await this.store.blockedHosts();
    this.blocked = {
      at: Date.now(),
      paused: new Map(rows.filter((r) => r.paused_until).map((r) => [r.host, r.paused_until!])),
      unavailable: new Set(rows.filter((r) => r.unavailable_since).map((r) => r.host)),
    };
    return this.blocked;
  }
}
