// A page's oEmbed document (JSON only) merged into its card, and the one piece of HTML a card may
// carry: an iframe of an allow-listed provider. The provider's `html` is never passed on: its
// first <iframe> is read, and only when its src is https on a host of EMBED_HOSTS is a new iframe
// written, from the src and the numeric width/height alone. Anything else (scripts, other
// elements, other hosts) gives no html, and a video or rich card without html becomes a link card.
import { htmlParser } from "./html-parser.ts";
import { absoluteUrl, type PageMetadata } from "./page-metadata.ts";
import { EMPTY_CARD, type CardContent } from "../../store/cards.ts";
import type { PreviewCardType } from "../../db/schema.ts";

/** Hosts whose players a card may embed (YouTube, Vimeo, SoundCloud, Spotify, Bandcamp, Dailymotion). */
export const EMBED_HOSTS: ReadonlySet<string> = new Set([
  "www.youtube.com",
  "youtube.com",
  "www.youtube-nocookie.com",
  "player.vimeo.com",
  "w.soundcloud.com",
  "open.spotify.com",
  "bandcamp.com",
  "www.dailymotion.com",
  "geo.dailymotion.com",
]);

const MAX_HTML_INPUT = 20_000;

function text(value: unknown, max: number): string {
  return typeof value === "string" ? value.replace(/\s+/g, " ").trim().slice(0, max) : typeof value === "number" ? String(value) : "";
}

function dimension(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 && n < 100_000 ? n : 0;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The provider's html reduced to one iframe of an allow-listed host, or "". */
export function sanitizeEmbedHtml(html: string): string {
  let iframe: { src: string; width: number; height: number } | null = null;
  const Parser = htmlParser();
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (iframe !== null || name !== "iframe" || !attribs.src) return;
        let url: URL;
        try {
          url = new URL(attribs.src);
        } catch {
          return;
        }
        if (url.protocol !== "https:" || url.username || url.password || url.port || !EMBED_HOSTS.has(url.hostname.toLowerCase())) return;
        iframe = { src: url.href, width: dimension(attribs.width), height: dimension(attribs.height) };
        parser.pause();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html.slice(0, MAX_HTML_INPUT));
  if (iframe === null) {
    parser.end();
    return "";
  }
  const found = iframe as { src: string; width: number; height: number };
  const size = `${found.width ? ` width="${found.width}"` : ""}${found.height ? ` height="${found.height}"` : ""}`;
  return `<iframe src="${escapeAttr(found.src)}"${size} frameborder="0" allowfullscreen="true" sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>`;
}

/** The card's content from the page's head and, when it has one, its oEmbed document. */
export function cardContent(pageUrl: string, page: PageMetadata, oembed: Record<string, unknown> | null): CardContent {
  const card: CardContent = {
    ...EMPTY_CARD,
    title: page.title,
    description: page.description,
    author_name: page.authorName,
    author_url: page.authorUrl,
    provider_name: page.siteName,
    image_url: page.imageUrl,
    image_description: page.imageDescription,
    width: page.imageUrl ? page.imageWidth : 0,
    height: page.imageUrl ? page.imageHeight : 0,
    language: page.language,
    published_at: page.publishedAt,
  };
  if (oembed) {
    const type = oembed.type;
    card.title = text(oembed.title, 300) || card.title;
    card.author_name = text(oembed.author_name, 300) || card.author_name;
    card.author_url = absoluteUrl(text(oembed.author_url, 2048), pageUrl) ?? card.author_url;
    card.provider_name = text(oembed.provider_name, 300) || card.provider_name;
    card.provider_url = absoluteUrl(text(oembed.provider_url, 2048), pageUrl) ?? "";
    const thumbnail = absoluteUrl(text(oembed.thumbnail_url, 2048), pageUrl);
    if (thumbnail && !card.image_url) {
      card.image_url = thumbnail;
      card.width = dimension(oembed.thumbnail_width);
      card.height = dimension(oembed.thumbnail_height);
    }
    let kind: PreviewCardType = "link";
    if (type === "photo") {
      const embed = absoluteUrl(text(oembed.url, 2048), pageUrl);
      if (embed) {
        kind = "photo";
        card.embed_url = embed;
        if (!card.image_url) card.image_url = embed;
      }
    } else if (type === "video" || type === "rich") {
      const html = typeof oembed.html === "string" ? sanitizeEmbedHtml(oembed.html) : "";
      if (html) {
        kind = type;
        card.html = html;
      }
    }
    card.type = kind;
    if (kind !== "link") {
      card.width = dimension(oembed.width) || card.width;
      card.height = dimension(oembed.height) || card.height;
    }
  }
  // Without an image, a link card has no size (Mastodon's).
  if (!card.image_url && card.type === "link") {
    card.width = 0;
    card.height = 0;
  }
  if (page.noImage) {
    card.image_url = null;
    card.image_description = "";
    if (card.type === "link") card.width = card.height = 0;
  }
  return card;
}
