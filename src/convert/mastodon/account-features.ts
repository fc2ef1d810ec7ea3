// Featured tags, collections and the Profile entity (Mastodon 4.6) as the API returns them.
import type { AccountRow } from "../../store/accounts.ts";
import type { UserRow } from "../../store/users.ts";
import type { FeaturedTagRow } from "../../store/featured-tags.ts";
import type { CollectionItemRow } from "../../store/collections.ts";
import type { CollectionView } from "../../domain/accounts/collections/collection-service.ts";
import { toAccount, toCredentialAccount, type ConvertContext } from "./account.ts";
import { featuredCollectionUri } from "../activitypub/featured-collection.ts";

/** The account's page of posts with a tag, where Mastodon links a featured tag. */
function profileUrl(account: AccountRow, ctx: ConvertContext): string {
  return account.url ?? `${ctx.origin}/@${account.username}`;
}

export function toFeaturedTag(row: FeaturedTagRow, account: AccountRow, ctx: ConvertContext) {
  return {
    id: row.id,
    name: row.tag.display_name,
    url: `${profileUrl(account, ctx)}/tagged/${encodeURIComponent(row.tag.name)}`,
    statuses_count: String(row.statuses_count),
    // A date (no time), as Mastodon gives it.
    last_status_at: row.last_status_at ? row.last_status_at.slice(0, 10) : null,
  };
}

export function toCollectionItem(item: CollectionItemRow) {
  return { id: item.id, account_id: item.account_id, state: item.state, created_at: item.created_at };
}

export function toCollection(view: CollectionView, ctx: ConvertContext) {
  const c = view.collection;
  return {
    id: c.id,
    account_id: c.account_id,
    uri: featuredCollectionUri(view.owner, c.id),
    url: null,
    name: c.name,
    description: c.description,
    language: c.language,
    local: true,
    sensitive: c.sensitive === 1,
    discoverable: c.discoverable === 1,
    tag: view.tag ? { name: view.tag.display_name, url: `${ctx.origin}/tags/${encodeURIComponent(view.tag.name)}` } : null,
    item_count: view.itemCount,
    items: view.items.map(toCollectionItem),
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

/** CollectionWithAccounts: the owner and every account shown, each once. */
export function toCollectionWithAccounts(view: CollectionView, accounts: readonly AccountRow[], ctx: ConvertContext) {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const ids = [...new Set([view.owner.id, ...view.items.map((i) => i.account_id)])];
  return { collection: toCollection(view, ctx), accounts: ids.flatMap((id) => (byId.has(id) ? [toAccount(byId.get(id)!, ctx)] : [])) };
}

/** Mastodon 4.6's Profile: the editable values as written, images null when unset. */
export function toProfile(account: AccountRow, user: UserRow, featuredTags: readonly FeaturedTagRow[], ctx: ConvertContext) {
  const credential = toCredentialAccount(account, user, ctx);
  return {
    id: account.id,
    display_name: account.display_name,
    note: credential.source.note,
    fields: credential.source.fields,
    avatar: account.avatar_key ? credential.avatar : null,
    avatar_static: account.avatar_key ? credential.avatar_static : null,
    avatar_description: "",
    header: account.header_key ? credential.header : null,
    header_static: account.header_key ? credential.header_static : null,
    header_description: "",
    locked: account.locked === 1,
    bot: account.bot === 1,
    hide_collections: false,
    discoverable: account.discoverable === 1,
    indexable: account.indexable === 1,
    show_media: true,
    show_media_replies: true,
    show_featured: true,
    attribution_domains: [] as string[],
    featured_tags: featuredTags.map((t) => toFeaturedTag(t, account, ctx)),
  };
}
