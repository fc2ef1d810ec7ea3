// Accounts ↔ ActivityStreams actors.
import { Application, Endpoints, Group, Image, Organization, Person, PropertyValue, Service, type Actor } from "@fedify/vocab";
import type { CryptographicKey, Multikey } from "@fedify/vocab";
import type { AccountRow } from "../../store/accounts.ts";
import type { RemoteActor } from "../../domain/accounts/remote-accounts.ts";
import { sanitizeRemoteHtml, stripHtml } from "./sanitize.ts";
import { instant } from "./time.ts";
import { emojisOf, toEmojiTag, type OutgoingEmoji } from "./emoji.ts";

/** What a local actor shows besides its row: its avatar and header files, the emojis its texts use. */
export interface ActorMedia {
  icon: { url: string; mediaType: string | null } | null;
  image: { url: string; mediaType: string | null } | null;
  emojis: OutgoingEmoji[];
}

export interface ActorUris {
  id: URL;
  inbox: URL;
  sharedInbox: URL;
  outbox: URL;
  followers: URL;
  following: URL;
  featured: URL;
  /** Mastodon's toot:featuredTags: the collection of hashtags featured on the profile (federation.ts serves it). */
  featuredTags?: URL;
  url: URL;
}

/** A local account as the Person (or Service) other servers fetch. */
export function toActor(account: AccountRow, uris: ActorUris, keys: { publicKey: CryptographicKey | null; assertionMethods: Multikey[] }, media?: ActorMedia) {
  const fields = (JSON.parse(account.fields) as { name: string; value: string }[]).map((f) => new PropertyValue({ name: f.name, value: f.value }));
  const values = {
    id: uris.id,
    preferredUsername: account.username,
    name: account.display_name || null,
    summary: account.note || null,
    url: uris.url,
    inbox: uris.inbox,
    outbox: uris.outbox,
    followers: uris.followers,
    following: uris.following,
    featured: uris.featured,
    featuredTags: uris.featuredTags ?? null,
    endpoints: new Endpoints({ sharedInbox: uris.sharedInbox }),
    manuallyApprovesFollowers: account.locked === 1,
    discoverable: account.discoverable === 1,
    indexable: account.indexable === 1,
    published: instant(account.created_at),
    attachments: fields,
    icon: media?.icon ? new Image({ url: new URL(media.icon.url), mediaType: media.icon.mediaType }) : account.avatar_url ? new Image({ url: new URL(account.avatar_url) }) : null,
    image: media?.image ? new Image({ url: new URL(media.image.url), mediaType: media.image.mediaType }) : account.header_url ? new Image({ url: new URL(account.header_url) }) : null,
    tags: (media?.emojis ?? []).map(toEmojiTag),
    publicKey: keys.publicKey,
    assertionMethods: keys.assertionMethods,
    aliases: account.also_known_as ? (JSON.parse(account.also_known_as) as string[]).map((u) => new URL(u)) : [],
  };
  return account.bot === 1 || account.actor_type === "Service" ? new Service(values) : new Person(values);
}

/** What a remote actor document says, made safe to store. */
export async function fromActor(actor: Actor, domain: string): Promise<RemoteActor | null> {
  if (!actor.id || !actor.preferredUsername) return null;
  const username = String(actor.preferredUsername).slice(0, 100);
  const fields: { name: string; value: string }[] = [];
  // Fields are read where they are embedded, as on Mastodon: a reference is not fetched (nor
  // does one that cannot be fetched lose the whole actor).
  for await (const attachment of actor.getAttachments({ suppressError: true, documentLoader: () => Promise.reject(new Error("not fetched")) })) {
    if (attachment instanceof PropertyValue && attachment.name && attachment.value) {
      fields.push({ name: stripHtml(String(attachment.name)).slice(0, 255), value: sanitizeRemoteHtml(String(attachment.value)) });
    }
  }
  const icon = await actor.getIcon().catch(() => null);
  const image = await actor.getImage().catch(() => null);
  const imageUrl = (img: unknown) => {
    const url = (img as Image | null)?.url;
    return url instanceof URL && (url.protocol === "https:" || url.protocol === "http:") ? url.href : null;
  };
  return {
    uri: actor.id.href,
    username,
    domain,
    url: actor.url instanceof URL ? actor.url.href : actor.id.href,
    displayName: actor.name ? stripHtml(String(actor.name)) : "",
    note: actor.summary ? sanitizeRemoteHtml(String(actor.summary)) : "",
    fields,
    locked: actor.manuallyApprovesFollowers === true,
    bot: actor instanceof Service || actor instanceof Application,
    group: actor instanceof Group || actor instanceof Organization,
    discoverable: actor.discoverable === true,
    indexable: (actor as { indexable?: boolean }).indexable === true,
    avatarUrl: imageUrl(icon),
    headerUrl: imageUrl(image),
    inboxUrl: actor.inboxId?.href ?? null,
    sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
    followersUrl: actor.followersId?.href ?? null,
    featuredUrl: actor.featuredId?.href ?? null,
    alsoKnownAs: actor.aliasIds.map((u) => u.href),
    actorType: actor.constructor.name,
    published: actor.published ? new Date(actor.published.epochMilliseconds) : null,
    emojis: await emojisOf(actor.getTags({ suppressError: true, documentLoader: () => Promise.reject(new Error("not fetched")) })),
  };
}
