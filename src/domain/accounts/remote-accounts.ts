// Accounts of other servers, as their actor documents describe them. Stored in the same table
// as local accounts (with a domain), so every rule that applies to accounts applies to them.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import type { LimitCheck } from "../moderation/limited-accounts.ts";
import type { IncomingEmoji } from "../emojis/emoji-service.ts";

/** What an actor document says, converted and sanitized (convert/activitypub/actor.ts). */
export interface RemoteActor {
  uri: string;
  username: string;
  domain: string;
  url: string | null;
  displayName: string;
  note: string;
  fields: { name: string; value: string }[];
  locked: boolean;
  bot: boolean;
  group: boolean;
  discoverable: boolean;
  indexable: boolean;
  avatarUrl: string | null;
  headerUrl: string | null;
  inboxUrl: string | null;
  sharedInboxUrl: string | null;
  followersUrl: string | null;
  featuredUrl: string | null;
  alsoKnownAs: string[];
  actorType: string;
  published: Date | null;
  /** Its Emoji tags (custom emojis its name, note and fields use). */
  emojis?: IncomingEmoji[];
}

export class RemoteAccountService {
  private readonly stores: Stores;
  private readonly limits: Pick<LimitCheck, "silencedAtFor"> | null;
  /** Stores the emojis an actor's texts use (services.ts plugs in EmojiService.saveRemote). */
  saveEmojis: ((domain: string, emojis: IncomingEmoji[] | undefined) => Promise<void>) | null = null;
  /** `limits`: an account of a silenced domain is stored limited (domain/moderation/limited-accounts.ts). */
  constructor(stores: Stores, limits: Pick<LimitCheck, "silencedAtFor"> | null = null) {
    this.stores = stores;
    this.limits = limits;
  }

  byUri(uri: string): Promise<AccountRow | undefined> {
    return this.stores.accounts.byUri(uri);
  }

  /** The columns an actor document sets, as of `now`. */
  private async fieldsOf(actor: RemoteActor, now: string) {
    await this.saveEmojis?.(actor.domain, actor.emojis);
    return {
      username: actor.username,
      domain: actor.domain,
      display_name: actor.displayName.slice(0, 200),
      note: actor.note,
      fields: JSON.stringify(actor.fields.slice(0, 16).map((f) => ({ name: f.name, value: f.value, verified_at: null }))),
      locked: actor.locked ? (1 as const) : (0 as const),
      bot: actor.bot ? (1 as const) : (0 as const),
      discoverable: actor.discoverable ? (1 as const) : (0 as const),
      indexable: actor.indexable ? (1 as const) : (0 as const),
      url: actor.url,
      avatar_url: actor.avatarUrl,
      header_url: actor.headerUrl,
      inbox_url: actor.inboxUrl,
      shared_inbox_url: actor.sharedInboxUrl,
      followers_url: actor.followersUrl,
      featured_url: actor.featuredUrl,
      also_known_as: JSON.stringify(actor.alsoKnownAs),
      actor_type: actor.actorType,
      fetched_at: now,
      updated_at: now,
    };
  }

  /** Creates or refreshes the account an actor document describes (null: refused, see below). */
  async save(actor: RemoteActor): Promise<AccountRow | null> {
    const now = nowIso();
    const fields = await this.fieldsOf(actor, now);
    const existing = await this.stores.accounts.byUri(actor.uri);
    if (existing) return this.updated(existing, fields);
    // The same handle on the same server under another URI (the server changed its actor URIs,
    // or re-created the account) cannot be stored beside the first (handles are unique): refused
    // here; the federation layer moves the account (`rehome`) once WebFinger confirms the handle
    // now points to the new URI, as Mastodon does. Under the same URI, it is this actor, stored
    // since the lookup above by a concurrent delivery: a new sender's first activities often
    // arrive together, and refusing it here dropped all but the first of them.
    const sameHandle = await this.stores.accounts.byUsername(actor.username, actor.domain);
    if (sameHandle) return sameHandle.uri === actor.uri ? this.updated(sameHandle, fields) : null;
    const created = actor.published && actor.published.getTime() < Date.now() ? actor.published.toISOString() : now;
    const row: AccountRow = {
      id: newId(),
      uri: actor.uri,
      ...fields,
      followers_count: 0,
      following_count: 0,
      statuses_count: 0,
      last_status_at: null,
      suspended_at: null,
      moved_to_account_id: null,
      silenced_at: this.limits ? await this.limits.silencedAtFor(actor.domain) : null,
      sensitized_at: null,
      suspension_origin: null,
      avatar_key: null, avatar_static_key: null, header_key: null, header_static_key: null,
      created_at: created,
    };
    try {
      await this.stores.accounts.insert(row);
    } catch (error) {
      // Another delivery created it a moment ago (or the same handle under a new URI).
      const raced = await this.stores.accounts.byUri(actor.uri);
      if (raced) return raced;
      throw error;
    }
    return row;
  }

  private async updated(account: AccountRow, fields: Awaited<ReturnType<RemoteAccountService["fieldsOf"]>>): Promise<AccountRow> {
    await this.stores.accounts.update(account.id, fields);
    return (await this.stores.accounts.byId(account.id))!;
  }

  /**
   * The account known under another URI now lives at `actor.uri` (its server said so through
   * WebFinger): the row moves there, keeping its posts and relationships, with the new document.
   */
  async rehome(existing: AccountRow, actor: RemoteActor): Promise<AccountRow> {
    const now = nowIso();
    await this.stores.accounts.update(existing.id, { uri: actor.uri, ...(await this.fieldsOf(actor, now)) });
    return (await this.stores.accounts.byId(existing.id))!;
  }

  /** The actor deleted itself: its content goes, as Mastodon removes it. */
  async remove(account: AccountRow): Promise<void> {
    // Suspended by its own server (not by a moderator here): no moderator can lift it.
    await this.stores.accounts.update(account.id, { suspended_at: nowIso(), suspension_origin: "remote" });
  }

  async setMoved(account: AccountRow, target: AccountRow): Promise<void> {
    await this.stores.accounts.update(account.id, { moved_to_account_id: target.id, updated_at: nowIso() });
  }
}
