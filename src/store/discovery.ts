// Data access for discovery: trending hashtags and statuses, the profile directory, follow
// suggestions. Only public statuses count, and only accounts that opted in (discoverable) are
// listed; privacy and the reader's blocks and mutes are applied in SQL like everywhere else.
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";
import type { StatusRow, TagRow } from "./statuses.ts";
import { notDomainBlockedBy, notLimitedFor, notMutedBy, readableBy } from "./visibility-sql.ts";

export interface TagUse {
  tagId: string;
  uses: number;
  accounts: number;
}

export interface TagDayUse extends TagUse {
  /** YYYY-MM-DD (UTC). */
  day: string;
}

/** Accounts that may be shown to others: not suspended, and for local ones an approved, enabled user. */
export function listable(alias = "accounts"): Expression<SqlBool> {
  const a = sql.ref(alias);
  return sql<SqlBool>`(${a}.suspended_at is null and not exists (
    select 1 from users u where u.account_id = ${a}.id and (u.approved = 0 or u.disabled = 1)))`;
}

/** Leaves out accounts the viewer blocks or mutes, and those blocking the viewer. */
function notExcludedBy(viewerId: string | null, alias = "accounts"): Expression<SqlBool> {
  if (viewerId === null) return sql<SqlBool>`1 = 1`;
  const a = sql.ref(alias);
  return sql<SqlBool>`(not exists (
      select 1 from blocks b
      where (b.account_id = ${viewerId} and b.target_account_id = ${a}.id)
         or (b.account_id = ${a}.id and b.target_account_id = ${viewerId}))
    and not exists (
      select 1 from mutes mu where mu.account_id = ${viewerId} and mu.target_account_id = ${a}.id
        and (mu.expires_at is null or mu.expires_at > ${new Date().toISOString()})))`;
}

export class DiscoveryStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /**
   * Hashtags of public statuses (not boosts) posted since `sinceId`, ranked by how many distinct
   * accounts used them, then by uses.
   */
  async trendingTags(sinceId: string, limit: number, offset: number): Promise<TagUse[]> {
    const rows = await this.publicTagUses(sinceId)
      .select((eb) => [
        "status_tags.tag_id",
        eb.fn.countAll().as("use_count"),
        eb.fn.count("statuses.account_id").distinct().as("account_count"),
      ])
      .groupBy("status_tags.tag_id")
      .orderBy("account_count", "desc")
      .orderBy("use_count", "desc")
      .orderBy("status_tags.tag_id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({ tagId: r.tag_id, uses: Number(r.use_count), accounts: Number(r.account_count) }));
  }

  /** Hashtag uses in public statuses (not boosts) by listable accounts since `sinceId`: what tag trends count. */
  private publicTagUses(sinceId: string) {
    return this.db
      .selectFrom("status_tags")
      .innerJoin("statuses", "statuses.id", "status_tags.status_id")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .where("statuses.id", ">=", sinceId)
      .where("statuses.visibility", "=", "public")
      .where("statuses.reblog_of_id", "is", null)
      .where(listable())
      // Limited accounts do not make hashtags trend (Mastodon keeps them out of explore).
      .where("accounts.silenced_at", "is", null);
  }

  async tagsByIds(ids: readonly string[]): Promise<TagRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("tags").selectAll().where("id", "in", [...new Set(ids)]).execute();
  }

  /** Per-day uses of these tags in public statuses since `sinceId`. */
  async tagHistory(tagIds: readonly string[], sinceId: string): Promise<TagDayUse[]> {
    if (tagIds.length === 0) return [];
    const day = sql<string>`substr(statuses.created_at, 1, 10)`;
    const rows = await this.publicTagUses(sinceId)
      .select((eb) => [
        "status_tags.tag_id",
        day.as("day"),
        eb.fn.countAll().as("use_count"),
        eb.fn.count("statuses.account_id").distinct().as("account_count"),
      ])
      .where("status_tags.tag_id", "in", tagIds)
      .groupBy(["status_tags.tag_id", day])
      .execute();
    return rows.map((r) => ({ tagId: r.tag_id, day: String(r.day), uses: Number(r.use_count), accounts: Number(r.account_count) }));
  }

  /**
   * Public, original (not a reply or boost), unmarked statuses by discoverable accounts posted
   * since `sinceId`, ranked by the favourites and boosts they received since then.
   */
  async trendingStatuses(sinceId: string, viewerId: string | null, limit: number, offset: number): Promise<StatusRow[]> {
    const inner = this.db
      .selectFrom("statuses")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .selectAll("statuses")
      .select(
        sql<number>`(select count(*) from favourites f where f.status_id = statuses.id and f.id >= ${sinceId})
          + (select count(*) from statuses r where r.reblog_of_id = statuses.id and r.id >= ${sinceId})`.as("trend_score"),
      )
      .where("statuses.id", ">=", sinceId)
      .where("statuses.visibility", "=", "public")
      .where("statuses.reblog_of_id", "is", null)
      .where("statuses.in_reply_to_id", "is", null)
      .where("statuses.sensitive", "=", 0)
      .where("statuses.spoiler_text", "=", "")
      // The counters bound the candidates before the interactions in the window are counted.
      .where(sql<SqlBool>`statuses.favourites_count + statuses.reblogs_count > 0`)
      .where("accounts.discoverable", "=", 1)
      .where(listable())
      .where(readableBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId))
      .where(notLimitedFor(viewerId));
    const rows = await this.db
      .selectFrom(inner.as("t"))
      .selectAll("t")
      .where("t.trend_score", ">", 0)
      .orderBy("t.trend_score", "desc")
      .orderBy("t.id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(({ trend_score: _score, ...status }) => status as StatusRow);
  }

  /** Discoverable accounts, most recently active first or newest first. */
  async directory(viewerId: string | null, options: { order: "active" | "new"; localOnly: boolean }, limit: number, offset: number): Promise<AccountRow[]> {
    let q = this.db
      .selectFrom("accounts")
      .selectAll()
      .where("discoverable", "=", 1)
      .where(listable())
      // Limited accounts are not listed in the directory, as in Mastodon.
      .where("silenced_at", "is", null)
      .where(notExcludedBy(viewerId));
    if (options.localOnly) q = q.where("domain", "is", null);
    q = options.order === "new"
      ? q.orderBy("id", "desc")
      : q.orderBy(sql`case when last_status_at is null then 1 else 0 end`).orderBy("last_status_at", "desc").orderBy("id", "desc");
    return q.limit(limit).offset(offset).execute();
  }

  /**
   * Local discoverable accounts the viewer does not follow (nor asked to), has not dismissed,
   * and is not blocking or muting: the most followed first, then the most recently active.
   */
  async suggestions(viewerId: string, limit: number): Promise<AccountRow[]> {
    return this.db
      .selectFrom("accounts")
      .selectAll()
      .where("discoverable", "=", 1)
      .where("domain", "is", null)
      .where("id", "!=", viewerId)
      .where(listable())
      .where("silenced_at", "is", null)
      .where(notExcludedBy(viewerId))
      .where(sql<SqlBool>`not exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = accounts.id)`)
      .where(sql<SqlBool>`not exists (select 1 from follow_requests fr where fr.account_id = ${viewerId} and fr.target_account_id = accounts.id)`)
      .where(sql<SqlBool>`not exists (select 1 from suggestion_dismissals d where d.account_id = ${viewerId} and d.target_account_id = accounts.id)`)
      .orderBy("followers_count", "desc")
      .orderBy(sql`case when last_status_at is null then 1 else 0 end`)
      .orderBy("last_status_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }

  async dismissSuggestion(accountId: string, targetId: string, now: string): Promise<void> {
    await this.db
      .insertInto("suggestion_dismissals")
      .values({ account_id: accountId, target_account_id: targetId, created_at: now })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .execute();
  }
}
