// Fedify, wired to Skein: the actor, key, object and collection dispatchers other servers fetch,
// and the inbox listeners that hand what they send to the domain. The queue (for inbox jobs) and
// key–value store are Skein's own (src/queue), in the same database as everything else;
// outgoing activities go through Skein's delivery engine (delivery/), not Fedify's sender.
import { createFederation, type Context, type RequestContext } from "@fedify/fedify";
import type { AccountRow } from "../store/accounts.ts";
import { Create, Endpoints, Hashtag, Note, Question, Service, Tombstone, type Recipient } from "@fedify/vocab";
import { SKEIN_VERSION } from "../version.ts";
import { parseId } from "../util/ids.ts";
import { DatabaseKvStore } from "../queue/kv-store.ts";
import { DatabaseMessageQueue } from "../queue/fedify-queue.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import { instanceKeyPairs, keyPairsOf } from "./keys.ts";
import { toActor, type ActorMedia } from "../convert/activitypub/actor.ts";
import { outgoingEmojisIn } from "../domain/emojis/outgoing.ts";
import { imageTypeOfKey } from "../domain/media/profile-images.ts";
import { toNote } from "../convert/activitypub/note.ts";
import { outgoingAttachment } from "../convert/activitypub/attachments.ts";
import { Resolver } from "./resolver.ts";
import { boundedLoaderFactories } from "./document-loaders.ts";
import { contextFetchPolicy, fetchPolicy } from "./moderation-policy.ts";
import { registerInboxListeners } from "./inbox.ts";
import { noteQuoteParts, registerQuoteDispatchers } from "./quotes.ts";
import { registerRepliesCollection } from "./replies-collection.ts";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

export interface BuiltFederation {
  federation: SkeinFederation;
  resolver: Resolver;
}

const FOLLOWERS_PAGE = 100;
const OUTBOX_PAGE = 20;

/** The server's own actor (a Service): it signs fetches for servers in secure mode (resolver.ts names it too). */
export const INSTANCE_ACTOR = "instance.actor";

export function buildFederation(deps: FederationDeps, db: Kysely<DB>, jobs: JobQueue, heardFrom: (host: string) => void, concurrency = 16): BuiltFederation {
  const { config, stores, services } = deps;
  const kv = new DatabaseKvStore(db);
  // Production never fetches private or loopback addresses; tests federate on loopback.
  const allowPrivateAddress = config.environment === "test";
  const userAgent = { software: `Skein/${SKEIN_VERSION}`, url: new URL(config.origin) };
  const federation: SkeinFederation = createFederation<void>({
    kv,
    queue: new DatabaseMessageQueue(jobs, concurrency),
    manuallyStartQueue: true,
    origin: config.origin,
    ...boundedLoaderFactories(kv, { allowPrivateAddress, userAgent, policy: fetchPolicy(services.moderation.policy), contextPolicy: contextFetchPolicy(services.moderation.policy) }),
  });
  // Fedify refuses its allowPrivateAddress and userAgent options beside custom loaders (so that
  // a loader cannot silently drop the address check); ours apply both themselves, and its
  // WebFinger and object lookups read these two fields when they run.
  Object.assign(federation, { allowPrivateAddress, userAgent });
  const resolver = new Resolver(deps, () => federation.createContext(new URL(config.origin), undefined));

  const localAccount = async (identifier: string) => {
    const account = await stores.accounts.byUsername(identifier, null);
    return account && !account.suspended_at ? account : null;
  };

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) return instanceActorOf(ctx, config.localDomain);
      const account = await stores.accounts.byUsername(identifier, null);
      if (!account) return null;
      // A suspended account is gone for other servers: Fedify answers a Tombstone with 410.
      if (account.suspended_at) return new Tombstone({ id: ctx.getActorUri(identifier) });
      return actorOf(ctx, account, deps);
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) {
        const keys = await instanceKeyPairs(stores);
        return [keys.rsa, keys.ed25519];
      }
      // A suspended account still signs one thing: the Delete of itself when it is purged.
      const account = await stores.accounts.byUsername(identifier, null);
      if (!account) return [];
      const keys = await keyPairsOf(stores, account.id);
      return [keys.rsa, keys.ed25519];
    })
    // WebFinger names accounts case-insensitively; the actor URI uses the stored spelling.
    // acct:DOMAIN@DOMAIN is the instance actor, as on Mastodon.
    .mapHandle(async (_ctx, username) =>
      username.toLowerCase() === new URL(config.origin).hostname ? INSTANCE_ACTOR : ((await localAccount(username))?.username ?? null),
    );

  // Secure mode: objects and collections only for requests signed by a server's actor.
  const signed = async (ctx: RequestContext<void>) => !config.authorizedFetch || (await ctx.getSignedKeyOwner()) !== null;

  federation
    .setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier, cursor) => {
      const account = await localAccount(identifier);
      if (!account || !validCursor(cursor)) return null;
      const page = await stores.relationships.listAccounts("follows", "sources_of", account.id, { maxId: cursor || null, limit: FOLLOWERS_PAGE });
      const items: Recipient[] = page.map(({ account: a }) => ({
        id: new URL(a.uri),
        inboxId: a.inbox_url ? new URL(a.inbox_url) : null,
        endpoints: a.shared_inbox_url ? { sharedInbox: new URL(a.shared_inbox_url) } : null,
      }));
      return { items, nextCursor: page.length === FOLLOWERS_PAGE ? page[page.length - 1].relationId : null };
    })
    .setFirstCursor(() => "")
    .setCounter(async (_ctx, identifier) => (await localAccount(identifier))?.followers_count ?? 0)
    .authorize((ctx) => signed(ctx));

  federation
    .setFollowingDispatcher("/users/{identifier}/following", async (_ctx, identifier, cursor) => {
      const account = await localAccount(identifier);
      if (!account || !validCursor(cursor)) return null;
      const page = await stores.relationships.listAccounts("follows", "targets_of", account.id, { maxId: cursor || null, limit: FOLLOWERS_PAGE });
      return { items: page.map(({ account: a }) => new URL(a.uri)), nextCursor: page.length === FOLLOWERS_PAGE ? page[page.length - 1].relationId : null };
    })
    .setFirstCursor(() => "")
    .setCounter(async (_ctx, identifier) => (await localAccount(identifier))?.following_count ?? 0)
    .authorize((ctx) => signed(ctx));

  // The outbox lists public posts (newest first, 20 a page) as Create activities.
  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier, cursor) => {
      const account = await localAccount(identifier);
      if (!account || !validCursor(cursor)) return null;
      const rows = await stores.statuses.accountStatuses(account.id, null, { excludeReblogs: true }, { maxId: cursor || null, limit: OUTBOX_PAGE });
      const items = [];
      for (const row of rows.filter((r) => r.visibility === "public")) {
        const note = await noteOf(deps, row.id);
        if (note) items.push(new Create({ id: new URL(`${row.uri}/activity`), actor: new URL(account.uri), object: note, published: note.published, tos: note.toIds, ccs: note.ccIds }));
      }
      return { items, nextCursor: rows.length === OUTBOX_PAGE ? rows[rows.length - 1].id : null };
    })
    .setFirstCursor(() => "")
    .setCounter(async (_ctx, identifier) => (await localAccount(identifier))?.statuses_count ?? 0)
    .authorize((ctx) => signed(ctx));

  // Pinned posts (public and unlisted ones).
  federation
    .setFeaturedDispatcher("/users/{identifier}/collections/featured", async (_ctx, identifier) => {
      const account = await localAccount(identifier);
      if (!account) return null;
      const rows = await stores.statuses.accountStatuses(account.id, null, { pinnedOnly: true }, { limit: 20 });
      const notes = [];
      for (const row of rows) {
        const note = await noteOf(deps, row.id);
        if (note) notes.push(note);
      }
      return { items: notes };
    })
    .authorize((ctx) => signed(ctx));

  // Featured hashtags (Mastodon's toot:featuredTags), as Hashtag objects linking to the profile's tagged posts.
  federation
    .setFeaturedTagsDispatcher("/users/{identifier}/collections/tags", async (_ctx, identifier) => {
      const account = await localAccount(identifier);
      if (!account) return null;
      const tags = await stores.featuredTags.ofAccount(account.id);
      return { items: tags.map((t) => new Hashtag({ name: `#${t.tag.display_name}`, href: new URL(`${account.url ?? `${config.origin}/@${account.username}`}/tagged/${encodeURIComponent(t.tag.name)}`) })) };
    })
    .authorize((ctx) => signed(ctx));

  // Statuses are served at their URIs (/users/NAME/statuses/ID) — public and unlisted ones only:
  // private and direct posts are delivered to their audience, never fetched anonymously.
  federation.setObjectDispatcher(Note, "/users/{identifier}/statuses/{id}", async (_ctx, values) => {
    const account = await localAccount(values.identifier);
    const id = parseId(values.id);
    if (!account || id === null) return null;
    const status = await stores.statuses.byId(id);
    if (!status || status.account_id !== account.id || status.reblog_of_id) return null;
    if (status.visibility !== "public" && status.visibility !== "unlisted") return null;
    return noteOf(deps, status.id);
  }).authorize((ctx) => signed(ctx));

  registerQuoteDispatchers(federation, deps);
  registerRepliesCollection(federation, deps);
  registerInboxListeners(federation, deps, resolver, heardFrom);
  return { federation, resolver };
}

/**
 * Whether `path` is a document of a suspended local account below its actor (its posts, its
 * collections): gone, as Mastodon answers them, 410. (The actor itself is a Tombstone, above.)
 */
export async function isGoneLocalDocument(stores: FederationDeps["stores"], path: string): Promise<boolean> {
  const match = /^\/users\/([^/]+)\/./.exec(path);
  if (!match) return false;
  let username: string;
  try {
    username = decodeURIComponent(match[1]);
  } catch {
    return false;
  }
  if (username.length > 100) return false;
  return Boolean((await stores.accounts.byUsername(username, null))?.suspended_at);
}

/** Collection pages are named by the id they continue after; anything else names no page. */
function validCursor(cursor: string | null): boolean {
  return !cursor || parseId(cursor) !== null;
}

async function instanceActorOf(ctx: Context<void>, domain: string) {
  const keys = await ctx.getActorKeyPairs(INSTANCE_ACTOR);
  return new Service({
    id: ctx.getActorUri(INSTANCE_ACTOR),
    preferredUsername: domain,
    name: domain,
    inbox: ctx.getInboxUri(INSTANCE_ACTOR),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    manuallyApprovesFollowers: true,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  });
}

/** A local account's avatar and header files and the custom emojis its texts use, for its actor. */
async function actorMediaOf(deps: Pick<FederationDeps, "services" | "config">, account: AccountRow): Promise<ActorMedia> {
  const { mediaUrls, emojis } = deps.services;
  const file = (key: string | null) => (key ? { url: mediaUrls.stored(key), mediaType: imageTypeOfKey(key) } : null);
  const fields = JSON.parse(account.fields) as { name: string; value: string }[];
  await emojis.catalog.fresh();
  const texts = [account.display_name, account.note, ...fields.flatMap((f) => [f.name, f.value])];
  return { icon: file(account.avatar_key), image: file(account.header_key), emojis: outgoingEmojisIn((t) => emojis.catalog.find(null, t), texts, deps.config.origin, mediaUrls) };
}

/** A local account's actor document, with its public keys (and its files and emojis, given `deps`). */
export async function actorOf(ctx: Context<void>, account: AccountRow, deps?: Pick<FederationDeps, "services" | "config">) {
  const identifier = account.username;
  const keys = await ctx.getActorKeyPairs(identifier);
  return toActor(
    account,
    {
      id: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      sharedInbox: ctx.getInboxUri(),
      outbox: new URL(`${account.uri}/outbox`),
      followers: ctx.getFollowersUri(identifier),
      following: new URL(`${account.uri}/following`),
      featured: new URL(`${account.uri}/collections/featured`),
      featuredTags: ctx.getFeaturedTagsUri(identifier),
      url: new URL(account.url ?? account.uri),
    },
    { publicKey: keys[0]?.cryptographicKey ?? null, assertionMethods: keys.map((k) => k.multikey) },
    deps ? await actorMediaOf(deps, account) : undefined,
  );
}

/** The Note for a stored status, with its mentions, tags and parent. */
export async function noteOf(deps: FederationDeps, statusId: string): Promise<Note | Question | null> {
  const status = await deps.stores.statuses.byId(statusId);
  if (!status) return null;
  const [view] = await deps.services.statusViews([status], null);
  const author = view?.account ?? (await deps.stores.accounts.byId(status.account_id));
  if (!author) return null;
  const parent = status.in_reply_to_id ? await deps.stores.statuses.byId(status.in_reply_to_id) : null;
  const poll = view?.poll
    ? {
        options: view.poll.options.map((o) => ({ title: o.title, votes: o.votes_count })),
        multiple: view.poll.poll.multiple === 1,
        expiresAt: view.poll.poll.expires_at,
        votersCount: view.poll.poll.voters_count,
      }
    : null;
  // Local posts name this server's emojis (statusViews has brought the catalog up to date).
  const emojis = author.domain === null
    ? outgoingEmojisIn((t) => deps.services.emojis.catalog.find(null, t), [status.content, status.spoiler_text, ...(poll?.options.map((o) => o.title) ?? [])], deps.config.origin, deps.services.mediaUrls)
    : [];
  const attachments = (view?.media ?? []).map((m) => outgoingAttachment(m, deps.services.mediaUrls)).filter((a) => a !== null);
  const quoteParts = await noteQuoteParts(deps, status, author, view);
  return toNote({ status, author, mentioned: view?.mentions ?? [], tags: view?.tags ?? [], inReplyToUri: parent?.uri ?? null, origin: deps.config.origin, poll, emojis, attachments, quoteParts });
}
