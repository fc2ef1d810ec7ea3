// `:shortcode:` in text, as Mastodon finds it: 2+ letters, digits or underscores between
// colons, not glued to other letters or colons (so "12:30:45" and "a:b:c" are no emojis).
export const SHORTCODE_PATTERN = /^[a-zA-Z0-9_]{2,64}$/;

const SCAN = /(?<=^|[^\p{L}\p{N}:]):([a-zA-Z0-9_]{2,64}):(?=[^\p{L}\p{N}:]|$)/gu;
/** How much of a text is scanned, and how many distinct shortcodes one text may name. */
const MAX_SCANNED = 100_000;
export const MAX_SHORTCODES = 100;

/** The distinct shortcodes used in these texts, in order of first use, at most MAX_SHORTCODES. */
export function shortcodesIn(texts: readonly (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    if (!text || !text.includes(":")) continue;
    for (const match of text.slice(0, MAX_SCANNED).matchAll(SCAN)) {
      found.add(match[1]);
      if (found.size >= MAX_SHORTCODES) return [...found];
    }
  }
  return [...found];
}
