// Annual reports (Mastodon's "Wrapstodon"): a summary of one user's year computed from their own
// data — posts by kind, the most boosted, favourited and replied-to post, top hashtags, posts and
// follows per month, the apps used, whom they replied to and boosted most, how they rank among
// the server's posters, and an archetype. Generated on request (POST …/generate), then stored:
// a report does not change once made.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AnnualReportRow, Period } from "../../store/annual-reports.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";

export const ANNUAL_REPORT_SCHEMA_VERSION = 2;
/** Mastodon's figure: posts (replies and boosts included) of an average active user in a year. */
export const AVERAGE_POSTS_PER_YEAR = 113;

export type AnnualReportState = "available" | "generating" | "eligible" | "ineligible";
export type Archetype = "lurker" | "booster" | "pollster" | "replier" | "oracle";

export interface TypeCounts {
  total: number;
  reblogs: number;
  replies: number;
  standalone: number;
  polls: number;
}

/** Mastodon's rule: few posts → lurker; else what dominates, by these thresholds. */
export function archetypeOf(c: TypeCounts): Archetype {
  if (c.standalone + c.replies + c.reblogs < AVERAGE_POSTS_PER_YEAR) return "lurker";
  if (c.reblogs > c.standalone * 2) return "booster";
  if (c.polls > c.standalone * 0.1) return "pollster";
  if (c.replies > c.standalone * 2) return "replier";
  return "oracle";
}

export interface AnnualReport {
  row: AnnualReportRow;
  data: AnnualReportData;
}

export interface AnnualReportData {
  archetype: Archetype;
  time_series: { month: number; statuses: number; following: number; followers: number }[];
  top_hashtags: { name: string; count: number }[];
  top_statuses: { by_reblogs: string | null; by_favourites: string | null; by_replies: string | null };
  type_distribution: { total: number; reblogs: number; replies: number; standalone: number };
  most_used_apps: { name: string; count: number }[];
  commonly_interacted_with_accounts: { account_id: string; count: number }[];
  most_reblogged_accounts: { account_id: string; count: number }[];
  /** Share of the server's posters (in the year) who posted fewer times, in percent. */
  percentiles: number;
}

export function yearPeriod(year: number): Period {
  return { start: new Date(Date.UTC(year, 0, 1)).toISOString(), end: new Date(Date.UTC(year + 1, 0, 1)).toISOString() };
}

export class AnnualReportService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** The year as asked in a path: four digits, not before the account existed nor after this year. */
  private year(account: AccountRow, text: string): number | null {
    if (!/^\d{4}$/.test(text)) return null;
    const year = Number(text);
    const current = new Date().getUTCFullYear();
    return year >= Number(account.created_at.slice(0, 4)) && year <= current ? year : null;
  }

  async unread(account: AccountRow): Promise<AnnualReport[]> {
    return (await this.stores.annualReports.unread(account.id)).map(parse);
  }

  async get(account: AccountRow, yearText: string): Promise<AnnualReport> {
    const year = this.year(account, yearText);
    const row = year === null ? undefined : await this.stores.annualReports.byYear(account.id, year);
    if (!row) throw notFound();
    return parse(row);
  }

  /** available: generated; eligible: may be generated (a year of the account with posts in it). */
  async state(account: AccountRow, yearText: string): Promise<AnnualReportState> {
    const year = this.year(account, yearText);
    if (year === null) return "ineligible";
    if (await this.stores.annualReports.byYear(account.id, year)) return "available";
    const counts = await this.stores.annualReports.typeCounts(account.id, yearPeriod(year));
    return counts.total > 0 ? "eligible" : "ineligible";
  }

  /** Generates and stores the report (at once: it is a handful of queries over one account's year). */
  async generate(account: AccountRow, yearText: string): Promise<AnnualReport> {
    const state = await this.state(account, yearText);
    if (state === "ineligible") throw validationFailed("There is no report for this year");
    const year = Number(yearText);
    if (state === "eligible") {
      const data = await this.compute(account.id, year);
      await this.stores.annualReports.insert({ id: newId(), account_id: account.id, year, schema_version: ANNUAL_REPORT_SCHEMA_VERSION, data: JSON.stringify(data), viewed_at: null, created_at: nowIso() });
    }
    return this.get(account, yearText);
  }

  /** The accounts and posts the reports name, as far as the account may still see them. */
  async related(account: AccountRow, reports: readonly AnnualReport[]): Promise<{ accounts: AccountRow[]; statuses: StatusRow[] }> {
    const accountIds = new Set<string>();
    const statusIds = new Set<string>();
    for (const { data } of reports) {
      for (const a of [...data.commonly_interacted_with_accounts, ...data.most_reblogged_accounts]) accountIds.add(a.account_id);
      for (const id of Object.values(data.top_statuses ?? {})) if (id) statusIds.add(id);
    }
    const accounts = (await this.stores.accounts.byIds([...accountIds])).filter((a) => !a.suspended_at);
    const statuses: StatusRow[] = [];
    for (const id of statusIds) {
      const status = await this.stores.statuses.readableById(id, account.id);
      if (status) statuses.push(status);
    }
    return { accounts, statuses };
  }

  async markRead(account: AccountRow, yearText: string): Promise<void> {
    const report = await this.get(account, yearText);
    await this.stores.annualReports.markViewed(account.id, report.row.year, nowIso());
  }

  async compute(accountId: string, year: number): Promise<AnnualReportData> {
    const p = yearPeriod(year);
    const s = this.stores.annualReports;
    const counts = await s.typeCounts(accountId, p);
    const [byReblogs, byFavourites, byReplies, posts, following, followers, hashtags, apps, repliedTo, reblogged, rank] = await Promise.all([
      s.topStatus(accountId, p, "reblogs_count"),
      s.topStatus(accountId, p, "favourites_count"),
      s.topStatus(accountId, p, "replies_count"),
      s.postsPerMonth(accountId, p),
      s.followsPerMonth(accountId, p, "following"),
      s.followsPerMonth(accountId, p, "followers"),
      s.topHashtags(accountId, p),
      s.mostUsedApps(accountId, p),
      s.repliedTo(accountId, p),
      s.reblogged(accountId, p),
      s.postersAbove(counts.total, p),
    ]);
    const { polls: _polls, ...distribution } = counts;
    return {
      archetype: archetypeOf(counts),
      time_series: Array.from({ length: 12 }, (_, i) => ({ month: i + 1, statuses: posts.get(i + 1) ?? 0, following: following.get(i + 1) ?? 0, followers: followers.get(i + 1) ?? 0 })),
      top_hashtags: hashtags.map((h) => ({ name: h.key, count: h.count })),
      top_statuses: { by_reblogs: byReblogs, by_favourites: byFavourites, by_replies: byReplies },
      type_distribution: distribution,
      most_used_apps: apps.map((a) => ({ name: a.key, count: a.count })),
      commonly_interacted_with_accounts: repliedTo.map((a) => ({ account_id: a.key, count: a.count })),
      most_reblogged_accounts: reblogged.map((a) => ({ account_id: a.key, count: a.count })),
      percentiles: rank.posters === 0 ? 0 : Math.max(0, Math.round((1000 * (rank.posters - rank.above - 1)) / rank.posters) / 10),
    };
  }
}

function parse(row: AnnualReportRow): AnnualReport {
  return { row, data: JSON.parse(row.data) as AnnualReportData };
}
