// Mastodon's dashboard figures (POST /api/v1/admin/measures, dimensions, retention) and the
// public list of known servers. Tools read them before acting: FediBlockHole asks for
// `instance_follows` of a domain before suspending it, and lowers the block to a silence when
// local accounts follow someone there. Figures Skein does not track are answered honestly: a
// zero total for a measure (active users are a lower bound: only the last sign-in is kept), an
// empty list for a dimension — never invented numbers.
import type { Stores } from "../../store/stores.ts";
import type { DayCount, KeyCount, Period } from "../../store/moderation/measures.ts";
import { validationFailed } from "../errors.ts";
import { SKEIN_VERSION } from "../../version.ts";
import { parseId } from "../../util/ids.ts";
import { normalizeDomain } from "./domain-names.ts";
import type { DomainPolicy } from "./domain-policy.ts";

/** One measure as the API shows it (the converter turns numbers into Mastodon's strings). */
export interface Measure {
  key: string;
  unit: string | null;
  total: number;
  /** Only for figures counted within the period (Mastodon leaves it out for all-time totals). */
  previousTotal?: number;
  data: { date: string; value: number }[];
}

export interface Dimension {
  key: string;
  data: { key: string; humanKey: string; value: string; unit?: string; humanValue?: string }[];
}

/** Measures that need a `domain` parameter: all-time totals plus new rows per day of the period. */
const DOMAIN_MEASURES = {
  instance_accounts: "accounts",
  instance_follows: "follows",
  instance_followers: "followers",
  instance_statuses: "statuses",
  instance_reports: "reports",
} as const;

/** Mastodon's measures that Skein answers; unknown keys are left out of the answer, as Mastodon does. */
export const MEASURE_KEYS = [
  "active_users", "new_users", "interactions", "opened_reports", "resolved_reports",
  "tag_accounts", "tag_uses", "tag_servers",
  ...Object.keys(DOMAIN_MEASURES), "instance_media_attachments",
] as const;

export const DIMENSION_KEYS = [
  "languages", "sources", "servers", "space_usage", "software_versions",
  "tag_servers", "tag_languages", "instance_accounts", "instance_languages",
] as const;

const MAX_PERIOD_DAYS = 400;
const DAY_MS = 86_400_000;
const PEERS_LIMIT = 100_000;
/** Longer than any domain name (253), short enough that normalising it costs nothing. */
const MAX_DOMAIN_INPUT = 1000;

export class Measures {
  private readonly stores: Stores;
  private readonly policy: DomainPolicy;
  /** What the tag_servers dimension calls this server. */
  private readonly localDomain: string;

  constructor(stores: Stores, policy: DomainPolicy, localDomain: string) {
    this.stores = stores;
    this.policy = policy;
    this.localDomain = localDomain;
  }

  /**
   * The measures named in `keys`, for the period (absent: all-time totals and no daily data, as
   * Mastodon answers FediBlockHole, which sends no dates). `params[key]` holds a measure's own
   * parameters (`{ domain }` for the instance_* measures).
   */
  async measures(keys: string[], period: Period | null, params: Record<string, unknown>): Promise<Measure[]> {
    const out: Measure[] = [];
    for (const key of keys) {
      if (!(MEASURE_KEYS as readonly string[]).includes(key)) continue;
      out.push(await this.measure(key, period, params[key]));
    }
    return out;
  }

  private async measure(key: string, period: Period | null, own: unknown): Promise<Measure> {
    if (key in DOMAIN_MEASURES) {
      const domain = domainParam(key, own);
      const figure = DOMAIN_MEASURES[key as keyof typeof DOMAIN_MEASURES];
      const { total, days } = await this.stores.measures[figure](domain, period);
      return { key, unit: null, total, data: series(period, days) };
    }
    if (key === "instance_media_attachments") {
      domainParam(key, own);
      // Skein keeps no copy of remote media yet (it links to the origin), so a server's media
      // take no bytes here; the measure becomes real when remote media are cached.
      return { key, unit: "bytes", total: 0, data: series(period, []) };
    }
    if (!period) return { key, unit: null, total: 0, previousTotal: 0, data: [] };
    if (key.startsWith("tag_")) {
      const tagId = tagParam(key, own);
      const what = key === "tag_uses" ? "uses" : key === "tag_accounts" ? "accounts" : "servers";
      const [now, before] = await Promise.all([this.stores.measures.tagActivity(tagId, what, period), this.stores.measures.tagActivity(tagId, what, previousPeriod(period))]);
      return { key, unit: null, total: now.total, previousTotal: before.total, data: series(period, now.days) };
    }
    const previous = previousPeriod(period);
    const count = async (period: Period): Promise<{ total: number; days: DayCount[] }> => {
      switch (key) {
        case "new_users": return summed(await this.stores.measures.newUsers(period));
        case "opened_reports": return summed(await this.stores.measures.openedReports(period));
        case "resolved_reports": return summed(await this.stores.measures.resolvedReports(period));
        case "interactions": return summed(await this.stores.measures.interactions(period));
        // Skein keeps only each user's last sign-in, so the daily breakdown is not known; the
        // total counts those whose last sign-in falls in the period (a lower bound).
        default: return { total: await this.stores.measures.signedIn(period), days: [] };
      }
    };
    const [now, before] = await Promise.all([count(period), count(previous)]);
    return { key, unit: null, total: now.total, previousTotal: before.total, data: series(period, now.days) };
  }

  /** The dimensions named in `keys` (unknown keys left out), each with at most `limit` entries. */
  async dimensions(keys: string[], period: Period | null, limit: number, params: Record<string, unknown>): Promise<Dimension[]> {
    const out: Dimension[] = [];
    const range = period ?? { start: new Date(Date.now() - 30 * DAY_MS).toISOString(), end: new Date().toISOString() };
    for (const key of keys) {
      if (!(DIMENSION_KEYS as readonly string[]).includes(key)) continue;
      let data: Dimension["data"] = [];
      switch (key) {
        case "languages": data = counted(await this.stores.measures.localLanguages(range, limit)); break;
        case "servers": data = counted(await this.stores.measures.servers(range, limit)); break;
        case "instance_languages": data = counted(await this.stores.measures.domainLanguages(domainParam(key, params[key]), range, limit)); break;
        case "instance_accounts": data = counted(await this.stores.measures.domainAccounts(domainParam(key, params[key]), limit)); break;
        case "tag_languages": data = counted(await this.stores.measures.tagBreakdown(tagParam(key, params[key]), "languages", range, limit)); break;
        case "tag_servers":
          data = counted((await this.stores.measures.tagBreakdown(tagParam(key, params[key]), "servers", range, limit)).map((row) => ({ ...row, key: row.key || this.localDomain })));
          break;
        case "software_versions":
          data = [
            { key: "skein", humanKey: "Skein", value: SKEIN_VERSION, humanValue: SKEIN_VERSION },
            { key: "nodejs", humanKey: "Node.js", value: process.versions.node, humanValue: process.versions.node },
          ].slice(0, limit);
          break;
        // sources (the apps users signed up with) and space_usage (bytes per store) are not tracked.
      }
      out.push({ key, data });
    }
    return out;
  }

  /** Servers this one knows accounts from, less those it suspended (GET /api/v1/instance/peers). */
  async peers(): Promise<string[]> {
    const policy = await this.policy.fresh();
    return (await this.stores.measures.knownDomains(PEERS_LIMIT)).filter((domain) => policy.decide(domain).refusal !== "suspended");
  }
}

/** Reads start_at/end_at (both or neither); a period is at most MAX_PERIOD_DAYS long. */
export function periodOf(startAt: string | undefined, endAt: string | undefined): Period | null {
  if (!startAt && !endAt) return null;
  const start = Date.parse(startAt ?? "");
  const end = Date.parse(endAt ?? "");
  if (Number.isNaN(start)) throw validationFailed("start_at must be a date or time (ISO 8601)");
  if (Number.isNaN(end)) throw validationFailed("end_at must be a date or time (ISO 8601)");
  if (end < start) throw validationFailed("end_at must not be before start_at");
  if (end - start > MAX_PERIOD_DAYS * DAY_MS) throw validationFailed(`The period must not be longer than ${MAX_PERIOD_DAYS} days`);
  // Mastodon's series run from the first day's midnight through the last day, inclusive.
  const first = new Date(start);
  first.setUTCHours(0, 0, 0, 0);
  const last = new Date(end);
  last.setUTCHours(0, 0, 0, 0);
  return { start: first.toISOString(), end: new Date(last.getTime() + DAY_MS).toISOString() };
}

function domainParam(key: string, own: unknown): string {
  const domain = typeof own === "object" && own !== null ? (own as Record<string, unknown>).domain : undefined;
  if (typeof domain !== "string" || domain.trim() === "") throw validationFailed(`${key}[domain] is required`);
  if (domain.length > MAX_DOMAIN_INPUT) throw validationFailed(`${key}[domain] is not a domain name`);
  return normalizeDomain(domain);
}

function tagParam(key: string, own: unknown): string {
  const id = parseId(typeof own === "object" && own !== null ? (own as Record<string, unknown>).id : undefined);
  if (!id) throw validationFailed(`${key}[id] must be a hashtag's id`);
  return id;
}

function previousPeriod(period: Period): Period {
  const length = Date.parse(period.end) - Date.parse(period.start);
  return { start: new Date(Date.parse(period.start) - length).toISOString(), end: period.start };
}

function summed(days: DayCount[]): { total: number; days: DayCount[] } {
  return { total: days.reduce((sum, day) => sum + day.count, 0), days };
}

/** One point per day of the period, midnight UTC, zero where nothing happened. */
function series(period: Period | null, days: DayCount[]): Measure["data"] {
  if (!period) return [];
  const byDay = new Map(days.map((day) => [day.day, day.count]));
  const out: Measure["data"] = [];
  for (let t = Date.parse(period.start); t < Date.parse(period.end); t += DAY_MS) {
    const date = new Date(t).toISOString();
    out.push({ date, value: byDay.get(date.slice(0, 10)) ?? 0 });
  }
  return out;
}

function counted(rows: KeyCount[]): Dimension["data"] {
  return rows.map((row) => ({ key: row.key, humanKey: row.key, value: String(row.count) }));
}
