// Which link of a status gets a preview card: the first anchor of its HTML that is a link to a
// page — not a mention or a hashtag (class mention/hashtag, rel=tag, as Mastodon and others mark
// them), not inside a quote's inline fallback (class quote-inline), not a link to this server's
// own statuses or accounts, and an http(s) URL of a bounded length with a host name.
import { htmlParser } from "./html-parser.ts";

/** Longer URLs are not fetched (nor stored as a card's key). */
export const MAX_CARD_URL_LENGTH = 2048;
/** The HTML read to find the link (a status is far shorter; a hostile one is cut here). */
const MAX_CONTENT_CHARS = 100_000;

/** The URL a card is kept under: fragment dropped, host lower-cased (URL does this), nothing else changed. */
export function normalizeCardUrl(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (!url.hostname || url.username || url.password) return null;
  url.hash = "";
  const text = url.href;
  return text.length <= MAX_CARD_URL_LENGTH ? text : null;
}

/** The first link of `html` to preview, or null. `localHost`: this server's host (its own pages are not previewed). */
export function firstPreviewableLink(html: string, localHost: string): string | null {
  let found: string | null = null;
  // Depth of open elements that hide their links (the quote fallback).
  let hiddenDepth = 0;
  const stack: boolean[] = [];
  const Parser = htmlParser();
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const classes = (attribs.class ?? "").toLowerCase().split(/\s+/);
        const hides = classes.includes("quote-inline");
        stack.push(hides);
        if (hides) hiddenDepth++;
        if (found !== null || hiddenDepth > 0 || name !== "a" || !attribs.href) return;
        if (classes.includes("mention") || classes.includes("hashtag")) return;
        if ((attribs.rel ?? "").toLowerCase().split(/\s+/).includes("tag")) return;
        const url = normalizeCardUrl(attribs.href);
        if (url === null || isOwnPage(url, localHost)) return;
        found = url;
        parser.pause();
      },
      onclosetag() {
        if (stack.pop()) hiddenDepth--;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html.slice(0, MAX_CONTENT_CHARS));
  if (found === null) parser.end();
  return found;
}

/** This server's own statuses and profiles (and anything else on its host) make no card, as in Mastodon. */
function isOwnPage(url: string, localHost: string): boolean {
  return new URL(url).host.toLowerCase() === localHost.toLowerCase();
}
