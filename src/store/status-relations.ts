// Data access for what accounts do to statuses: favourites, bookmarks, pins, conversation mutes.
import { sql, type Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";
import type { StatusRow } from "./statuses.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { readableWithBoostBy } from "./visibility-sql.ts";
import { queryTemplate } from "../db/query-templates.ts";

export type StatusRelation = "favourites" | "bookmarks" | "status_pins";

/** A reader's flags on a page of statuses (status-views.ts), compiled once (db/query-templates.ts). */
const flagsOfStatuses = queryTemplate((db: Kysely<DB>, p: { accountId: string; statusIds: readonly string[]; conversationIds: readonly string[] | null }) => {
  const ids = sql.join(p.statusIds);
  const muted = p.conversationIds ? sql`union all select 'muted' as flag, conversation_id as id from conversation_mutes where account_id = ${p.accountId} and conversation_id in (${sql.join(p.conversationIds)})` : sql``;
  const query = sql<{ flag: "favourited" | "bookmarked" | "pinned" | "reblogged" | "muted"; id: string | number | bigint }>`select 'favourited' as flag, status_id as id from favourites where account_id = ${p.accountId} and status_id in (${ids})
      union all select 'bookmarked' as flag, status_id as id from bookmarks where account_id = ${p.accountId} and status_id in (${ids})
      union all select 'pinned' as flag, status_id as id from status_pins where account_id = ${p.accountId} and status_id in (${ids})
      union all select 'reblogged' as flag, reblog_of_id as id from statuses where account_id = ${p.accountId} and reblog_of_id in (${ids})
      ${muted}`;
  return { compile: () => query.compile(db) };
}, { keepPrepared: true });

export class StatusRelationStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Adds the relation; false if it already existed. */
  async add(table: StatusRelation, row: { id: string; account_id: string; status_id: string; uri?: string | null; created_at: string }): Promise<boolean> {
    const inserted = await this.db
      .insertInto(table)
      .values({ uri: null, ...row })
      .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Removes the relation; false if there was none. */
  async remove(table: StatusRelation, accountId: string, statusId: string): Promise<boolean> {
    const result = await this.db.deleteFrom(table).where("account_id", "=", accountId).where("status_id", "=", statusId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async count(table: StatusRelation, accountId: string): Promise<number> {
    const row = await this.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The statuses the account has this relation to, newest relation first (at most `limit`). */
  async statusIdsOf(table: StatusRelation, accountId: string, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom(table).select("status_id").where("account_id", "=", accountId).orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => r.status_id);
  }

  /** Of `statusIds`, those the account has this relation to. */
  async among(table: StatusRelation, accountId: string, statusIds: readonly string[]): Promise<Set<string>> {
    if (statusIds.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select("status_id").where("account_id", "=", accountId).where("status_id", "in", statusIds).execute();
    return new Set(rows.map((r) => r.status_id));
  }

  /** The account's favourites or bookmarks, newest first, paginated by the relation's id. */
  async statusesOf(table: StatusRelation, accountId: string, page: PageRequest): Promise<{ relationId: string; status: StatusRow }[]> {
    const q = this.db
      .selectFrom(table)
      .innerJoin("statuses", "statuses.id", `${table}.status_id` as never)
      .selectAll("statuses")
      .select(`${table}.id as relation_id` as never)
      .where(`${table}.account_id` as never, "=", accountId as never)
      .where(readableWithBoostBy(accountId));
    const rows = (await paginate(q, `${table}.id`, page)) as unknown as (StatusRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...status }) => ({ relationId: String(relation_id), status }));
  }

  /** Accounts that favourited a status, newest first. */
  async accountsOf(table: StatusRelation, statusId: string, page: PageRequest): Promise<{ relationId: string; account: AccountRow }[]> {
    const q = this.db
      .selectFrom(table)
      .innerJoin("accounts", "accounts.id", `${table}.account_id` as never)
      .selectAll("accounts")
      .select(`${table}.id as relation_id` as never)
      .where(`${table}.status_id` as never, "=", statusId as never);
    const rows = (await paginate(q, `${table}.id`, page)) as unknown as (AccountRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...account }) => ({ relationId: String(relation_id), account }));
  }

  async muteConversation(accountId: string, conversationId: string): Promise<void> {
    await this.db.insertInto("conversation_mutes").values({ account_id: accountId, conversation_id: conversationId }).onConflict((oc) => oc.columns(["account_id", "conversation_id"]).doNothing()).execute();
  }

  async unmuteConversation(accountId: string, conversationId: string): Promise<void> {
    await this.db.deleteFrom("conversation_mutes").where("account_id", "=", accountId).where("conversation_id", "=", conversationId).execute();
  }

  /**
   * Of `statusIds`, those the account favourited, bookmarked, pinned and boosted, and of
   * `conversationIds` those it muted: what a page of statuses shows of its reader, in one statement
   * (five waits for the database were five round trips, and on a busy machine each costs both
   * processes a wake-up; the statement is the five index lookups the separate ones were).
   */
  async flagsAmong(accountId: string, statusIds: readonly string[], conversationIds: readonly string[]): Promise<Record<"favourited" | "bookmarked" | "pinned" | "reblogged" | "muted", Set<string>>> {
    const flags = { favourited: new Set<string>(), bookmarked: new Set<string>(), pinned: new Set<string>(), reblogged: new Set<string>(), muted: new Set<string>() };
    if (statusIds.length === 0) return flags;
    const rows = await flagsOfStatuses(this.db, { accountId, statusIds, conversationIds: conversationIds.length ? conversationIds : null });
    for (const row of rows) flags[row.flag]?.add(String(row.id));
    return flags;
  }

  async mutedConversations(accountId: string, conversationIds: readonly string[]): Promise<Set<string>> {
    if (conversationIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("conversation_mutes").select("conversation_id").where("account_id", "=", accountId).where("conversation_id", "in", conversationIds).execute();
    return new Set(rows.map((r) => r.conversation_id));
  }
}
