// What a user's exports read: their follows, followers, blocks, mutes, domain blocks, bookmarks,
// lists and own posts, a page at a time in id order (newest first, as Mastodon writes them), so
// an export of any size is written without holding it whole. Queries only; the CSV and archive
// formats live in domain/account-data/.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { StatusRow } from "../statuses.ts";

/** An account named in an export: enough to write its address. */
export interface ExportedAccount {
  /** The relation's id (the page cursor). */
  id: string;
  username: string;
  domain: string | null;
}

export interface ExportedFollow extends ExportedAccount {
  show_reblogs: number;
  notify: number;
}

export interface ExportedMute extends ExportedAccount {
  hide_notifications: number;
}

export class AccountExportStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Accounts this one follows, newest follow first, before the relation id `before`. */
  following(accountId: string, before: string | null, limit: number): Promise<ExportedFollow[]> {
    let q = this.db
      .selectFrom("follows")
      .innerJoin("accounts", "accounts.id", "follows.target_account_id")
      .select(["follows.id as id", "accounts.username", "accounts.domain", "follows.show_reblogs", "follows.notify"])
      .where("follows.account_id", "=", accountId);
    if (before) q = q.where("follows.id", "<", before);
    return q.orderBy("follows.id", "desc").limit(limit).execute();
  }

  followers(accountId: string, before: string | null, limit: number): Promise<ExportedAccount[]> {
    let q = this.db
      .selectFrom("follows")
      .innerJoin("accounts", "accounts.id", "follows.account_id")
      .select(["follows.id as id", "accounts.username", "accounts.domain"])
      .where("follows.target_account_id", "=", accountId);
    if (before) q = q.where("follows.id", "<", before);
    return q.orderBy("follows.id", "desc").limit(limit).execute();
  }

  blocks(accountId: string, before: string | null, limit: number): Promise<ExportedAccount[]> {
    let q = this.db
      .selectFrom("blocks")
      .innerJoin("accounts", "accounts.id", "blocks.target_account_id")
      .select(["blocks.id as id", "accounts.username", "accounts.domain"])
      .where("blocks.account_id", "=", accountId);
    if (before) q = q.where("blocks.id", "<", before);
    return q.orderBy("blocks.id", "desc").limit(limit).execute();
  }

  /** Mutes still in force (a lapsed timed mute is not exported). */
  mutes(accountId: string, before: string | null, limit: number, now: string): Promise<ExportedMute[]> {
    let q = this.db
      .selectFrom("mutes")
      .innerJoin("accounts", "accounts.id", "mutes.target_account_id")
      .select(["mutes.id as id", "accounts.username", "accounts.domain", "mutes.hide_notifications"])
      .where("mutes.account_id", "=", accountId)
      .where((eb) => eb.or([eb("mutes.expires_at", "is", null), eb("mutes.expires_at", ">", now)]));
    if (before) q = q.where("mutes.id", "<", before);
    return q.orderBy("mutes.id", "desc").limit(limit).execute();
  }

  domainBlocks(accountId: string, before: string | null, limit: number): Promise<{ id: string; domain: string }[]> {
    let q = this.db.selectFrom("account_domain_blocks").select(["id", "domain"]).where("account_id", "=", accountId);
    if (before) q = q.where("id", "<", before);
    return q.orderBy("id", "desc").limit(limit).execute();
  }

  /** URIs of the posts this account bookmarked (or favourited: `likes`). */
  statusUris(table: "bookmarks" | "favourites", accountId: string, before: string | null, limit: number): Promise<{ id: string; uri: string }[]> {
    let q = this.db
      .selectFrom(table)
      .innerJoin("statuses", "statuses.id", `${table}.status_id`)
      .select([`${table}.id as id`, "statuses.uri"])
      .where(`${table}.account_id`, "=", accountId);
    if (before) q = q.where(`${table}.id`, "<", before);
    return q.orderBy(`${table}.id`, "desc").limit(limit).execute();
  }

  /** Every list of the owner with each member, list by list (members in the order they were added). */
  listMembers(ownerId: string, after: string | null, limit: number): Promise<(ExportedAccount & { title: string })[]> {
    let q = this.db
      .selectFrom("list_accounts")
      .innerJoin("lists", "lists.id", "list_accounts.list_id")
      .innerJoin("accounts", "accounts.id", "list_accounts.account_id")
      .select(["list_accounts.id as id", "lists.title", "accounts.username", "accounts.domain"])
      .where("lists.account_id", "=", ownerId);
    if (after) q = q.where("list_accounts.id", ">", after);
    return q.orderBy("list_accounts.id", "asc").limit(limit).execute();
  }

  /** The account's own public and unlisted posts (no boosts), oldest first, after `after`. */
  publicPosts(accountId: string, after: string | null, limit: number): Promise<StatusRow[]> {
    let q = this.db
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("reblog_of_id", "is", null)
      .where("visibility", "in", ["public", "unlisted"]);
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id", "asc").limit(limit).execute();
  }

  /** Remote media of the account's public and unlisted posts (Skein keeps no local copies yet). */
  mediaOf(statusIds: readonly string[]): Promise<{ status_id: string | null; remote_url: string | null; url: string | null; media_type: string | null; description: string | null }[]> {
    if (statusIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("media_attachments")
      .select(["status_id", "remote_url", "url", "media_type", "description"])
      .where("status_id", "in", statusIds)
      .orderBy("status_id")
      .orderBy("position")
      .execute();
  }
}
