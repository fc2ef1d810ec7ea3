// The one text normalization behind full-text search, applied in JavaScript to every indexed
// document and to every query term, so that SQLite and PostgreSQL see the same words:
// HTML → text, NFKC, lowercase, punctuation → spaces, and runs of CJK characters (Han, Hiragana, Katakana, Hangul),
// which are written without spaces, split into overlapping bigrams ("東京都" → "東京 京都").
// Bigrams make a two-character Japanese or Chinese word findable on both engines (FTS5's trigram
// tokenizer could not match it, and neither engine segments CJK words); a one-character run is
// kept as it is, and a one-character query becomes a prefix of the bigrams (see query-parser.ts).

/** The most characters of one document we index (a post is at most a few thousand). */
export const MAX_DOCUMENT_CHARS = 20_000;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Text of stored (already sanitized) HTML: tags out, block ends as spaces, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/li|\/blockquote|\/h\d|\/pre)\b[^>]*>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+/gu;
const CJK_CHAR = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]$/u;

export function isCjkChar(text: string): boolean {
  return CJK_CHAR.test(text);
}

/** Overlapping bigrams of one CJK run, each set apart by spaces; a single character stays. */
function bigrams(run: string): string {
  const chars = [...run];
  if (chars.length < 2) return ` ${run} `;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return ` ${out.join(" ")} `;
}

/** Plain text → the words both engines index: NFKC, lowercase, CJK bigrams, spaces collapsed. */
export function normalizeText(text: string): string {
  return text
    .slice(0, MAX_DOCUMENT_CHARS)
    .normalize("NFKC")
    .toLowerCase()
    // Punctuation, symbols and emoji separate words, the same for both engines' parsers (so that
    // PostgreSQL does not keep "alice@example.com" or "example.com/path" as one token).
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, " ")
    .replace(CJK_RUN, bigrams)
    .replace(/\s+/g, " ")
    .trim();
}

/** A status's searchable text: content warning, content, poll options, media descriptions. */
export function statusDocument(parts: { spoilerText: string; contentHtml: string; pollOptions?: readonly string[]; mediaDescriptions?: readonly (string | null)[] }): string {
  const pieces = [parts.spoilerText, htmlToText(parts.contentHtml), ...(parts.pollOptions ?? []), ...(parts.mediaDescriptions ?? []).filter((d): d is string => !!d)];
  return normalizeText(pieces.join(" \n "));
}
