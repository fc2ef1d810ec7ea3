// The figures behind the admin dashboard (Mastodon's measures and dimensions) and the public
// list of known servers: counts over follows, statuses, accounts and reports, in total and per
// day. Times are ISO-8601 text on both databases, so a day is the first ten characters of one
// and a period is a text range. Queries only: which figures exist and what they mean is
// domain/moderation/measures.ts.
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";

/** A period [start, end) as ISO-8601 times. */
export interface Period {
  start: string;
  end: string;
}

export interface DayCount {
  /** "YYYY-MM-DD" */
  day: string;
  count: number;
}

export interface KeyCount {
  key: string;
  count: number;
}

/** `column` names an account of `domain` or one of its subdomains (the reach of a domain block). */
function ofDomain(column: string, domain: string) {
  const ref = sql.ref<string>(column);
  return sql<SqlBool>`(${ref} = ${domain} or ${ref} like ${`%.${domain}`})`;
}

const dayOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 10)`;

export class MeasureStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Follows from local accounts to accounts of `domain` (what suspending it would sever on this side). */
  async follows(domain: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const base = this.db
      .selectFrom("follows as f")
      .innerJoin("accounts as source", "source.id", "f.account_id")
      .innerJoin("accounts as target", "target.id", "f.target_account_id")
      .where("source.domain", "is", null)
      .where(ofDomain("target.domain", domain));
    return this.totalAndDays(base, "f.created_at", period);
  }

  /** Follows from accounts of `domain` to local accounts. */
  async followers(domain: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const base = this.db
      .selectFrom("follows as f")
      .innerJoin("accounts as source", "source.id", "f.account_id")
      .innerJoin("accounts as target", "target.id", "f.target_account_id")
      .where("target.domain", "is", null)
      .where(ofDomain("source.domain", domain));
    return this.totalAndDays(base, "f.created_at", period);
  }

  /**
   * Local accounts with a follow either way with accounts of `domain`: those that would lose a
   * follower or a followee (each counted once, however many follows it has there).
   */
  async localAccountsFollowing(domain: string): Promise<number> {
    const following = this.db
      .selectFrom("follows as f")
      .innerJoin("accounts as source", "source.id", "f.account_id")
      .innerJoin("accounts as target", "target.id", "f.target_account_id")
      .select("f.account_id as id")
      .where("source.domain", "is", null)
      .where(ofDomain("target.domain", domain));
    const followers = this.db
      .selectFrom("follows as f")
      .innerJoin("accounts as source", "source.id", "f.account_id")
      .innerJoin("accounts as target", "target.id", "f.target_account_id")
      .select("f.target_account_id as id")
      .where("target.domain", "is", null)
      .where(ofDomain("source.domain", domain));
    const row = await this.db
      .selectFrom(following.union(followers).as("local"))
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Posts stored from accounts of `domain`. */
  async statuses(domain: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const base = this.db.selectFrom("statuses as s").innerJoin("accounts as a", "a.id", "s.account_id").where(ofDomain("a.domain", domain));
    return this.totalAndDays(base, "s.created_at", period);
  }

  /** Accounts of `domain` known here. */
  async accounts(domain: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const base = this.db.selectFrom("accounts as a").where(ofDomain("a.domain", domain));
    return this.totalAndDays(base, "a.created_at", period);
  }

  /** Reports about accounts of `domain`. */
  async reports(domain: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const base = this.db.selectFrom("reports as r").innerJoin("accounts as a", "a.id", "r.target_account_id").where(ofDomain("a.domain", domain));
    return this.totalAndDays(base, "r.created_at", period);
  }

  /** Local accounts created in the period (Mastodon's new_users), per day. */
  async newUsers(period: Period): Promise<DayCount[]> {
    return this.perDay(this.db.selectFrom("users as u"), "u.created_at", period);
  }

  /** Reports filed in the period, and reports resolved in it, per day. */
  async openedReports(period: Period): Promise<DayCount[]> {
    return this.perDay(this.db.selectFrom("reports as r"), "r.created_at", period);
  }

  async resolvedReports(period: Period): Promise<DayCount[]> {
    return this.perDay(this.db.selectFrom("reports as r").where("r.action_taken_at", "is not", null), "r.action_taken_at", period);
  }

  /**
   * Favourites, boosts and replies that local posts received in the period, per day (Mastodon's
   * interactions; it counts them as they happen, Skein counts the rows that record them).
   */
  async interactions(period: Period): Promise<DayCount[]> {
    const [favourites, boosts, replies] = await Promise.all([
      this.perDay(this.db.selectFrom("favourites as f").innerJoin("statuses as s", "s.id", "f.status_id").where("s.local", "=", 1), "f.created_at", period),
      this.perDay(this.db.selectFrom("statuses as r").innerJoin("statuses as s", "s.id", "r.reblog_of_id").where("s.local", "=", 1), "r.created_at", period),
      this.perDay(this.db.selectFrom("statuses as r").innerJoin("statuses as s", "s.id", "r.in_reply_to_id").where("s.local", "=", 1), "r.created_at", period),
    ]);
    const byDay = new Map<string, number>();
    for (const day of [...favourites, ...boosts, ...replies]) byDay.set(day.day, (byDay.get(day.day) ?? 0) + day.count);
    return [...byDay].map(([day, count]) => ({ day, count }));
  }

  /**
   * A hashtag's use in the period: posts carrying it (`uses`), distinct authors (`accounts`), or
   * distinct servers, this one included (`servers`) — in total and per day.
   */
  async tagActivity(tagId: string, what: "uses" | "accounts" | "servers", period: Period): Promise<{ total: number; days: DayCount[] }> {
    const counted = what === "uses" ? sql<number>`count(*)` : what === "accounts" ? sql<number>`count(distinct s.account_id)` : sql<number>`count(distinct coalesce(a.domain, ''))`;
    const base = this.db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .where("st.tag_id", "=", tagId)
      .where("s.created_at", ">=", period.start)
      .where("s.created_at", "<", period.end);
    const [total, days] = await Promise.all([
      base.select(counted.as("n")).executeTakeFirstOrThrow(),
      base.select([dayOf("s.created_at").as("day"), counted.as("n")]).groupBy(dayOf("s.created_at")).execute(),
    ]);
    return { total: Number(total.n), days: days.map((row) => ({ day: row.day, count: Number(row.n) })) };
  }

  /** Servers ("" for this one) or languages of the posts carrying a hashtag in the period. */
  tagBreakdown(tagId: string, by: "servers" | "languages", period: Period, limit: number): Promise<KeyCount[]> {
    const base = this.db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .where("st.tag_id", "=", tagId);
    if (by === "languages") return this.grouped(base, "s.language", "s.created_at", period, limit);
    return this.groupedBy(base, sql<string>`coalesce(a.domain, '')`, "s.created_at", period, limit);
  }

  /** Local accounts that signed in during the period (their last sign-in, the only one Skein keeps). */
  async signedIn(period: Period): Promise<number> {
    const row = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("last_sign_in_at", ">=", period.start)
      .where("last_sign_in_at", "<", period.end)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Languages of posts by local accounts in the period, most used first. */
  localLanguages(period: Period, limit: number): Promise<KeyCount[]> {
    const base = this.db.selectFrom("statuses as s").where("s.local", "=", 1).where("s.reblog_of_id", "is", null);
    return this.grouped(base, "s.language", "s.created_at", period, limit);
  }

  /** Languages of posts from accounts of `domain` in the period. */
  domainLanguages(domain: string, period: Period, limit: number): Promise<KeyCount[]> {
    const base = this.db.selectFrom("statuses as s").innerJoin("accounts as a", "a.id", "s.account_id").where(ofDomain("a.domain", domain));
    return this.grouped(base, "s.language", "s.created_at", period, limit);
  }

  /** Servers whose posts arrived most in the period. */
  servers(period: Period, limit: number): Promise<KeyCount[]> {
    const base = this.db.selectFrom("statuses as s").innerJoin("accounts as a", "a.id", "s.account_id").where("a.domain", "is not", null);
    return this.grouped(base, "a.domain", "s.created_at", period, limit);
  }

  /** The accounts of `domain` with the most followers here (username → followers). */
  async domainAccounts(domain: string, limit: number): Promise<KeyCount[]> {
    const rows = await this.db
      .selectFrom("accounts as a")
      .select(["a.username", "a.domain", "a.followers_count"])
      .where(ofDomain("a.domain", domain))
      .orderBy("a.followers_count", "desc")
      .orderBy("a.id")
      .limit(limit)
      .execute();
    return rows.map((row) => ({ key: `${row.username}@${row.domain}`, count: Number(row.followers_count) }));
  }

  /** Every server an account is known from, for GET /api/v1/instance/peers (bounded, ordered). */
  async knownDomains(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom("accounts").select("domain").distinct().where("domain", "is not", null).orderBy("domain").limit(limit).execute();
    return rows.map((row) => row.domain!);
  }

  // The builders differ per figure (joins, aliases); these helpers only add a count, a day
  // grouping or a key grouping, so they take any select query.
  private async totalAndDays(base: any, column: string, period: Period | null): Promise<{ total: number; days: DayCount[] }> {
    const row: { n: unknown } = await base.select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow();
    return { total: Number(row.n), days: period ? await this.perDay(base, column, period) : [] };
  }

  private async perDay(base: any, column: string, period: Period): Promise<DayCount[]> {
    const rows: { day: string; n: unknown }[] = await base
      .select([dayOf(column).as("day"), sql<number>`count(*)`.as("n")])
      .where(sql.ref(column), ">=", period.start)
      .where(sql.ref(column), "<", period.end)
      .groupBy(dayOf(column))
      .execute();
    return rows.map((row) => ({ day: row.day, count: Number(row.n) }));
  }

  private grouped(base: any, keyColumn: string, timeColumn: string, period: Period, limit: number): Promise<KeyCount[]> {
    return this.groupedBy(base.where(sql.ref(keyColumn), "is not", null), sql.ref<string | null>(keyColumn), timeColumn, period, limit);
  }

  private async groupedBy(base: any, key: RawBuilder<string | null> | ReturnType<typeof sql.ref<string | null>>, timeColumn: string, period: Period, limit: number): Promise<KeyCount[]> {
    const rows: { key: string | null; n: unknown }[] = await base
      .select([key.as("key"), sql<number>`count(*)`.as("n")])
      .where(sql.ref(timeColumn), ">=", period.start)
      .where(sql.ref(timeColumn), "<", period.end)
      .groupBy(key)
      .orderBy(sql`count(*)`, "desc")
      .orderBy(key)
      .limit(limit)
      .execute();
    return rows.map((row) => ({ key: row.key ?? "", count: Number(row.n) }));
  }
}
