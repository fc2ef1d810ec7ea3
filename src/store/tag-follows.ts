// Data access for followed hashtags and hashtag usage statistics.
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, TagFollowsTable } from "../db/schema.ts";
import type { TagRow } from "./statuses.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { idAtTime } from "../util/ids.ts";

export type TagFollowRow = Selectable<TagFollowsTable>;

export interface TagUsage {
  tagId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  uses: number;
  accounts: number;
}

export class TagFollowStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async follow(row: TagFollowRow): Promise<void> {
    await this.db.insertInto("tag_follows").values(row).onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing()).execute();
  }

  async unfollow(accountId: string, tagId: string): Promise<void> {
    await this.db.deleteFrom("tag_follows").where("account_id", "=", accountId).where("tag_id", "=", tagId).execute();
  }

  /** Of `tagIds`, those the account follows. */
  async followedAmong(accountId: string, tagIds: readonly string[]): Promise<Set<string>> {
    if (tagIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("tag_follows").select("tag_id").where("account_id", "=", accountId).where("tag_id", "in", [...tagIds]).execute();
    return new Set(rows.map((r) => r.tag_id));
  }

  /** The account's followed tags, newest follow first, paginated by the follow's id. */
  async followedBy(accountId: string, page: PageRequest): Promise<{ relationId: string; tag: TagRow }[]> {
    const q = this.db
      .selectFrom("tag_follows")
      .innerJoin("tags", "tags.id", "tag_follows.tag_id")
      .selectAll("tags")
      .select("tag_follows.id as relation_id")
      .where("tag_follows.account_id", "=", accountId);
    const rows = (await paginate(q, "tag_follows.id", page)) as (TagRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...tag }) => ({ relationId: String(relation_id), tag }));
  }

  /**
   * Local accounts following any of these tags who should get a status by `authorId` in their
   * home feed: not the author, nobody who blocks or is blocked by the author, nobody who mutes them.
   */
  async localReaders(tagIds: readonly string[], authorId: string, now: string): Promise<string[]> {
    if (tagIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("tag_follows")
      .innerJoin("accounts", "accounts.id", "tag_follows.account_id")
      .select("tag_follows.account_id")
      .distinct()
      .where("tag_follows.tag_id", "in", [...tagIds])
      .where("accounts.domain", "is", null)
      .where("tag_follows.account_id", "!=", authorId)
      .where(sql<boolean>`not exists (
        select 1 from blocks b
        where (b.account_id = tag_follows.account_id and b.target_account_id = ${authorId})
           or (b.account_id = ${authorId} and b.target_account_id = tag_follows.account_id))`)
      .where(sql<boolean>`not exists (
        select 1 from mutes mu where mu.account_id = tag_follows.account_id and mu.target_account_id = ${authorId}
          and (mu.expires_at is null or mu.expires_at > ${now}))`)
      .execute();
    return rows.map((r) => r.account_id);
  }

  /**
   * Uses per day since `since` (public and unlisted posts, boosts not counted): how many posts,
   * by how many accounts. Days without uses are absent.
   */
  async usage(tagIds: readonly string[], since: Date): Promise<TagUsage[]> {
    if (tagIds.length === 0) return [];
    const day = sql<string>`substr(statuses.created_at, 1, 10)`;
    const rows = await this.db
      .selectFrom("status_tags")
      .innerJoin("statuses", "statuses.id", "status_tags.status_id")
      .select((eb) => [
        "status_tags.tag_id",
        day.as("day"),
        eb.fn.countAll().as("uses"),
        eb.fn.count("statuses.account_id").distinct().as("accounts"),
      ])
      .where("status_tags.tag_id", "in", [...tagIds])
      .where("status_tags.status_id", ">=", idAtTime(since))
      .where("statuses.visibility", "in", ["public", "unlisted"])
      .where("statuses.reblog_of_id", "is", null)
      .groupBy(["status_tags.tag_id", day])
      .execute();
    return rows.map((r) => ({ tagId: r.tag_id, day: String(r.day), uses: Number(r.uses), accounts: Number(r.accounts) }));
  }
}
