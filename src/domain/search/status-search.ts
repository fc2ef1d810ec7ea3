// Finding posts by their words (GET /api/v2/search with type=statuses or no type), with
// Mastodon 4.2's privacy rules (store/search/status-index.ts writes them as SQL) and its
// operators (query-parser.ts). Only signed-in readers search posts' text, as on Mastodon.
//
// Bounded work: the database takes the newest MIN_MATCHES matches of the words (both
// engines read matches newest-first and stop; PostgreSQL looks among the newest days first, see
// store/search/status-index.ts), keeps the newest CANDIDATE_WINDOW of them the reader may find
// (reading on among older matches, up to ten times as many, when too few of the newest are the
// reader's to find),
// and only those are ranked (100: what a reader pages through; 500 cost PostgreSQL a re-check of
// five times the rows for a phrase, docs/performance/search.md): relevance (ts_rank on PostgreSQL; on SQLite
// textScore below, from the stored text), scaled to the best candidate, weighted with recency
// (halving every 30 days). With from: or account_id, the
// author's matches are checked directly instead.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { StatusSearchFilter, StatusSearchHit } from "../../store/search/status-index.ts";
import { parseSearchQuery, type SearchPhrase } from "./query-parser.ts";

/** How many of the newest matches are ranked (at most; a deep offset widens it up to MAX_WINDOW). */
export const CANDIDATE_WINDOW = 100;
const MAX_WINDOW = 2000;
/**
 * The candidates are looked for among at least this many of the newest matches of the words (four
 * times the window at least): most posts are by accounts that did not opt in, so the newest
 * matches a reader may find can be far between. The database reads only as many as it needs.
 */
const MIN_MATCHES = 2000;
const MATCHES_PER_CANDIDATE = 4;
const HALF_LIFE_DAYS = 30;

export interface StatusSearchOptions {
  viewerId: string | null;
  localDomain: string;
  accountId?: string | null;
  following?: boolean;
  minId?: string | null;
  maxId?: string | null;
  limit: number;
  offset: number;
}

/**
 * Relevance from the candidates' normalized text, where the engine gave none (SQLite): for each
 * word or phrase, its occurrences saturated and weighed by the post's length against the
 * candidates' average, as BM25 does — without BM25's rarity weight, as every candidate has
 * every word. A stemmed match (FTS5's Porter) that the text does not spell counts as a match.
 */
export function textScore(document: string, terms: readonly SearchPhrase[], averageLength: number): number {
  const words = document.split(" ");
  const padded = ` ${document} `;
  const norm = 0.25 + 0.75 * (words.length / Math.max(1, averageLength));
  let score = 0;
  for (const term of terms) {
    const tf = term.prefix ? words.filter((w) => w.startsWith(term.text)).length : padded.split(` ${term.text} `).length - 1;
    score += Math.max(tf, 0.5) / (Math.max(tf, 0.5) + 1.2 * norm);
  }
  return score;
}

/** Relevance (scaled to the best) weighted with recency; ties newest first. */
export function rankHits(found: readonly StatusSearchHit[], terms: readonly SearchPhrase[], now = Date.now()): StatusSearchHit[] {
  const averageLength = found.reduce((sum, h) => sum + (h.document ? h.document.split(" ").length : 0), 0) / Math.max(1, found.length);
  const hits = found.map((h) => (h.score === null ? { ...h, score: h.document ? textScore(h.document, terms, averageLength) : 0 } : h));
  const best = hits.reduce((max, h) => Math.max(max, h.score ?? 0), 0);
  const rank = (h: StatusSearchHit) => {
    const ageDays = Math.max(0, (now - Date.parse(h.created_at)) / 86_400_000);
    const recency = Math.pow(0.5, ageDays / HALF_LIFE_DAYS);
    return best > 0 ? 0.7 * ((h.score ?? 0) / best) + 0.3 * recency : recency;
  };
  const ranked = hits.map((h) => ({ h, r: rank(h) }));
  ranked.sort((a, b) => b.r - a.r || (BigInt(b.h.id) > BigInt(a.h.id) ? 1 : BigInt(b.h.id) < BigInt(a.h.id) ? -1 : 0));
  return ranked.map((x) => x.h);
}

export async function searchStatuses(stores: Stores, query: string, options: StatusSearchOptions): Promise<StatusRow[]> {
  if (options.viewerId === null) return [];
  const parsed = parseSearchQuery(query);
  if (parsed.impossible) return [];
  const hasFilter = parsed.from.include.length + parsed.has.include.length + parsed.is.include.length + parsed.language.include.length > 0 || parsed.since !== null || parsed.until !== null || parsed.in === "library";
  if (parsed.terms.length === 0 && !hasFilter) return [];

  const authorIs: string[] = [];
  const authorIsNot: string[] = [];
  for (const [handles, into, required] of [[parsed.from.include, authorIs, true], [parsed.from.exclude, authorIsNot, false]] as const) {
    for (const handle of handles) {
      const id = await accountIdOf(stores, handle, options.viewerId, options.localDomain);
      if (id !== null) into.push(id);
      else if (required) return []; // Mastodon: an unknown author matches nothing.
    }
  }
  if (options.accountId) authorIs.push(options.accountId);

  const window = Math.min(MAX_WINDOW, Math.max(CANDIDATE_WINDOW, options.offset + options.limit));
  const filter: StatusSearchFilter = {
    viewerId: options.viewerId,
    text: parsed.terms.length ? { terms: parsed.terms, excluded: parsed.excluded, language: parsed.language.include[0] ?? null } : null,
    scope: parsed.in === "library" ? "library" : parsed.in === "public" ? "public" : "all",
    authorIs,
    authorIsNot,
    followingOnly: options.following === true,
    has: parsed.has,
    is: parsed.is,
    language: parsed.language,
    since: parsed.since,
    until: parsed.until,
    minId: options.minId ?? null,
    maxId: options.maxId ?? null,
    window,
    matches: Math.max(MIN_MATCHES, window * MATCHES_PER_CANDIDATE),
  };
  const hits = rankHits(await stores.statusIndex.search(filter), parsed.terms).slice(options.offset, options.offset + options.limit);
  const rows = new Map((await stores.statuses.byIds(hits.map((h) => h.id))).map((r) => [r.id, r]));
  return hits.map((h) => rows.get(h.id)).filter((r): r is StatusRow => r !== undefined);
}

/** from:me, from:user (local), from:user@domain; null if no such account is stored. */
async function accountIdOf(stores: Stores, handle: string, viewerId: string, localDomain: string): Promise<string | null> {
  if (handle === "me") return viewerId;
  const [username, domain] = handle.split("@");
  if (!username) return null;
  const local = !domain || domain === localDomain.toLowerCase();
  const account = await stores.accounts.byUsername(username, local ? null : domain!);
  return account ? account.id : null;
}
