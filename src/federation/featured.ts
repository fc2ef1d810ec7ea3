// Pinned posts of remote accounts (their `featured` collection). Servers announce a pin with
// `Add` and an unpin with `Remove`, targeting the actor's featured collection; an account seen
// for the first time (or refreshed) has its collection read, so its profile shows its pins from
// the start, as on Mastodon. Reading is bounded (MAX_REMOTE_PINS items, one collection page at
// a time) and happens in the background, at most once per account per SYNC_INTERVAL_MS.
import type { Context, InboxContext } from "@fedify/fedify";
import { Collection, isActor, traverseCollection, type Add, type Remove } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "./context.ts";
import type { Resolver } from "./resolver.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import { isPostObject } from "../convert/activitypub/note.ts";
import { MAX_REMOTE_PINS } from "../domain/statuses/remote-pins.ts";

const logger = getLogger(["skein", "federation", "featured"]);
const SYNC_INTERVAL_MS = 3600_000;
/** Accounts whose collection was read lately; forgotten wholesale past this size (memory stays bounded). */
const MAX_REMEMBERED = 10_000;
/** The items looked at, pinnable or not: a collection of thousands is not read to the end. */
const MAX_ITEMS_READ = MAX_REMOTE_PINS * 2;

export class FeaturedCollections {
  private readonly deps: FederationDeps;
  private readonly resolver: Resolver;
  private readonly lastSync = new Map<string, number>();

  constructor(deps: FederationDeps, resolver: Resolver) {
    this.deps = deps;
    this.resolver = resolver;
  }

  /** Whether the activity targets the sender's own featured collection. */
  private targetsFeatured(activity: Add | Remove, sender: AccountRow): boolean {
    return sender.featured_url !== null && activity.targetId?.href === sender.featured_url;
  }

  /** `Add` to featured: the sender pinned one of its posts. False if it was about something else. */
  async add(ctx: InboxContext<void>, add: Add, sender: AccountRow): Promise<boolean> {
    if (!this.targetsFeatured(add, sender) || !add.objectId) return false;
    const status = await this.resolver.status(ctx, add.objectId);
    if (status) await this.deps.services.remotePins.setPinned(sender, status, true);
    return true;
  }

  /** `Remove` from featured: the sender unpinned a post. */
  async remove(remove: Remove, sender: AccountRow): Promise<boolean> {
    if (!this.targetsFeatured(remove, sender) || !remove.objectId) return false;
    const status = await this.deps.stores.statuses.byUri(remove.objectId.href);
    if (status) await this.deps.services.remotePins.setPinned(sender, status, false);
    return true;
  }

  /** Reads the account's featured collection in the background (unless read lately). */
  refreshSoon(ctx: Context<void>, account: AccountRow): void {
    if (account.domain === null || !account.featured_url) return;
    const last = this.lastSync.get(account.id);
    if (last !== undefined && Date.now() - last < SYNC_INTERVAL_MS) return;
    if (this.lastSync.size >= MAX_REMEMBERED) this.lastSync.clear();
    this.lastSync.set(account.id, Date.now());
    this.read(ctx, account).catch((error) => logger.info("Could not read the featured collection of {uri}: {error}", { uri: account.uri, error }));
  }

  private async read(ctx: Context<void>, account: AccountRow): Promise<void> {
    const url = new URL(account.featured_url!);
    // Posts embedded in the collection are believed only when its author's server serves it.
    if (url.origin !== new URL(account.uri).origin) return;
    const { documentLoader } = await this.resolver.signedLoader(ctx);
    const collection = await ctx.lookupObject(url, { documentLoader });
    if (!(collection instanceof Collection) || isActor(collection)) return;
    const statuses: StatusRow[] = [];
    let read = 0;
    for await (const item of traverseCollection(collection, { documentLoader, suppressError: true })) {
      if (++read > MAX_ITEMS_READ || statuses.length >= MAX_REMOTE_PINS) break;
      const status = isPostObject(item) && item.attributionId?.href === account.uri
        ? await this.resolver.post(ctx, item, account)
        : item.id ? await this.resolver.status(ctx, item.id) : null;
      if (status) statuses.push(status);
    }
    await this.deps.services.remotePins.replace(account, statuses);
  }
}
