// Relays: an admin subscribes this server to a relay, which then sends it the public posts of
// its other subscribers (they fill the federated timeline) and receives this server's public
// posts. Two protocols exist: Mastodon's (a Follow of the Public collection, sent to the relay's
// inbox — the admin gives the inbox URL, ".../inbox") and LitePub's (a Follow of the relay's
// actor — the admin gives the actor URL). What a relay brings is judged by its origin, not by
// the relay: posts are fetched from their authors' servers under the domain policy.
//
// Follows and Undos go out from a server process's sweep (`sendDue`), not from the request or the
// command that made the change, so `./skein relays` works while the server runs elsewhere and a
// crash loses nothing.
import type { Stores } from "../../store/stores.ts";
import type { RelayRow } from "../../store/relays.ts";
import type { Outbox } from "../outbox.ts";
import type { RemoteLookup } from "../remote-lookup.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";

/** A pending Follow is sent again after this long without an answer. */
const RESEND_MS = 3600_000;

export class RelayService {
  private readonly stores: Stores;
  private readonly origin: string;
  private readonly outbox: Outbox;
  private readonly remote: RemoteLookup;
  private readonly allowHttp: boolean;

  constructor(stores: Stores, options: { origin: string; allowHttp: boolean }, outbox: Outbox, remote: RemoteLookup) {
    this.stores = stores;
    this.origin = options.origin;
    this.allowHttp = options.allowHttp;
    this.outbox = outbox;
    this.remote = remote;
  }

  list(): Promise<RelayRow[]> {
    return this.stores.relays.all();
  }

  /** Subscribes to the relay at `url` (its inbox, or a LitePub relay's actor). Adding one twice returns the first. */
  async add(url: string): Promise<RelayRow> {
    const parsed = URL.canParse(url.trim()) ? new URL(url.trim()) : null;
    if (!parsed || !(parsed.protocol === "https:" || (this.allowHttp && parsed.protocol === "http:")) || url.length > 2000 || parsed.username || parsed.password) {
      throw validationFailed("Validation failed: the relay must be an https URL (its inbox, e.g. https://relay.example/inbox, or a LitePub relay's actor)");
    }
    if (parsed.origin === new URL(this.origin).origin) throw validationFailed("Validation failed: a relay cannot be this server");
    parsed.hash = "";
    const existing = await this.stores.relays.byInbox(parsed.href);
    if (existing) return existing;
    const id = newId();
    const now = nowIso();
    const litepub = !/\/inbox\/?$/.test(parsed.pathname);
    const row: RelayRow = {
      id,
      // A LitePub relay's inbox is learned from its actor when the Follow goes out.
      inbox_url: parsed.href,
      actor_uri: litepub ? parsed.href : null,
      protocol: litepub ? "litepub" : "mastodon",
      follow_uri: `${new URL(this.origin).origin}/relays/${id}#follow`,
      state: "pending",
      follow_sent_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.stores.relays.insert(row);
    return row;
  }

  /** Ends the subscription: an Undo goes out with the next sweep, then the relay is forgotten. */
  async remove(id: string): Promise<void> {
    const relay = await this.stores.relays.byId(id);
    if (!relay) throw notFound();
    if (relay.follow_sent_at === null) await this.stores.relays.delete(id);
    else await this.stores.relays.setState(id, "removing", null, nowIso());
  }

  /** The relay's answer to our Follow (`followUri`), from `actorUri`; false if no subscription of ours. */
  async answered(followUri: string, actorUri: string, accepted: boolean): Promise<boolean> {
    const relay = await this.stores.relays.byFollowUri(followUri);
    if (!relay || relay.state === "removing") return relay !== undefined;
    // A LitePub relay answers as the actor we followed; a Mastodon relay's actor is learned here.
    if (relay.actor_uri && relay.actor_uri !== actorUri) return false;
    if (!relay.actor_uri && new URL(actorUri).host !== new URL(relay.inbox_url).host) return false;
    await this.stores.relays.setState(relay.id, accepted ? "accepted" : "rejected", actorUri, nowIso());
    return true;
  }

  /** Whether `actorUri` is a relay this server subscribes to (its Announces bring posts, not boosts). */
  async isSubscribedRelay(actorUri: string): Promise<boolean> {
    const relay = await this.stores.relays.byActor(actorUri);
    return relay?.state === "accepted";
  }

  /** Inboxes of accepted relays: where public posts go. */
  acceptedInboxes(): Promise<string[]> {
    return this.stores.relays.acceptedInboxes();
  }

  /** Sends the Follows and Undos due (server processes only: they federate). Returns how many went out. */
  async sendDue(now = new Date()): Promise<number> {
    let sent = 0;
    for (const relay of await this.stores.relays.due(new Date(now.getTime() - RESEND_MS).toISOString())) {
      if (relay.state === "removing") {
        await this.outbox.relayUnsubscribed(relay);
        await this.stores.relays.delete(relay.id);
        sent++;
        continue;
      }
      let target = relay;
      if (relay.protocol === "litepub" && relay.actor_uri) {
        const actor = (await this.remote.byUrl(relay.actor_uri))?.account;
        const inbox = actor?.shared_inbox_url ?? actor?.inbox_url;
        if (!inbox) continue;
        if (inbox !== relay.inbox_url) await this.stores.relays.setInbox(relay.id, inbox);
        target = { ...relay, inbox_url: inbox };
      }
      await this.outbox.relaySubscribed(target);
      await this.stores.relays.followSent(relay.id, now.toISOString());
      sent++;
    }
    return sent;
  }
}
