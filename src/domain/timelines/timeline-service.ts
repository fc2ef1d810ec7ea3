// Reading lists of statuses: home, public, hashtag, an account's posts, favourites, bookmarks.
// Every query filters privacy in the database (store/visibility-sql.ts).
import type { Stores } from "../../store/stores.ts";
import type { StatusRow, AccountStatusesFilter } from "../../store/statuses.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { notFound } from "../errors.ts";

export class TimelineService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  home(viewerId: string, page: PageRequest): Promise<StatusRow[]> {
    return this.stores.statuses.homeTimeline(viewerId, page);
  }

  /** The viewer's direct statuses, sent and received (Mastodon's deprecated direct timeline). */
  direct(viewerId: string, page: PageRequest): Promise<StatusRow[]> {
    return this.stores.statuses.directTimeline(viewerId, page);
  }

  public(viewerId: string | null, scope: { local?: boolean; remote?: boolean; onlyMedia?: boolean }, page: PageRequest): Promise<StatusRow[]> {
    return this.stores.statuses.publicTimeline(viewerId, scope, page);
  }

  async tag(name: string, viewerId: string | null, localOnly: boolean, page: PageRequest): Promise<StatusRow[]> {
    const tag = await this.stores.statuses.tagByName(name);
    return tag ? this.stores.statuses.tagTimeline(tag.id, viewerId, localOnly, page) : [];
  }

  async account(accountId: string, viewerId: string | null, filter: Omit<AccountStatusesFilter, "taggedTagId"> & { tagged?: string }, page: PageRequest): Promise<StatusRow[]> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account || account.suspended_at) throw notFound();
    let taggedTagId: string | null = null;
    if (filter.tagged) {
      const tag = await this.stores.statuses.tagByName(filter.tagged);
      if (!tag) return [];
      taggedTagId = tag.id;
    }
    return this.stores.statuses.accountStatuses(accountId, viewerId, { ...filter, taggedTagId }, page);
  }

  /** The viewer's favourites or bookmarks; the cursor is the favourite's (bookmark's) own id. */
  saved(kind: "favourites" | "bookmarks", viewerId: string, page: PageRequest) {
    return this.stores.statusRelations.statusesOf(kind, viewerId, page);
  }
}
