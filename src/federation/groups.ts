// Groups (Lemmy and Mbin communities, Friendica forums, PeerTube channels): a group passes on
// what its members do by announcing the *activity* — Announce(Create(Page)), Announce(Update),
// Announce(Delete) — instead of the post. The group signs only the Announce, so nothing embedded
// in it is believed: a created or updated post is fetched from its author's server (under the
// domain policy and the resolver's authorship rules) and a delete takes effect only when that
// server says the post is gone. A created post reaches the group's followers as a boost by the
// group, as Mastodon shows community posts. A Like inside an Announce counts once the member's
// server serves that Like at its id (Lemmy serves its activities); other announced activities
// (Dislike, Undo, Add…) are ignored: nothing but the member's own signature could vouch for them.
import type { InboxContext } from "@fedify/fedify";
import { Activity, Create, Delete, Like, Update, type Announce, type Object as APObject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "./context.ts";
import type { Resolver } from "./resolver.ts";
import type { AccountRow } from "../store/accounts.ts";
import { isPostObject } from "../convert/activitypub/note.ts";
import { fetchedOrNull } from "./fetch-failures.ts";

const logger = getLogger(["skein", "federation", "groups"]);

/** Applies an edited post (the inbox's Update path), once its author is known. */
export type PostUpdater = (ctx: InboxContext<void>, object: APObject, author: AccountRow) => Promise<void>;

export class GroupAnnounces {
  private readonly deps: FederationDeps;
  private readonly resolver: Resolver;
  private readonly updatePost: PostUpdater;

  constructor(deps: FederationDeps, resolver: Resolver, updatePost: PostUpdater) {
    this.deps = deps;
    this.resolver = resolver;
    this.updatePost = updatePost;
  }

  /** Handles an Announce whose object is an activity; false when the object is not one (a plain boost). */
  async handle(ctx: InboxContext<void>, announce: Announce, sender: AccountRow): Promise<boolean> {
    const inner = await fetchedOrNull(announce.getObject({ documentLoader: ctx.documentLoader }));
    if (!(inner instanceof Activity)) return false;
    if (inner instanceof Like) {
      await this.like(ctx, inner);
      return true;
    }
    // Other activities (Dislike, Undo, Add…) announced by a group cannot be checked: ignored.
    if (!(inner instanceof Create || inner instanceof Update || inner instanceof Delete)) return true;
    const objectId = inner.objectId;
    if (!objectId) return true;
    if (inner instanceof Create) {
      const status = await this.resolver.status(ctx, objectId);
      if (status && status.account_id !== sender.id && announce.id) {
        const published = announce.published ? new Date(announce.published.epochMilliseconds) : new Date();
        await this.deps.services.remoteStatuses.receiveBoost(sender, status, announce.id.href, published, "public");
      }
      return true;
    }
    const stored = await this.deps.stores.statuses.byUri(objectId.href);
    if (!stored || stored.local) return true;
    if (inner instanceof Update) {
      const fresh = await this.fetch(ctx, objectId.href);
      const author = fresh && isPostObject(fresh) && fresh.attributionId ? await this.deps.stores.accounts.byUri(fresh.attributionId.href) : undefined;
      if (fresh && author && author.id === stored.account_id) await this.updatePost(ctx, fresh, author);
      return true;
    }
    if (await this.gone(ctx, objectId.href)) await this.deps.services.remoteStatuses.remove(stored);
    return true;
  }

  /** A member's Like of a post here, believed when its own server serves it at its id. */
  private async like(ctx: InboxContext<void>, announced: Like): Promise<void> {
    const id = announced.id;
    const actorId = announced.actorId;
    if (!id || !actorId || id.origin !== actorId.origin) return;
    const fetched = await this.fetch(ctx, id.href);
    if (!(fetched instanceof Like) || fetched.actorId?.href !== actorId.href || !fetched.objectId) return;
    const status = await this.deps.stores.statuses.byUri(fetched.objectId.href);
    const actor = status ? await this.resolver.account(ctx, actorId) : null;
    if (status && actor) await this.deps.services.remoteStatuses.receiveLike(actor, status, id.href, false);
  }

  private async fetch(ctx: InboxContext<void>, uri: string): Promise<APObject | null> {
    try {
      return await ctx.lookupObject(uri, await this.resolver.signedLoader(ctx));
    } catch (error) {
      logger.info("Could not fetch {uri}: {error}", { uri, error });
      return null;
    }
  }

  /** Whether the post's own server says it no longer exists (404, 410 or a Tombstone). */
  private async gone(ctx: InboxContext<void>, uri: string): Promise<boolean> {
    const { documentLoader } = await this.resolver.signedLoader(ctx);
    try {
      const { document } = await documentLoader(uri);
      return (document as { type?: unknown } | null)?.type === "Tombstone";
    } catch (error) {
      const status = (error as { response?: Response }).response?.status;
      return status === 404 || status === 410;
    }
  }
}
