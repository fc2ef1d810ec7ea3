// Turns actor and object references from other servers into local rows: fetched (through
// Fedify's document loader, with its cache), converted, sanitized and stored through the domain.
// Threads are followed upwards only a few levels, so a hostile chain of replies cannot make us
// fetch without end. A server the domain policy does not federate with resolves to nothing —
// handles, actor and post URLs alike, even ones stored before the block (until the purge job
// removes them) — and is never asked: the document loaders refuse its URLs as well.
import type { Context } from "@fedify/fedify";
import { isActor, Note, type Actor, type Object as APObject } from "@fedify/vocab";
import { stripHtml } from "../convert/activitypub/sanitize.ts";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "./context.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import { fromActor } from "../convert/activitypub/actor.ts";
import { fromNote, isPostObject, visibilityOf } from "../convert/activitypub/note.ts";
import type { RemoteLookup } from "../domain/remote-lookup.ts";
import { destinationRefusal, type OutboundPolicy } from "../net/connection-guard.ts";
import { ipLiteralOf } from "../net/address-policy.ts";
import { federationPolicy } from "./http-client.ts";
import { fetchPolicy } from "./moderation-policy.ts";
import type { FetchPolicy } from "./document-loaders.ts";

type RemoteLookupTarget = FederationDeps["services"]["remoteAccounts"];

/** Kept here (not imported from federation.ts) to avoid an import cycle. */
const INSTANCE_ACTOR = "instance.actor";

const logger = getLogger(["skein", "federation", "resolver"]);

export const MAX_THREAD_FETCH_DEPTH = 5;
const MAX_MENTIONS_RESOLVED = 20;
const REFRESH_AFTER_MS = 24 * 3600 * 1000;

export class Resolver implements RemoteLookup {
  private readonly deps: FederationDeps;
  private readonly context: () => Context<void>;
  private readonly outbound: OutboundPolicy;
  private readonly policy: FetchPolicy;
  /** Told of every remote post stored (federation/quotes-inbox.ts: its quote and interaction policy), with the fetch depth left. */
  afterPost: ((ctx: Context<void>, object: APObject, status: StatusRow | null, depth: number) => Promise<void>) | null = null;
  /** Told of every remote account stored or refreshed (federation/featured.ts reads its pinned posts); must not wait on the network. */
  afterActor: ((ctx: Context<void>, account: AccountRow) => void) | null = null;
  constructor(deps: FederationDeps, context: () => Context<void>) {
    this.deps = deps;
    this.context = context;
    this.outbound = federationPolicy(deps.config.testHosts, deps.config.environment === "test");
    this.policy = fetchPolicy(deps.services.moderation.policy);
  }

  /** Whether the domain policy refuses the host of `uri` (a URL or a bare host name). */
  private async refused(uri: string | URL): Promise<boolean> {
    const host = uri instanceof URL ? uri.hostname : URL.canParse(uri) ? new URL(uri).hostname : uri;
    return (await this.policy(host)) !== null;
  }

  /** Fetches signed by the instance actor, so servers in secure mode answer them. */
  async signedLoader(ctx: Context<void>) {
    return { documentLoader: await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR }) };
  }

  // --- the domain's RemoteLookup port ---------------------------------------------------

  accountByHandle(handle: string): Promise<AccountRow | null> {
    return this.byHandle(this.context(), handle);
  }

  refreshAccount(uri: string): Promise<AccountRow | null> {
    return this.account(this.context(), uri, { refresh: true });
  }

  async byUrl(url: string): Promise<{ account?: AccountRow; status?: StatusRow } | null> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
    if (await this.refused(parsed)) return null;
    const status = await this.deps.stores.statuses.byUri(parsed.href);
    if (status) return { status };
    const account = await this.deps.stores.accounts.byUri(parsed.href);
    if (account) return { account };
    if (this.isLocal(parsed)) return null;
    const ctx = this.context();
    try {
      const object = await ctx.lookupObject(parsed.href, await this.signedLoader(ctx));
      if (isActor(object)) {
        const saved = await this.saveActor(object);
        return saved ? { account: saved } : null;
      }
      if (isPostObject(object)) {
        const saved = await this.post(ctx, object, null);
        return saved ? { status: saved } : null;
      }
    } catch (error) {
      logger.info("Could not resolve {url}: {error}", { url: parsed.href, error });
    }
    return null;
  }

  private isLocal(uri: string | URL): boolean {
    return new URL(uri).origin === new URL(this.deps.config.origin).origin;
  }

  /** A local account by its actor URI. */
  async localAccount(uri: string | URL): Promise<AccountRow | null> {
    if (!this.isLocal(uri)) return null;
    const account = await this.deps.stores.accounts.byUri(new URL(uri).href);
    return account && account.domain === null && !account.suspended_at ? account : null;
  }

  /** Stores (or refreshes) the account an actor object describes. */
  async saveActor(actor: Actor): Promise<AccountRow | null> {
    if (!actor.id) return null;
    if (this.isLocal(actor.id)) return this.localAccount(actor.id);
    if (await this.refused(actor.id)) return null;
    const parsed = await fromActor(actor, actor.id.host);
    if (!parsed) return null;
    const inboxUrl = await this.acceptableInbox(parsed.inboxUrl, actor.id);
    const sharedInboxUrl = await this.acceptableInbox(parsed.sharedInboxUrl, actor.id);
    const document = { ...parsed, inboxUrl, sharedInboxUrl };
    const saved = (await this.deps.services.remoteAccounts.save(document)) ?? (await this.rehomed(document));
    if (saved && this.afterActor) this.afterActor(this.context(), saved);
    return saved;
  }

  /**
   * An actor whose handle is already taken by an account under another URI: the account moves to
   * the new URI if WebFinger on the handle's server now names it (the server re-created the
   * account or changed its URIs), as Mastodon does; otherwise the newcomer is refused.
   */
  private async rehomed(actor: Parameters<RemoteLookupTarget["save"]>[0]): Promise<AccountRow | null> {
    const existing = await this.deps.stores.accounts.byUsername(actor.username, actor.domain);
    if (!existing || existing.uri === actor.uri) return null;
    const descriptor = await this.context().lookupWebFinger(`acct:${actor.username}@${actor.domain}`).catch(() => null);
    const self = descriptor?.links?.find((l) => l.rel === "self" && (l.type === "application/activity+json" || l.type?.startsWith("application/ld+json")));
    if (self?.href !== actor.uri) {
      logger.warn("Refused {uri}: the handle {handle} belongs to {existing}", { uri: actor.uri, handle: `${actor.username}@${actor.domain}`, existing: existing.uri });
      return null;
    }
    logger.info("The account {handle} moved from {old} to {uri} (WebFinger confirms)", { handle: `${actor.username}@${actor.domain}`, old: existing.uri, uri: actor.uri });
    return this.deps.services.remoteAccounts.rehome(existing, actor);
  }

  /**
   * An actor's inbox (or shared inbox) as it may be stored, or null. Every delivery to it is
   * checked again when it connects (net/connection-guard.ts); this keeps an actor from parking
   * a private address in our database to begin with. Refused: anything but https (http in
   * tests), an IP literal that is not public, and — when the inbox is on another host than the
   * actor, which its own server's answer does not vouch for — a host that does not resolve to
   * public addresses only. Cross-host inboxes on public hosts stay: bridges and relays use them.
   *
   * A refused inbox is dropped and the actor kept: its posts can still be read and shown, and
   * nothing is delivered to it (a shared inbox dropped falls back to the personal one).
   */
  private async acceptableInbox(inbox: string | null, actorId: URL): Promise<string | null> {
    if (inbox === null) return null;
    const url = URL.canParse(inbox) ? new URL(inbox) : null;
    const testing = this.deps.config.environment === "test";
    let reason: string | null = null;
    if (!url || !(url.protocol === "https:" || (testing && url.protocol === "http:"))) reason = "not an https URL";
    else if (url.hostname !== actorId.hostname || ipLiteralOf(url.hostname) !== null) reason = await destinationRefusal(url, this.outbound);
    if (reason === null) return inbox;
    logger.warn("Dropped the inbox {inbox} of {actor}: {reason}", { inbox: inbox.slice(0, 200), actor: actorId.href, reason });
    return null;
  }

  /** The account for an actor URI: known, or fetched now (and refreshed when stale). */
  async account(ctx: Context<void>, uri: string | URL, options: { refresh?: boolean } = {}): Promise<AccountRow | null> {
    const href = new URL(uri).href;
    if (this.isLocal(href)) return this.localAccount(href);
    if (await this.refused(href)) return null;
    const known = await this.deps.stores.accounts.byUri(href);
    const stale = !known?.fetched_at || Date.parse(known.fetched_at) < Date.now() - REFRESH_AFTER_MS;
    if (known && !stale && !options.refresh) return known;
    try {
      const object = await ctx.lookupObject(href, await this.signedLoader(ctx));
      if (isActor(object)) return (await this.saveActor(object)) ?? known ?? null;
    } catch (error) {
      logger.info("Could not fetch actor {uri}: {error}", { uri: href, error });
    }
    return known ?? null;
  }

  /** `user@domain` (or an acct: URI) through WebFinger. */
  async byHandle(ctx: Context<void>, handle: string): Promise<AccountRow | null> {
    const [username, domain] = handle.replace(/^acct:/, "").replace(/^@/, "").split("@");
    if (!username || !domain) return null;
    if (domain.toLowerCase() === this.deps.config.localDomain) return (await this.deps.stores.accounts.byUsername(username, null)) ?? null;
    if (await this.refused(domain.toLowerCase())) return null;
    const known = await this.deps.stores.accounts.byUsername(username, domain.toLowerCase());
    if (known && known.fetched_at && Date.parse(known.fetched_at) > Date.now() - REFRESH_AFTER_MS) return known;
    try {
      const object = await ctx.lookupObject(`acct:${username}@${domain}`, await this.signedLoader(ctx));
      if (isActor(object)) return await this.saveActor(object);
    } catch (error) {
      logger.info("Could not look up {handle}: {error}", { handle, error });
    }
    return known ?? null;
  }

  /** A status by URI: ours, already stored, or fetched (up to `depth` parents up the thread). */
  async status(ctx: Context<void>, uri: string | URL, depth = MAX_THREAD_FETCH_DEPTH): Promise<StatusRow | null> {
    const href = new URL(uri).href;
    if (!this.isLocal(href) && (await this.refused(href))) return null;
    const known = await this.deps.stores.statuses.byUri(href);
    if (known) return known;
    if (this.isLocal(href) || depth <= 0) return null;
    try {
      const object = await ctx.lookupObject(href, await this.signedLoader(ctx));
      if (isPostObject(object)) return await this.post(ctx, object, null, depth - 1);
    } catch (error) {
      logger.info("Could not fetch {uri}: {error}", { uri: href, error });
    }
    return null;
  }

  /**
   * Stores a remote post. `sender`, when the post came inside an activity, must be its author:
   * nobody may publish in someone else's name.
   */
  async post(ctx: Context<void>, object: APObject, sender: AccountRow | null, depth = MAX_THREAD_FETCH_DEPTH): Promise<StatusRow | null> {
    if (!isPostObject(object) || !object.id) return null;
    // Deleted by its author: a late Create, Update or fetch does not bring it back (domain/pruning/tombstones.ts).
    if (await this.deps.services.tombstones.isDeleted(object.id.href)) return null;
    // A vote in one of our polls: counted, not stored as a post.
    if (sender && object instanceof Note && object.name && object.contents.length === 0 && object.replyTargetId) {
      const target = await this.deps.stores.statuses.byUri(object.replyTargetId.href);
      if (target?.local) await this.deps.services.polls.receiveRemoteVote(sender, target.id, stripHtml(String(object.name)), object.id.href);
      return null;
    }
    const parsed = await fromNote(object);
    const authorUri = object.attributionId;
    if (!parsed || !authorUri) return null;
    if (sender && sender.uri !== authorUri.href) {
      logger.warn("Refused {uri}: sent by {sender} but attributed to {author}", { uri: parsed.uri, sender: sender.uri, author: authorUri.href });
      return null;
    }
    if (await this.refused(authorUri)) return null;
    if (new URL(parsed.uri).origin !== authorUri.origin) {
      logger.warn("Refused {uri}: not on its author's server {author}", { uri: parsed.uri, author: authorUri.href });
      return null;
    }
    const author = sender ?? (await this.account(ctx, authorUri));
    if (!author || author.suspended_at) return null;
    const inReplyTo = parsed.inReplyToUri ? await this.status(ctx, parsed.inReplyToUri, depth) : null;
    const mentioned: AccountRow[] = [];
    for (const mention of parsed.mentionUris.slice(0, MAX_MENTIONS_RESOLVED)) {
      const account = await this.account(ctx, mention);
      if (account) mentioned.push(account);
    }
    const stored = await this.deps.services.remoteStatuses.receive({
      uri: parsed.uri,
      url: parsed.url,
      author,
      content: parsed.content,
      spoilerText: parsed.spoilerText,
      sensitive: parsed.sensitive,
      visibility: visibilityOf(object, author.followers_url),
      language: parsed.language,
      inReplyTo,
      mentioned,
      tags: parsed.tags,
      published: parsed.published,
      updated: parsed.updated,
      attachments: parsed.attachments,
      poll: parsed.poll,
      emojis: parsed.emojis,
    });
    if (this.afterPost) await this.afterPost(ctx, object, stored, depth);
    return stored;
  }
}
