// Mastodon's search syntax for posts (SearchQueryParser/SearchQueryTransformer in 4.2+):
// words (all must match), "quoted phrases", -exclusions, and operators
//   from:me | from:user | from:user@domain      has:media|poll|link|embed
//   is:reply|sensitive      language:xx      in:library|public
//   before:YYYY-MM-DD   after:YYYY-MM-DD   during:YYYY-MM-DD   (UTC days)
// each of from/has/is/language negatable with a leading "-". A "word:" that is not one of these
// operators (a URL, "re:") is an ordinary word. Words are normalized as documents are
// (normalize.ts); what remains of a word or phrase is matched as a phrase of its tokens.
import { isCjkChar, normalizeText } from "./normalize.ts";

/** At most this many words and phrases (included and excluded) are used from one query. */
export const MAX_QUERY_TERMS = 16;

export interface SearchPhrase {
  /** Normalized text; matched as consecutive tokens. */
  text: string;
  /** A single CJK character: matches the bigrams that start with it. */
  prefix: boolean;
}

export interface Facet<T> {
  include: T[];
  exclude: T[];
}

export type HasProperty = "media" | "poll" | "link" | "embed";
export type IsProperty = "reply" | "sensitive";

export interface ParsedQuery {
  terms: SearchPhrase[];
  excluded: SearchPhrase[];
  /** Raw handles: "me", "user", "user@domain" (a leading @ removed). */
  from: Facet<string>;
  has: Facet<HasProperty>;
  is: Facet<IsProperty>;
  language: Facet<string>;
  in: "library" | "public" | null;
  /** created_at bounds, ISO strings: [since, until). */
  since: string | null;
  until: string | null;
  /** An operator had a value it cannot have (a bad date, has:nonsense): nothing can match. */
  impossible: boolean;
}

const OPERATORS = new Set(["from", "has", "is", "language", "lang", "in", "before", "after", "during"]);
const HAS: readonly string[] = ["media", "poll", "link", "embed"];
const IS: readonly string[] = ["reply", "sensitive"];
// One clause: operator sign, "prefix:" and a phrase or a run of non-space characters.
const CLAUSE = /([+-]?)(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))/giy;

function day(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const check = new Date(time);
  return check.getUTCDate() === Number(match[3]) && check.getUTCMonth() === Number(match[2]) - 1 ? time : null;
}

function phraseOf(raw: string): SearchPhrase | null {
  const text = normalizeText(raw);
  if (!/[\p{L}\p{N}]/u.test(text)) return null;
  return { text, prefix: isCjkChar(text) };
}

export function parseSearchQuery(query: string): ParsedQuery {
  const parsed: ParsedQuery = {
    terms: [], excluded: [],
    from: { include: [], exclude: [] }, has: { include: [], exclude: [] }, is: { include: [], exclude: [] }, language: { include: [], exclude: [] },
    in: null, since: null, until: null, impossible: false,
  };
  const text = query.slice(0, 500);
  let position = 0;
  while (position < text.length) {
    const space = /\s+/y;
    space.lastIndex = position;
    if (space.exec(text)) {
      position = space.lastIndex;
      continue;
    }
    CLAUSE.lastIndex = position;
    const match = CLAUSE.exec(text);
    if (!match || CLAUSE.lastIndex === position) break;
    position = CLAUSE.lastIndex;
    const [whole, sign, rawPrefix, phrase, word] = match;
    const negated = sign === "-";
    const prefix = rawPrefix?.toLowerCase();
    const value = phrase ?? word ?? "";
    if (prefix && OPERATORS.has(prefix) && value !== "") {
      operator(parsed, prefix, value, negated);
      continue;
    }
    // Not an operator: the whole clause (with any "word:") is text.
    const body = phrase !== undefined && !rawPrefix ? phrase : whole.replace(/^[+-]/, "");
    const found = phraseOf(body);
    if (!found || parsed.terms.length + parsed.excluded.length >= MAX_QUERY_TERMS) continue;
    (negated ? parsed.excluded : parsed.terms).push(found);
  }
  return parsed;
}

function operator(parsed: ParsedQuery, prefix: string, rawValue: string, negated: boolean): void {
  const value = rawValue.trim();
  const facet = <T>(f: Facet<T>, v: T) => {
    if (f.include.length + f.exclude.length < MAX_QUERY_TERMS) (negated ? f.exclude : f.include).push(v);
  };
  switch (prefix) {
    case "from":
      facet(parsed.from, value.replace(/^@/, "").toLowerCase());
      return;
    case "has":
      if (HAS.includes(value.toLowerCase())) facet(parsed.has, value.toLowerCase() as HasProperty);
      else if (!negated) parsed.impossible = true;
      return;
    case "is":
      if (IS.includes(value.toLowerCase())) facet(parsed.is, value.toLowerCase() as IsProperty);
      else if (!negated) parsed.impossible = true;
      return;
    case "language":
    case "lang":
      // As Mastodon: "en-GB", "EN" → "en".
      facet(parsed.language, value.split(/[_-]/)[0]!.toLowerCase());
      return;
    case "in":
      if (value === "library" || value === "public") parsed.in = value;
      else parsed.impossible = true;
      return;
    default: {
      const start = day(value);
      if (start === null) {
        parsed.impossible = true;
        return;
      }
      const next = start + 86_400_000;
      // before: earlier than the day; after: later than the day; during: within it.
      const since = prefix === "after" ? next : prefix === "during" ? start : null;
      const until = prefix === "before" ? start : prefix === "during" ? next : null;
      if (since !== null) parsed.since = maxIso(parsed.since, new Date(since).toISOString());
      if (until !== null) parsed.until = minIso(parsed.until, new Date(until).toISOString());
    }
  }
}

const maxIso = (a: string | null, b: string) => (a === null || b > a ? b : a);
const minIso = (a: string | null, b: string) => (a === null || b < a ? b : a);
