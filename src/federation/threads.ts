// The fetching half of whole threads (the rule is domain/threads/thread-service.ts): one job
// completes one remote thread. From the thread's topmost stored post it first looks upwards —
// the top is fetched again to learn its `inReplyTo`, the missing parent is fetched through the
// Resolver (up to its usual five levels) and the top attached to it — then walks the thread's
// `replies` collections breadth first. Every post is stored through the Resolver, which holds
// the authorship, origin and domain-policy rules; every document comes through the signed,
// bounded document loader. Beyond those rules:
//   - a replies collection is read only on the server of the post it belongs to (that server
//     vouches for it), at most THREAD_BOUNDS.pagesPerCollection pages fetched;
//   - an item is stored only if the post, fetched from its own server, says it replies to the
//     post whose collection listed it: a collection cannot slip unrelated posts into a thread;
//   - the whole run is bounded in depth, posts, fetches and time (THREAD_BOUNDS).
import type { Context } from "@fedify/fedify";
import type { Collection, CollectionPage, Object as APObject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "./context.ts";
import type { Resolver } from "./resolver.ts";
import type { StatusRow } from "../store/statuses.ts";
import { isPostObject } from "../convert/activitypub/note.ts";
import { THREAD_BOUNDS, type ThreadJob } from "../domain/threads/thread-service.ts";

const logger = getLogger(["skein", "federation", "threads"]);

/** What one completion brought: the thread's conversation now, and the posts it added. */
export interface ThreadOutcome {
  conversationId: string;
  resultCount: number;
}

interface Node {
  status: StatusRow;
  /** The post's object, when this run already fetched it. */
  object: APObject | null;
}

/** The run's allowance of fetches, posts and time (a stopping server ends it too). */
export class Budget {
  fetches = 0;
  posts = 0;
  private readonly deadline = Date.now() + THREAD_BOUNDS.runMs;
  private readonly signal: AbortSignal | undefined;
  constructor(signal?: AbortSignal) {
    this.signal = signal;
  }
  get left(): boolean {
    return this.fetches < THREAD_BOUNDS.fetches && this.posts < THREAD_BOUNDS.posts && Date.now() < this.deadline && !this.signal?.aborted;
  }
}

export type Loader = Awaited<ReturnType<Resolver["signedLoader"]>>["documentLoader"];

export class ThreadCompletion {
  private readonly deps: FederationDeps;
  private readonly resolver: Resolver;
  private readonly context: () => Context<void>;

  constructor(deps: FederationDeps, resolver: Resolver, context: () => Context<void>) {
    this.deps = deps;
    this.resolver = resolver;
    this.context = context;
  }

  async complete(job: ThreadJob, signal?: AbortSignal): Promise<ThreadOutcome> {
    const { stores, services } = this.deps;
    const start = await stores.statuses.byId(job.rootId);
    if (!start) return { conversationId: job.conversationId, resultCount: 0 };
    const ctx = this.context();
    const { documentLoader } = await this.resolver.signedLoader(ctx);
    const budget = new Budget(signal);
    const { top, topObject, added } = await this.ancestors(ctx, documentLoader, await services.threads.topOf(start), budget);
    const replies = await this.descendants(ctx, documentLoader, { status: top, object: topObject }, budget);
    const now = (await stores.statuses.byId(top.id)) ?? top;
    logger.debug("Completed the thread of {uri}: {added} posts above, {replies} replies, {fetches} fetches", { uri: top.uri, added, replies, fetches: budget.fetches });
    return { conversationId: now.conversation_id, resultCount: added + replies };
  }

  /** Looks above the top for parents it could not have; returns the new top (and its object, if fetched). */
  private async ancestors(ctx: Context<void>, documentLoader: Loader, top: StatusRow, budget: Budget) {
    let added = 0;
    for (let round = 0; round < THREAD_BOUNDS.ancestorRounds && top.local === 0 && budget.left; round++) {
      const object = await this.fetchPost(ctx, documentLoader, top.uri, budget);
      const parentUri = object?.replyTargetId;
      if (!object || !parentUri) return { top, topObject: object, added };
      budget.fetches++;
      const parent = await this.resolver.status(ctx, parentUri);
      if (!parent || !(await this.deps.services.threads.attachParent(top, parent))) break;
      // Everything from the parent up is new to this thread.
      let above = parent;
      added++;
      for (let i = 0; i < 256 && above.in_reply_to_id; i++) {
        const next = await this.deps.stores.statuses.byId(above.in_reply_to_id);
        if (!next) break;
        above = next;
        added++;
      }
      top = above;
    }
    return { top, topObject: null, added };
  }

  /** Walks the replies breadth first from `root`; returns how many posts it stored or attached. */
  private async descendants(ctx: Context<void>, documentLoader: Loader, root: Node, budget: Budget): Promise<number> {
    const seen = new Set<string>();
    let added = 0;
    let level: Node[] = [root];
    for (let depth = 0; depth <= THREAD_BOUNDS.depth && level.length > 0 && budget.left; depth++) {
      const next: Node[] = [];
      for (const node of level) {
        if (!budget.left) break;
        if (seen.has(node.status.uri)) continue;
        seen.add(node.status.uri);
        budget.posts++;
        if (depth === THREAD_BOUNDS.depth) continue;
        // Replies stored already (delivered to us, or fetched before) are walked too: their own
        // collections may hold what never reached us.
        const stored = await this.deps.stores.statuses.replies([node.status.id], null);
        for (const reply of stored) next.push({ status: reply, object: null });
        if (node.status.local === 1) continue;
        const object = node.object ?? (await this.fetchPost(ctx, documentLoader, node.status.uri, budget));
        if (!object) continue;
        const known = new Set(stored.map((s) => s.uri));
        for (const uri of await replyUrisOf(object, documentLoader, budget)) {
          if (known.has(uri) || seen.has(uri) || !budget.left) continue;
          known.add(uri);
          const reply = await this.storeReply(ctx, documentLoader, node.status, uri, budget);
          if (reply) {
            added++;
            next.push(reply);
          }
        }
      }
      level = next;
    }
    return added;
  }

  /** Stores (or attaches) the reply at `uri` if it really answers `parent`. */
  private async storeReply(ctx: Context<void>, documentLoader: Loader, parent: StatusRow, uri: string, budget: Budget): Promise<Node | null> {
    const existing = await this.deps.stores.statuses.byUri(uri);
    // Stored and in its place: nothing to add (its replies were walked through `stored`, or it answers another post).
    if (existing && existing.in_reply_to_id !== null) return null;
    if (existing?.local === 1) return null;
    const object = await this.fetchPost(ctx, documentLoader, uri, budget);
    if (!object?.id || object.id.href !== uri || object.replyTargetId?.href !== parent.uri) return null;
    if (existing) {
      // Stored without its parent (which we could not fetch then): attached now.
      return (await this.deps.services.threads.attachParent(existing, parent)) ? { status: existing, object } : null;
    }
    const status = await this.resolver.post(ctx, object, null, 1);
    return status ? { status, object } : null;
  }

  /** A post's object, fetched from its own server (signed, bounded); null if it is none. */
  private async fetchPost(ctx: Context<void>, documentLoader: Loader, uri: string, budget: Budget): Promise<APObject | null> {
    if (!URL.canParse(uri)) return null;
    budget.fetches++;
    try {
      const object = await ctx.lookupObject(uri, { documentLoader });
      return object && isPostObject(object) ? object : null;
    } catch (error) {
      logger.info("Could not fetch {uri} for its thread: {error}", { uri, error });
      return null;
    }
  }
}

/**
 * The URIs a post's replies collection lists, read on the post's own server within the bounds:
 * the collection's own items, then its pages (an embedded first page, as Mastodon sends, costs
 * no fetch), at most THREAD_BOUNDS.pagesPerCollection of them, never leaving the post's origin.
 */
export async function replyUrisOf(object: APObject, documentLoader: Loader, budget: Budget): Promise<string[]> {
  const origin = object.id?.origin;
  const collectionId = object.repliesId;
  if (!origin || !collectionId || collectionId.origin !== origin) return [];
  const uris: string[] = [];
  const take = (ids: URL[]) => {
    for (const id of ids) if (uris.length < THREAD_BOUNDS.posts) uris.push(id.href);
  };
  try {
    const options = { documentLoader, suppressError: true };
    budget.fetches++;
    const collection: Collection | null = await object.getReplies(options);
    if (!collection || collection.id?.origin !== origin) return [];
    take(collection.itemIds);
    let page: CollectionPage | null = null;
    // Mastodon embeds the first page without an id (nothing to fetch); a page named by URL is fetched on the same server only.
    const firstId = collection.firstId;
    if (firstId === null || firstId.origin === origin) {
      if (firstId) budget.fetches++;
      page = await collection.getFirst(options);
    }
    for (let pages = firstId ? 1 : 0; page && budget.left; ) {
      take(page.itemIds);
      if (pages >= THREAD_BOUNDS.pagesPerCollection || uris.length >= THREAD_BOUNDS.posts || page.nextId?.origin !== origin) break;
      budget.fetches++;
      pages++;
      page = await page.getNext(options);
    }
  } catch (error) {
    logger.info("Could not read the replies of {uri}: {error}", { uri: object.id?.href, error });
  }
  return uris;
}
