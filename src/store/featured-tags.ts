// Hashtags an account features on its profile, with what its own public posts did with them.
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { TagRow } from "./statuses.ts";

export interface FeaturedTagRow {
  id: string;
  account_id: string;
  tag: TagRow;
  /** The account's public and unlisted posts (not boosts) with the tag; Mastodon's count. */
  statuses_count: number;
  last_status_at: string | null;
}

export class FeaturedTagStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** The account's featured tags, oldest first (Mastodon's order), with their counts. */
  async ofAccount(accountId: string): Promise<FeaturedTagRow[]> {
    const rows = await this.db
      .selectFrom("featured_tags")
      .innerJoin("tags", "tags.id", "featured_tags.tag_id")
      .select(["featured_tags.id as id", "featured_tags.account_id as account_id", "tags.id as tag_id", "tags.name", "tags.display_name", "tags.created_at"])
      .select((eb) => [
        eb
          .selectFrom("statuses")
          .innerJoin("status_tags", "status_tags.status_id", "statuses.id")
          .select((s) => s.fn.countAll().as("n"))
          .whereRef("status_tags.tag_id", "=", "featured_tags.tag_id")
          .whereRef("statuses.account_id", "=", "featured_tags.account_id")
          .where("statuses.visibility", "in", ["public", "unlisted"])
          .where("statuses.reblog_of_id", "is", null)
          .as("statuses_count"),
        eb
          .selectFrom("statuses")
          .innerJoin("status_tags", "status_tags.status_id", "statuses.id")
          .select((s) => s.fn.max("statuses.created_at").as("last"))
          .whereRef("status_tags.tag_id", "=", "featured_tags.tag_id")
          .whereRef("statuses.account_id", "=", "featured_tags.account_id")
          .where("statuses.visibility", "in", ["public", "unlisted"])
          .where("statuses.reblog_of_id", "is", null)
          .as("last_status_at"),
      ])
      .where("featured_tags.account_id", "=", accountId)
      .orderBy("featured_tags.id", "asc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      account_id: r.account_id,
      tag: { id: r.tag_id, name: r.name, display_name: r.display_name, created_at: r.created_at },
      // Counts come back as strings on PostgreSQL.
      statuses_count: Number(r.statuses_count ?? 0),
      last_status_at: (r.last_status_at as string | null) ?? null,
    }));
  }

  async count(accountId: string): Promise<number> {
    const row = await this.db.selectFrom("featured_tags").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Of `tagIds`, those the account features. */
  async featuredAmong(accountId: string, tagIds: readonly string[]): Promise<Set<string>> {
    if (tagIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("featured_tags").select("tag_id").where("account_id", "=", accountId).where("tag_id", "in", tagIds).execute();
    return new Set(rows.map((r) => r.tag_id));
  }

  async byId(id: string): Promise<{ id: string; account_id: string; tag_id: string } | undefined> {
    return this.db.selectFrom("featured_tags").select(["id", "account_id", "tag_id"]).where("id", "=", id).executeTakeFirst();
  }

  /** Inserts unless already featured; true when a row was added. */
  async add(row: { id: string; account_id: string; tag_id: string; created_at: string }): Promise<boolean> {
    const result = await this.db.insertInto("featured_tags").values(row).onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async remove(accountId: string, tagId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("featured_tags").where("account_id", "=", accountId).where("tag_id", "=", tagId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The tags of the account's own recent posts, most used first: suggestions for featuring. */
  async mostUsed(accountId: string, limit: number, sinceStatusCount = 500): Promise<TagRow[]> {
    // Only the latest posts are looked at, so the query stays bounded for prolific accounts.
    const recent = this.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", accountId)
      .where("reblog_of_id", "is", null)
      .orderBy("id", "desc")
      .limit(sinceStatusCount);
    const rows = await this.db
      .selectFrom("status_tags")
      .innerJoin("tags", "tags.id", "status_tags.tag_id")
      .select(["tags.id", "tags.name", "tags.display_name", "tags.created_at"])
      .select((eb) => eb.fn.countAll().as("uses"))
      .where("status_tags.status_id", "in", recent)
      .groupBy(["tags.id", "tags.name", "tags.display_name", "tags.created_at"])
      .orderBy("uses", "desc")
      .orderBy("tags.id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, display_name: r.display_name, created_at: r.created_at }));
  }
}
