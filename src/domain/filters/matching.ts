// Which of a reader's filters match a status, and what that means in one context. The rules are
// Mastodon's: keywords are matched case-insensitively against the status's searchable text
// (content warning, text with the HTML stripped, poll options); a whole-word keyword must start
// and end at a word boundary on each side where it begins or ends with a word character; status
// filters match the status or, for a boost, the boosted status. One's own posts are never
// filtered.
import type { FilterAction, FilterContext } from "../../db/schema.ts";
import type { FilterRow, FilterWithRules } from "../../store/filters.ts";
import type { StatusRow } from "../../store/statuses.ts";

export const FILTER_CONTEXTS: readonly FilterContext[] = ["home", "notifications", "public", "thread", "account"];
export const FILTER_ACTIONS: readonly FilterAction[] = ["warn", "hide", "blur"];

/** One filter that matched a status: what the FilterResult entity reports. */
export interface FilterMatch {
  filter: FilterRow;
  /** The text in the status each matching keyword matched, once each. */
  keywordMatches: string[];
  /** The filtered status ids (the status itself, or the boosted one) that matched. */
  statusMatches: string[];
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

function escapeRegExp(text: string): string {
  // Only syntax characters: other escapes are errors in a Unicode-mode expression.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The regular expression for one keyword, as Mastodon builds it. */
export function keywordRegExp(keyword: string, wholeWord: boolean): RegExp {
  const body = escapeRegExp(keyword);
  if (!wholeWord) return new RegExp(body, "iu");
  const chars = [...keyword];
  const start = WORD_CHAR.test(chars[0] ?? "") ? String.raw`(?<![\p{L}\p{M}\p{N}_])` : "";
  const last = chars.at(-1) ?? "";
  const end = WORD_CHAR.test(last) ? String.raw`(?![\p{L}\p{M}\p{N}_])` : "";
  return new RegExp(`${start}${body}${end}`, "iu");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** HTML as the plain text a reader sees: line breaks kept, tags dropped, entities decoded. */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p[^>]*>/gi, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** What keywords are matched against: content warning, text, poll options. */
export function searchableText(status: StatusRow, pollOptions: readonly string[] = []): string {
  return [status.spoiler_text, htmlToPlainText(status.content), ...(pollOptions.length ? [pollOptions.join("\n\n")] : [])]
    .filter((part) => part !== "")
    .join("\n\n");
}

export function filterContexts(filter: FilterRow): FilterContext[] {
  try {
    const parsed = JSON.parse(filter.context) as unknown;
    return Array.isArray(parsed) ? parsed.filter((c): c is FilterContext => FILTER_CONTEXTS.includes(c as FilterContext)) : [];
  } catch {
    return [];
  }
}

interface CompiledFilter {
  filter: FilterRow;
  keywords: RegExp[];
  statusIds: Set<string>;
}

/** A reader's active filters, compiled once per request. */
export class FilterMatcher {
  static readonly none = new FilterMatcher(null, []);

  private readonly viewerId: string | null;
  private readonly compiled: CompiledFilter[];

  constructor(viewerId: string | null, filters: readonly FilterWithRules[]) {
    this.viewerId = viewerId;
    this.compiled = filters
      .map((f) => ({
        filter: f.filter,
        keywords: f.keywords.filter((k) => k.keyword !== "").map((k) => keywordRegExp(k.keyword, k.whole_word === 1)),
        statusIds: new Set(f.statuses.map((s) => s.status_id)),
      }))
      .filter((f) => f.keywords.length > 0 || f.statusIds.size > 0);
  }

  get empty(): boolean {
    return this.compiled.length === 0;
  }

  /**
   * The filters matching `status`; for a boost, `proper` is the boosted status and its text is
   * what is matched. `pollOptions` are the proper status's poll option titles.
   */
  match(status: StatusRow, proper: StatusRow, pollOptions: readonly string[]): FilterMatch[] {
    if (this.compiled.length === 0) return [];
    if (status.account_id === this.viewerId || proper.account_id === this.viewerId) return [];
    let text: string | null = null;
    const out: FilterMatch[] = [];
    for (const f of this.compiled) {
      const keywordMatches: string[] = [];
      if (f.keywords.length) {
        text ??= searchableText(proper, pollOptions);
        for (const re of f.keywords) {
          const found = re.exec(text);
          if (found && !keywordMatches.includes(found[0])) keywordMatches.push(found[0]);
        }
      }
      const statusMatches = [status.id, ...(status.reblog_of_id ? [status.reblog_of_id] : [])].filter((id) => f.statusIds.has(id));
      if (keywordMatches.length || statusMatches.length) out.push({ filter: f.filter, keywordMatches, statusMatches });
    }
    return out;
  }
}

/**
 * What the matches mean where the status is shown. Without a context (a status fetched on its
 * own, a favourites list) every match is reported and the client decides, as Mastodon does. In a
 * context, only filters for that context count: `hide` removes the status, `warn` and `blur`
 * are reported for the client to act on.
 */
export function applyInContext(matches: readonly FilterMatch[], context: FilterContext | undefined): { hidden: boolean; shown: FilterMatch[] } {
  if (matches.length === 0) return { hidden: false, shown: [] };
  if (context === undefined) return { hidden: false, shown: [...matches] };
  const relevant = matches.filter((m) => filterContexts(m.filter).includes(context));
  if (relevant.some((m) => m.filter.filter_action === "hide")) return { hidden: true, shown: [] };
  return { hidden: false, shown: relevant };
}
