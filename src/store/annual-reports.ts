// Data access for annual reports: the stored reports, and the figures of one account's year they
// are computed from (domain/annual-reports). A year is [start, end) as ISO timestamps.
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, AnnualReportsTable } from "../db/schema.ts";

export type AnnualReportRow = Selectable<AnnualReportsTable>;
export interface Period {
  start: string;
  end: string;
}
export interface Counted {
  key: string;
  count: number;
}

/** Leaders of a ranking kept in a report. */
const TOP = 5;

export class AnnualReportStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  byYear(accountId: string, year: number): Promise<AnnualReportRow | undefined> {
    return this.db.selectFrom("annual_reports").selectAll().where("account_id", "=", accountId).where("year", "=", year).executeTakeFirst();
  }

  /** The account's reports not yet marked read, newest year first. */
  unread(accountId: string): Promise<AnnualReportRow[]> {
    return this.db.selectFrom("annual_reports").selectAll().where("account_id", "=", accountId).where("viewed_at", "is", null).orderBy("year", "desc").execute();
  }

  /** Stores a report unless the account has one for that year. */
  async insert(row: AnnualReportRow): Promise<void> {
    await this.db.insertInto("annual_reports").values(row).onConflict((oc) => oc.columns(["account_id", "year"]).doNothing()).execute();
  }

  async markViewed(accountId: string, year: number, at: string): Promise<void> {
    await this.db.updateTable("annual_reports").set({ viewed_at: at }).where("account_id", "=", accountId).where("year", "=", year).where("viewed_at", "is", null).execute();
  }

  // --- the year's figures ----------------------------------------------------------------------

  /** Posts by kind: boosts, replies to others, replies to oneself (threads), the rest; and polls. */
  async typeCounts(accountId: string, p: Period): Promise<{ total: number; reblogs: number; replies: number; standalone: number; polls: number }> {
    const row = await this.db
      .selectFrom("statuses as s")
      .where("s.account_id", "=", accountId)
      .where("s.created_at", ">=", p.start)
      .where("s.created_at", "<", p.end)
      .select((eb) => [
        eb.fn.countAll().as("total"),
        eb.fn.sum(eb.case().when("s.reblog_of_id", "is not", null).then(1).else(0).end()).as("reblogs"),
        eb.fn.sum(eb.case().when(eb.and([eb("s.in_reply_to_id", "is not", null), eb("s.in_reply_to_account_id", "!=", accountId)])).then(1).else(0).end()).as("replies"),
        eb.fn.sum(eb.case().when(eb.and([eb("s.in_reply_to_id", "is", null), eb("s.reblog_of_id", "is", null)])).then(1).else(0).end()).as("standalone"),
        eb.fn.sum(eb.case().when(eb.exists(eb.selectFrom("polls").select("polls.id").whereRef("polls.status_id", "=", "s.id"))).then(1).else(0).end()).as("polls"),
      ])
      .executeTakeFirst();
    const n = (v: unknown) => Number(v ?? 0);
    return { total: n(row?.total), reblogs: n(row?.reblogs), replies: n(row?.replies), standalone: n(row?.standalone), polls: n(row?.polls) };
  }

  /** The account's own post (not a boost) with the most of `column`, if any has one. */
  async topStatus(accountId: string, p: Period, column: "reblogs_count" | "favourites_count" | "replies_count"): Promise<string | null> {
    const row = await this.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", accountId)
      .where("reblog_of_id", "is", null)
      .where("visibility", "in", ["public", "unlisted"])
      .where("created_at", ">=", p.start)
      .where("created_at", "<", p.end)
      .where(column, ">", 0)
      .orderBy(column, "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Posts per month (1–12) of the year, by created_at. */
  async postsPerMonth(accountId: string, p: Period): Promise<Map<number, number>> {
    return perMonth(await this.db.selectFrom("statuses").select("created_at").where("account_id", "=", accountId).where("created_at", ">=", p.start).where("created_at", "<", p.end).execute());
  }

  /** Follows the account made (`following`) or received (`followers`) per month. */
  async followsPerMonth(accountId: string, p: Period, side: "following" | "followers"): Promise<Map<number, number>> {
    const column = side === "following" ? "account_id" : "target_account_id";
    return perMonth(await this.db.selectFrom("follows").select("created_at").where(column, "=", accountId).where("created_at", ">=", p.start).where("created_at", "<", p.end).execute());
  }

  async topHashtags(accountId: string, p: Period): Promise<Counted[]> {
    const rows = await this.db
      .selectFrom("statuses as s")
      .innerJoin("status_tags as st", "st.status_id", "s.id")
      .innerJoin("tags as t", "t.id", "st.tag_id")
      .select((eb) => [eb.fn.max("t.display_name").as("key"), eb.fn.countAll().as("count")])
      .where("s.account_id", "=", accountId)
      .where("s.reblog_of_id", "is", null)
      .where("s.created_at", ">=", p.start)
      .where("s.created_at", "<", p.end)
      .groupBy("t.id")
      .orderBy(sql`count(*)`, "desc")
      .orderBy(sql`max(t.display_name)`)
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ key: String(r.key), count: Number(r.count) }));
  }

  async mostUsedApps(accountId: string, p: Period): Promise<Counted[]> {
    const rows = await this.db
      .selectFrom("statuses as s")
      .innerJoin("oauth_applications as a", "a.id", "s.application_id")
      .select((eb) => [eb.fn.max("a.name").as("key"), eb.fn.countAll().as("count")])
      .where("s.account_id", "=", accountId)
      .where("s.created_at", ">=", p.start)
      .where("s.created_at", "<", p.end)
      .groupBy("a.id")
      .orderBy(sql`count(*)`, "desc")
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ key: String(r.key), count: Number(r.count) }));
  }

  /** Accounts the account replied to most (not itself). */
  async repliedTo(accountId: string, p: Period): Promise<Counted[]> {
    const rows = await this.db
      .selectFrom("statuses")
      .select((eb) => ["in_reply_to_account_id as key_id", eb.fn.countAll().as("count")])
      .where("account_id", "=", accountId)
      .where("in_reply_to_account_id", "is not", null)
      .where("in_reply_to_account_id", "!=", accountId)
      .where("created_at", ">=", p.start)
      .where("created_at", "<", p.end)
      .groupBy("in_reply_to_account_id")
      .orderBy(sql`count(*)`, "desc")
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ key: String(r.key_id), count: Number(r.count) }));
  }

  /** Accounts whose posts the account boosted most (not its own). */
  async reblogged(accountId: string, p: Period): Promise<Counted[]> {
    const rows = await this.db
      .selectFrom("statuses as s")
      .innerJoin("statuses as o", "o.id", "s.reblog_of_id")
      .select((eb) => ["o.account_id as key_id", eb.fn.countAll().as("count")])
      .where("s.account_id", "=", accountId)
      .where("o.account_id", "!=", accountId)
      .where("s.created_at", ">=", p.start)
      .where("s.created_at", "<", p.end)
      .groupBy("o.account_id")
      .orderBy(sql`count(*)`, "desc")
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ key: String(r.key_id), count: Number(r.count) }));
  }

  /** Of the local accounts that posted in the year, how many posted more than `count` times, and how many posted. */
  async postersAbove(count: number, p: Period): Promise<{ above: number; posters: number }> {
    const perAccount = this.db
      .selectFrom("statuses")
      .select((eb) => ["account_id", eb.fn.countAll().as("n")])
      .where("local", "=", 1)
      .where("created_at", ">=", p.start)
      .where("created_at", "<", p.end)
      .groupBy("account_id")
      .as("per_account");
    const row = await this.db
      .selectFrom(perAccount)
      .select((eb) => [eb.fn.countAll().as("posters"), eb.fn.sum(eb.case().when("per_account.n", ">", count).then(1).else(0).end()).as("above")])
      .executeTakeFirst();
    return { above: Number(row?.above ?? 0), posters: Number(row?.posters ?? 0) };
  }
}

/**
 * Counts per month (1–12): the month is the 6th and 7th characters of an ISO timestamp on both
 * databases. Counting in SQL would need per-dialect date functions; one account's year of rows is
 * small, so only their timestamps come back.
 */
function perMonth(rows: readonly { created_at: string }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const row of rows) {
    const month = Number(row.created_at.slice(5, 7));
    out.set(month, (out.get(month) ?? 0) + 1);
  }
  return out;
}
