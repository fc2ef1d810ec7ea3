// RSS 2.0 feeds of an account's and a hashtag's public posts (Mastodon's /@name.rss and
// /tags/name.rss): each item's description is the post's HTML (the API's, escaped as XML text),
// its link the post's page, its categories its hashtags, its enclosures (media:content) its files.
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { escapeHtml } from "../../../domain/text/plain-to-html.ts";
import { textOf, type PublicStatus } from "./partials.ts";

export interface FeedChannel {
  title: string;
  description: string;
  /** The page the feed follows. */
  link: string;
  /** The feed's own address. */
  self: string;
  image?: string;
}

const xml = escapeHtml;

export function rssFeed(c: Context<AppEnv>, channel: FeedChannel, statuses: readonly PublicStatus[]) {
  const items = statuses.map((s) => {
    const link = s.url ?? s.uri;
    const text = s.spoiler_text || textOf(s.content);
    const media = s.media_attachments.map((m) => `      <media:content url="${xml(m.url)}" medium="${m.type === "image" || m.type === "gifv" ? "image" : m.type === "video" ? "video" : m.type === "audio" ? "audio" : "document"}">${m.description ? `<media:description type="plain">${xml(m.description)}</media:description>` : ""}</media:content>`);
    return [
      "    <item>",
      `      <guid isPermaLink="true">${xml(link)}</guid>`,
      `      <link>${xml(link)}</link>`,
      `      <title>${xml(text.length > 100 ? `${text.slice(0, 99)}…` : text)}</title>`,
      `      <pubDate>${new Date(s.created_at).toUTCString()}</pubDate>`,
      `      <description>${xml(s.spoiler_text ? `<p>${xml(s.spoiler_text)}</p>${s.content}` : s.content)}</description>`,
      ...s.tags.map((t) => `      <category>${xml(t.name)}</category>`),
      ...media,
      "    </item>",
    ].join("\n");
  });
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${xml(channel.title)}</title>
    <description>${xml(channel.description)}</description>
    <link>${xml(channel.link)}</link>
    <atom:link href="${xml(channel.self)}" rel="self" type="application/rss+xml"/>
${channel.image ? `    <image><url>${xml(channel.image)}</url><title>${xml(channel.title)}</title><link>${xml(channel.link)}</link></image>\n    <webfeeds:icon>${xml(channel.image)}</webfeeds:icon>\n` : ""}    <generator>Skein</generator>
    <lastBuildDate>${new Date(statuses[0]?.created_at ?? Date.now()).toUTCString()}</lastBuildDate>
${items.join("\n")}
  </channel>
</rss>
`;
  return c.body(body, 200, { "Content-Type": "application/rss+xml; charset=utf-8", "Cache-Control": "public, max-age=60" });
}
