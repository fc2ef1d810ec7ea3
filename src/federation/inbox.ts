// What other servers send us. Fedify has verified the signature (HTTP Signatures, or Linked
// Data Signatures / Object Integrity Proofs for forwarded activities) and deduplicated the
// activity by id before these run; each listener checks that the signer may do what it asks
// (only an author deletes or edits a post, only the follower undoes a follow) and hands the
// change to the domain. Whether the sender may see the post it likes, boosts, votes in or
// replies to is the domain's rule (domain/statuses/visibility.ts), checked where the change is
// made, so every way in gets it.
import { Accept, Add, Announce, Block, Create, Delete, EmojiReact, Flag, Follow, Like, Move, Reject, Remove, Undo, Update, isActor, type Activity, type Actor, type Object as APObject } from "@fedify/vocab";
import type { InboxContext } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import type { Resolver } from "./resolver.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import { fromNote, isPostObject, rememberEmbeddedObject } from "../convert/activitypub/note.ts";
import { QuoteRequest } from "@fedify/vocab";
import { QuoteInbox } from "./quotes-inbox.ts";
import { MAX_THREAD_FETCH_DEPTH } from "./resolver.ts";
import { FeaturedCollections } from "./featured.ts";
import { GroupAnnounces } from "./groups.ts";
import { fetchedOrNull } from "./fetch-failures.ts";

const logger = getLogger(["skein", "federation", "inbox"]);
/** A sender's profile older than this is fetched again when it next sends something. */
const STALE_ACTOR_MS = 24 * 3600_000;
/** Mastodon names one account and its reported posts; more than this is not a report anyone reads. */
const MAX_FLAG_OBJECTS = 200;

/**
 * `heardFrom` is told the host of every verified sender: any activity from a server shows it is
 * alive (delivery/fanout.ts revives hosts marked unavailable).
 */
export function registerInboxListeners(federation: SkeinFederation, deps: FederationDeps, resolver: Resolver, heardFrom: (host: string) => void): void {
  const { services, stores } = deps;
  // Quote posts and interaction policies (FEP-044f, GoToSocial): federation/quotes-inbox.ts.
  const quotes = new QuoteInbox(deps, resolver);
  resolver.afterPost = (ctx, object, status, depth) => quotes.stored(ctx, object, status, depth);
  // Pinned posts of remote accounts (Add/Remove to `featured`, the collection read when seen): federation/featured.ts.
  const featured = new FeaturedCollections(deps, resolver);
  resolver.afterActor = (ctx, account) => featured.refreshSoon(ctx, account);

  /** Stale senders being fetched again now (one fetch per actor at a time). */
  const refreshing = new Set<string>();
  /** The sender of an activity, stored; null when it cannot be known. */
  const senderOf = async (ctx: InboxContext<void>, activity: Activity): Promise<AccountRow | null> => {
    if (!activity.actorId) return null;
    heardFrom(activity.actorId.host);
    const known = await stores.accounts.byUri(activity.actorId.href);
    if (known && known.fetched_at) {
      if (known.suspended_at) return null;
      // A profile not fetched for a day is fetched again in the background; the activity goes on.
      if (Date.parse(known.fetched_at) < Date.now() - STALE_ACTOR_MS && !refreshing.has(known.uri)) {
        refreshing.add(known.uri);
        void resolver.account(ctx, known.uri, { refresh: true }).catch(() => null).finally(() => refreshing.delete(known.uri));
      }
      return known;
    }
    const actor = await fetchedOrNull(activity.getActor({ documentLoader: ctx.documentLoader }));
    return actor && isActor(actor) ? resolver.saveActor(actor as Actor) : null;
  };

  /** An edited post from its author (a post not stored yet is stored as new). */
  const updatePost = async (ctx: InboxContext<void>, object: APObject, author: AccountRow): Promise<void> => {
    if (!isPostObject(object) || !object.id) return;
    const status = await stores.statuses.byUri(object.id.href);
    if (!status) {
      await resolver.post(ctx, object, author);
      return;
    }
    if (status.account_id !== author.id) return;
    const parsed = await fromNote(object);
    if (!parsed) return;
    await services.remoteStatuses.update(status, parsed);
    await quotes.stored(ctx, object, status, MAX_THREAD_FETCH_DEPTH);
    await services.quotes.quotedUpdated(status);
  };
  // Groups announce their members' activities (Lemmy, Mbin, Friendica): federation/groups.ts.
  const groups = new GroupAnnounces(deps, resolver, updatePost);

  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (ctx, follow) => {
      const sender = await senderOf(ctx, follow);
      const target = follow.objectId ? await resolver.localAccount(follow.objectId) : null;
      if (!sender || !target || sender.domain === null) return;
      await services.relationships.receiveFollow(sender, target, follow.id?.href ?? null);
    })
    .on(Accept, async (ctx, accept) => {
      const sender = await senderOf(ctx, accept);
      if (!sender) return;
      if (await quotes.accept(ctx, accept, sender)) return;
      if (accept.objectId && (await services.relays.answered(accept.objectId.href, sender.uri, true))) return;
      // Our Follow ids name the request (https://us/follows/ID); fetch the object only otherwise,
      // since a Follow embedded by another server is not trusted without fetching it.
      const follower = (await followerOfOwnFollow(deps, accept.objectId, sender)) ?? (await followerNamedIn(ctx, accept, resolver));
      if (!follower) return;
      await services.relationships.receiveAccept(follower, sender);
    })
    .on(Reject, async (ctx, reject) => {
      const sender = await senderOf(ctx, reject);
      if (!sender) return;
      if (await quotes.reject(reject, sender)) return;
      if (reject.objectId && (await services.relays.answered(reject.objectId.href, sender.uri, false))) return;
      const follower = (await followerOfOwnFollow(deps, reject.objectId, sender)) ?? (await followerNamedIn(ctx, reject, resolver));
      if (follower) await services.relationships.receiveFollowEnded(follower, sender);
    })
    .on(Create, async (ctx, create) => {
      const sender = await senderOf(ctx, create);
      if (!sender) return;
      const object = await fetchedOrNull(create.getObject({ documentLoader: ctx.documentLoader }));
      if (object) await rememberEmbeddedObject(create, object);
      if (!object || !isPostObject(object)) return;
      // A reply the parent's policy refuses is not stored (and is rejected).
      if (object.replyTargetId && !(await quotes.allowed(sender, await stores.statuses.byUri(object.replyTargetId.href), "reply", object.id?.href ?? null))) return;
      await resolver.post(ctx, object, sender);
    })
    .on(Update, async (ctx, update) => {
      const sender = await senderOf(ctx, update);
      if (!sender) return;
      const object = await fetchedOrNull(update.getObject({ documentLoader: ctx.documentLoader }));
      if (object) await rememberEmbeddedObject(update, object);
      if (object && isActor(object)) {
        if (object.id?.href === sender.uri) await resolver.saveActor(object as Actor);
        return;
      }
      if (object) await updatePost(ctx, object, sender);
    })
    .on(Delete, async (ctx, del) => {
      const sender = await senderOf(ctx, del);
      const objectId = del.objectId?.href;
      if (!sender || !objectId) return;
      if (objectId === sender.uri) {
        await services.remoteAccounts.remove(sender);
        return;
      }
      // Remembered (also for a post we never had: a Delete can overtake its Create) so that a late
      // Create or Update does not bring it back; only for the sender's own server's objects.
      if (new URL(objectId).origin === new URL(sender.uri).origin) await services.tombstones.record(objectId);
      const status = await stores.statuses.byUri(objectId);
      if (status && status.account_id === sender.id) await services.remoteStatuses.remove(status);
      else if (!status) await quotes.revoked(objectId, sender);
    })
    .on(Announce, async (ctx, announce) => {
      const sender = await senderOf(ctx, announce);
      if (!sender || !announce.id || !announce.objectId) return;
      if (await groups.handle(ctx, announce, sender)) return;
      // A relay's Announce brings a post from its author's server (judged by that origin), not a boost.
      if (await services.relays.isSubscribedRelay(sender.uri)) {
        await resolver.status(ctx, announce.objectId);
        return;
      }
      const target = await resolver.status(ctx, announce.objectId);
      if (!target) return;
      if (!(await quotes.allowed(sender, target, "announce", announce.id.href))) return;
      const published = announce.published ? new Date(announce.published.epochMilliseconds) : new Date();
      await services.remoteStatuses.receiveBoost(sender, target, announce.id.href, published, "public");
    })
    .on(Like, async (ctx, like) => {
      const sender = await senderOf(ctx, like);
      const status = sender && like.objectId ? await stores.statuses.byUri(like.objectId.href) : undefined;
      if (sender && status && !(await quotes.allowed(sender, status, "like", like.id?.href ?? null))) return;
      if (sender && status) await services.remoteStatuses.receiveLike(sender, status, like.id?.href ?? null, false);
    })
    // Misskey and Pleroma reactions count as likes, as on Mastodon.
    .on(EmojiReact, async (ctx, react) => {
      const sender = await senderOf(ctx, react);
      const status = sender && react.objectId ? await stores.statuses.byUri(react.objectId.href) : undefined;
      if (sender && status) await services.remoteStatuses.receiveLike(sender, status, react.id?.href ?? null, false);
    })
    .on(QuoteRequest, (ctx, request) => quotes.request(ctx, request, senderOf))
    .on(Add, async (ctx, add) => {
      const sender = await senderOf(ctx, add);
      if (sender) await featured.add(ctx, add, sender);
    })
    .on(Remove, async (ctx, remove) => {
      const sender = await senderOf(ctx, remove);
      if (sender) await featured.remove(remove, sender);
    })
    .on(Block, async (ctx, block) => {
      const sender = await senderOf(ctx, block);
      const target = block.objectId ? await resolver.localAccount(block.objectId) : null;
      if (sender && target) await services.relationships.receiveBlock(sender, target, block.id?.href ?? null, false);
    })
    .on(Undo, async (ctx, undo) => {
      const sender = await senderOf(ctx, undo);
      if (!sender) return;
      const object = await fetchedOrNull(undo.getObject({ documentLoader: ctx.documentLoader }));
      if (object instanceof Follow) {
        const target = object.objectId ? await resolver.localAccount(object.objectId) : null;
        if (target && object.actorId?.href === sender.uri) await services.relationships.receiveFollowEnded(sender, target);
      } else if (object instanceof Announce || (!object && undo.objectId)) {
        const uri = object?.id?.href ?? undo.objectId!.href;
        const boost = await stores.statuses.byUri(uri);
        if (boost && boost.account_id === sender.id && boost.reblog_of_id) await services.remoteStatuses.remove(boost);
      } else if (object instanceof Like || object instanceof EmojiReact) {
        const status = object.objectId ? await stores.statuses.byUri(object.objectId.href) : undefined;
        if (status) await services.remoteStatuses.receiveLike(sender, status, null, true);
      } else if (object instanceof Block) {
        const target = object.objectId ? await resolver.localAccount(object.objectId) : null;
        if (target) await services.relationships.receiveBlock(sender, target, null, true);
      }
    })
    // A report from another server (domain/moderation/report-service.ts decides what it may
    // name, and drops it when that server's reports are rejected). Only what we already store is
    // looked up: a Flag never makes us fetch anything.
    .on(Flag, async (ctx, flag) => {
      const sender = await senderOf(ctx, flag);
      if (!sender) return;
      const accounts: AccountRow[] = [];
      const statuses: StatusRow[] = [];
      for (const id of flag.objectIds.slice(0, MAX_FLAG_OBJECTS)) {
        const account = await stores.accounts.byUri(id.href);
        if (account) {
          accounts.push(account);
          continue;
        }
        const status = await stores.statuses.byUri(id.href);
        if (status) statuses.push(status);
      }
      const content = flag.content === null ? "" : String(flag.content);
      await services.moderation.reports.receiveFlag(sender, { uri: flag.id?.href ?? null, accounts, statuses, content });
    })
    .on(Move, async (ctx, move) => {
      const sender = await senderOf(ctx, move);
      if (!sender || move.objectId?.href !== sender.uri || !move.targetId) return;
      const target = await resolver.account(ctx, move.targetId, { refresh: true });
      // The new account must name the old one as an alias, or anyone could steal followers.
      if (!target || !(JSON.parse(target.also_known_as ?? "[]") as string[]).includes(sender.uri)) return;
      await services.remoteAccounts.setMoved(sender, target);
      const followers = await stores.relationships.localFollowersOf(sender.id);
      for (const { account_id } of followers) {
        const follower = await stores.accounts.byId(account_id);
        if (!follower) continue;
        await services.relationships.follow(follower, target.id).catch((error) => logger.info("Could not move a follow: {error}", { error }));
        await services.relationships.unfollow(follower, sender.id).catch(() => {});
      }
    })
    .onError((_ctx, error) => {
      logger.warn("Inbox listener failed: {error}", { error });
    });
}

/** The local follower named by the Follow inside an Accept or Reject from another server. */
async function followerNamedIn(ctx: InboxContext<void>, activity: Accept | Reject, resolver: Resolver): Promise<AccountRow | null> {
  const follow = await fetchedOrNull(activity.getObject({ documentLoader: ctx.documentLoader }));
  return follow instanceof Follow && follow.actorId ? resolver.localAccount(follow.actorId) : null;
}

/** The local follower named by one of our own Follow ids (https://us/follows/ID), as the target sees it (requested or following). */
async function followerOfOwnFollow(deps: FederationDeps, objectId: URL | null, target: AccountRow): Promise<AccountRow | null> {
  if (!objectId || objectId.origin !== new URL(deps.config.origin).origin) return null;
  const requests = await deps.stores.relationships.requestsTo(target.id);
  // A pending request (Accept, Reject), or an accepted follow the target now ends (Reject: it
  // removed the follower, or blocked our server as a user's domain block does).
  const match = requests.find((r) => r.uri === objectId.href) ?? (await deps.stores.relationships.followToByUri(target.id, objectId.href));
  return match ? ((await deps.stores.accounts.byId(match.account_id)) ?? null) : null;
}
