// Reading a page's head for its preview: OpenGraph (og:*), Twitter cards (twitter:*), plain
// <title>/<meta name=description>, the oEmbed discovery link (JSON only), `fediverse:creator`
// and the robots rules. htmlparser2 reads the page as it streams in; the reader says "done" at
// </head> (or the first <body>), so the body of a page is never parsed, and the fetcher stops
// reading there too. Every value is bounded here, before it is stored.
import type { Parser } from "htmlparser2";
import { htmlParser } from "./html-parser.ts";

export interface PageMetadata {
  title: string;
  description: string;
  imageUrl: string | null;
  imageDescription: string;
  imageWidth: number;
  imageHeight: number;
  siteName: string;
  authorName: string;
  authorUrl: string;
  publishedAt: string | null;
  language: string | null;
  /** The page's oEmbed endpoint (a `application/json+oembed` alternate link), absolute. */
  oembedUrl: string | null;
  /** `fediverse:creator`: an account handle like @alice@social.example. */
  creator: string | null;
  /** `<meta name="robots">` says noindex, noimageindex or none: the card shows no image. */
  noImage: boolean;
}

const MAX = { title: 300, description: 1000, name: 300, url: 2048, meta: 200 };

function clip(value: string | undefined, max: number): string {
  return (value ?? "").replace(/\s+/g, " ").trim().slice(0, max);
}

/** An absolute http(s) URL from `value` relative to `base`, or null. */
export function absoluteUrl(value: string | undefined, base: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim(), base);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.href.length <= MAX.url ? url.href : null;
  } catch {
    return null;
  }
}

/** Whether a robots rule (meta robots or X-Robots-Tag) keeps images out of previews. */
export function robotsForbidImage(value: string): boolean {
  return value
    .toLowerCase()
    .split(/[\s,]+/)
    .some((rule) => rule === "noindex" || rule === "noimageindex" || rule === "none");
}

/** Reads a page's head as it arrives; write() returns false once nothing more is needed. */
export class PageMetadataReader {
  private readonly base: string;
  private readonly meta = new Map<string, string>();
  private title = "";
  private inTitle = false;
  private oembed: string | null = null;
  private lang: string | null = null;
  private robots = false;
  private done = false;
  private readonly parser: Parser;

  constructor(pageUrl: string) {
    this.base = pageUrl;
    const HtmlParser = htmlParser();
    this.parser = new HtmlParser(
      {
        onopentag: (name, attribs) => {
          if (this.done) return;
          if (name === "body") return this.stop();
          if (name === "html" && attribs.lang) this.lang = attribs.lang;
          if (name === "title") this.inTitle = true;
          if (name === "meta") this.readMeta(attribs);
          if (name === "link" && this.oembed === null) {
            const rel = (attribs.rel ?? "").toLowerCase().split(/\s+/);
            if (rel.includes("alternate") && (attribs.type ?? "").toLowerCase().trim() === "application/json+oembed") this.oembed = absoluteUrl(attribs.href, this.base);
          }
        },
        ontext: (text) => {
          if (this.inTitle && this.title.length < MAX.title * 2) this.title += text;
        },
        onclosetag: (name) => {
          if (name === "title") this.inTitle = false;
          if (name === "head") this.stop();
        },
      },
      { decodeEntities: true },
    );
  }

  private readMeta(attribs: Record<string, string>): void {
    const content = attribs.content;
    if (content === undefined) return;
    const key = (attribs.property ?? attribs.name ?? "").toLowerCase().trim();
    if (!key || key.length > 64) return;
    if (key === "robots" && robotsForbidImage(content)) this.robots = true;
    // The first value of each key wins (og:image may repeat: the first is the main one).
    if (!this.meta.has(key) && this.meta.size < MAX.meta) this.meta.set(key, content.slice(0, MAX.url));
  }

  private stop(): void {
    this.done = true;
    this.parser.pause();
  }

  /** Feeds decoded text; false once the head is over. */
  write(text: string): boolean {
    if (this.done) return false;
    this.parser.write(text);
    return !this.done;
  }

  get finished(): boolean {
    return this.done;
  }

  result(): PageMetadata {
    if (!this.done) this.parser.end();
    const m = (...keys: string[]) => {
      for (const key of keys) {
        const value = this.meta.get(key);
        if (value !== undefined && value.trim() !== "") return value;
      }
      return undefined;
    };
    const int = (value: string | undefined) => {
      const n = Number(value);
      return Number.isInteger(n) && n > 0 && n < 100_000 ? n : 0;
    };
    const authorMeta = m("author", "article:author", "twitter:creator");
    const authorUrl = absoluteUrl(m("article:author"), this.base);
    const published = m("article:published_time", "og:published_time", "published_time");
    const publishedAt = published && !Number.isNaN(Date.parse(published)) ? new Date(Date.parse(published)).toISOString() : null;
    const language = (this.lang ?? m("og:locale") ?? "").trim().split(/[-_]/)[0].toLowerCase();
    const creator = m("fediverse:creator")?.trim() ?? null;
    return {
      title: clip(m("og:title", "twitter:title") ?? this.title, MAX.title),
      description: clip(m("og:description", "twitter:description", "description"), MAX.description),
      imageUrl: absoluteUrl(m("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"), this.base),
      imageDescription: clip(m("og:image:alt", "twitter:image:alt"), MAX.description),
      imageWidth: int(m("og:image:width")),
      imageHeight: int(m("og:image:height")),
      siteName: clip(m("og:site_name", "application-name"), MAX.name),
      // An article:author that is a URL is the author's page, not a name.
      authorName: authorMeta && !/^https?:\/\//i.test(authorMeta) ? clip(authorMeta, MAX.name) : "",
      authorUrl: authorUrl ?? "",
      publishedAt,
      language: /^[a-z]{2,3}$/.test(language) ? language : null,
      oembedUrl: this.oembed,
      creator: creator && /^@?[\w.-]+@[a-z0-9.-]+(:\d{1,5})?$/i.test(creator) && creator.length <= 300 ? creator.replace(/^@/, "") : null,
      noImage: this.robots,
    };
  }
}
