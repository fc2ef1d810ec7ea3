// A collection (domain/accounts/collections) as FEP-7aa9's FeaturedCollection, the shape
// Mastodon 4.6 serves: accepted items as FeaturedItems naming the featured actor.
import type { CollectionView } from "../../domain/accounts/collections/collection-service.ts";
import type { AccountRow } from "../../store/accounts.ts";

export function featuredCollectionUri(owner: Pick<AccountRow, "uri">, collectionId: string): string {
  return `${owner.uri}/collections/${collectionId}`;
}

export function toFeaturedCollection(view: CollectionView, members: ReadonlyMap<string, AccountRow>, origin: string) {
  const c = view.collection;
  const id = featuredCollectionUri(view.owner, c.id);
  const accepted = view.items.filter((i) => i.state === "accepted" && members.has(i.account_id));
  return {
    "@context": [
      "https://www.w3.org/ns/activitystreams",
      { toot: "http://joinmastodon.org/ns#", sensitive: "as:sensitive", discoverable: "toot:discoverable", FeaturedCollection: "toot:FeaturedCollection", FeaturedItem: "toot:FeaturedItem", featuredObject: { "@id": "toot:featuredObject", "@type": "@id" }, featuredObjectType: "toot:featuredObjectType", topic: "toot:topic" },
    ],
    id,
    type: "FeaturedCollection",
    name: c.name,
    ...(c.language ? { summaryMap: { [c.language]: c.description } } : { summary: c.description }),
    attributedTo: view.owner.uri,
    sensitive: c.sensitive === 1,
    discoverable: c.discoverable === 1,
    ...(view.tag ? { topic: { type: "Hashtag", name: `#${view.tag.display_name}`, href: `${origin}/tags/${encodeURIComponent(view.tag.name)}` } } : {}),
    totalItems: accepted.length,
    orderedItems: accepted.map((i) => {
      const account = members.get(i.account_id)!;
      return { id: `${id}/items/${i.id}`, type: "FeaturedItem", featuredObject: account.uri, featuredObjectType: account.actor_type || "Person" };
    }),
    published: c.created_at,
    updated: c.updated_at,
  };
}
