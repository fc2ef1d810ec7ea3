// Featured hashtags: up to ten tags an account shows on its profile, each with the number of its
// own public and unlisted posts using it and the date of the latest (Mastodon's FeaturedTag).
// Followers' servers hear of a change through an Update of the actor, whose `featuredTags`
// collection they then read again (Mastodon's ProcessAccountService resynchronizes it on every
// actor update). Mastodon itself sends an Add/Remove of the Hashtag; Fedify's vocabulary cannot
// put a Hashtag (a Link) as an activity's object, and the Update reaches the same end.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { FeaturedTagRow } from "../../store/featured-tags.ts";
import type { TagRow } from "../../store/statuses.ts";
import type { Outbox } from "../outbox.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { isTagName } from "../tags/tag-service.ts";

/** Mastodon's FeaturedTag::LIMIT. */
export const FEATURED_TAGS_MAX = 10;
const SUGGESTIONS = 10;

export class FeaturedTagService {
  private readonly stores: Stores;
  private readonly outbox: Outbox;
  constructor(stores: Stores, outbox: Outbox) {
    this.stores = stores;
    this.outbox = outbox;
  }

  async own(account: AccountRow): Promise<FeaturedTagRow[]> {
    return this.stores.featuredTags.ofAccount(account.id);
  }

  /** Another account's featured tags (none for a suspended account, 404 for an unknown one). */
  async ofAccount(accountId: string): Promise<{ account: AccountRow; tags: FeaturedTagRow[] }> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account) throw notFound();
    if (account.suspended_at) return { account, tags: [] };
    return { account, tags: await this.stores.featuredTags.ofAccount(account.id) };
  }

  /** Features `name` (idempotent); a name that is no hashtag is a 422. */
  async feature(account: AccountRow, name: string): Promise<FeaturedTagRow> {
    const clean = name.trim().replace(/^#/, "");
    if (!isTagName(clean)) throw validationFailed("Validation failed: Tag is invalid");
    const now = nowIso();
    const [tag] = await this.stores.statuses.ensureTags([clean], newId, now);
    const added = await this.stores.transaction(async (tx) => {
      const already = await tx.featuredTags.featuredAmong(account.id, [tag.id]);
      if (already.size > 0) return false;
      if ((await tx.featuredTags.count(account.id)) >= FEATURED_TAGS_MAX) {
        throw validationFailed(`Validation failed: You can only feature up to ${FEATURED_TAGS_MAX} hashtags`);
      }
      return tx.featuredTags.add({ id: newId(), account_id: account.id, tag_id: tag.id, created_at: now });
    });
    if (added) await this.changed(account);
    return (await this.stores.featuredTags.ofAccount(account.id)).find((f) => f.tag.id === tag.id)!;
  }

  /** DELETE /api/v1/featured_tags/:id: only one's own. */
  async removeById(account: AccountRow, id: string): Promise<void> {
    const row = await this.stores.featuredTags.byId(id);
    if (!row || row.account_id !== account.id) throw notFound();
    if (await this.stores.featuredTags.remove(account.id, row.tag_id)) await this.changed(account);
  }

  /** POST /api/v1/tags/:name/unfeature. */
  async unfeatureName(account: AccountRow, name: string): Promise<void> {
    const tag = await this.stores.statuses.tagByName(name.replace(/^#/, ""));
    if (tag && (await this.stores.featuredTags.remove(account.id, tag.id))) await this.changed(account);
  }

  /** The tags of the account's recent posts, most used first, not already featured. */
  async suggestions(account: AccountRow): Promise<TagRow[]> {
    const featured = new Set((await this.stores.featuredTags.ofAccount(account.id)).map((f) => f.tag.id));
    const used = await this.stores.featuredTags.mostUsed(account.id, SUGGESTIONS + featured.size);
    return used.filter((t) => !featured.has(t.id)).slice(0, SUGGESTIONS);
  }

  private async changed(account: AccountRow): Promise<void> {
    const fresh = (await this.stores.accounts.byId(account.id)) ?? account;
    await this.outbox.profileUpdated(fresh);
  }
}
