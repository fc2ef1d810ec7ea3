// Feeds of an account's and a hashtag's public posts: RSS 2.0 at Mastodon's /@name.rss and
// /tags/name.rss, Atom at .atom beside them. Each item's body is the post's HTML (the API's,
// escaped as XML text), its link the post's page, its categories its hashtags, and in RSS its
// files as media:content.
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { escapeHtml } from "../../../domain/text/plain-to-html.ts";
import { textOf, type PublicStatus } from "./partials.ts";

export type FeedFormat = "rss" | "atom";

/** The feed format a path asks for by its extension, and the path without it. */
export function feedRequest(path: string): { format: FeedFormat; name: string } | null {
  const match = /^(.*)\.(rss|atom)$/.exec(path);
  return match ? { name: match[1], format: match[2] as FeedFormat } : null;
}

export function feed(c: Context<AppEnv>, format: FeedFormat, channel: FeedChannel, statuses: readonly PublicStatus[]) {
  return format === "atom" ? atomFeed(c, channel, statuses) : rssFeed(c, channel, statuses);
}

export interface FeedChannel {
  title: string;
  description: string;
  /** The page the feed follows. */
  link: string;
  /** The feed's own address without its extension (…/@name, …/tags/name). */
  self: string;
  image?: string;
}

const xml = escapeHtml;

function rssFeed(c: Context<AppEnv>, channel: FeedChannel, statuses: readonly PublicStatus[]) {
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
    <atom:link href="${xml(`${channel.self}.rss`)}" rel="self" type="application/rss+xml"/>
${channel.image ? `    <image><url>${xml(channel.image)}</url><title>${xml(channel.title)}</title><link>${xml(channel.link)}</link></image>\n    <webfeeds:icon>${xml(channel.image)}</webfeeds:icon>\n` : ""}    <generator>Skein</generator>
    <lastBuildDate>${new Date(statuses[0]?.created_at ?? Date.now()).toUTCString()}</lastBuildDate>
${items.join("\n")}
  </channel>
</rss>
`;
  return c.body(body, 200, { "Content-Type": "application/rss+xml; charset=utf-8", "Cache-Control": "public, max-age=60" });
}

function atomFeed(c: Context<AppEnv>, channel: FeedChannel, statuses: readonly PublicStatus[]) {
  const entries = statuses.map((s) => {
    const link = s.url ?? s.uri;
    const text = s.spoiler_text || textOf(s.content);
    return [
      "  <entry>",
      `    <id>${xml(s.uri)}</id>`,
      `    <title>${xml(text.length > 100 ? `${text.slice(0, 99)}…` : text)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xml(link)}"/>`,
      `    <published>${new Date(s.created_at).toISOString()}</published>`,
      `    <updated>${new Date(s.created_at).toISOString()}</updated>`,
      `    <author><name>${xml(s.account.display_name || s.account.username)}</name><uri>${xml(s.account.url)}</uri></author>`,
      `    <content type="html">${xml(s.spoiler_text ? `<p>${xml(s.spoiler_text)}</p>${s.content}` : s.content)}</content>`,
      ...s.tags.map((t) => `    <category term="${xml(t.name)}"/>`),
      "  </entry>",
    ].join("\n");
  });
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(`${channel.self}.atom`)}</id>
  <title>${xml(channel.title)}</title>
  <subtitle>${xml(channel.description)}</subtitle>
  <link rel="alternate" type="text/html" href="${xml(channel.link)}"/>
  <link rel="self" type="application/atom+xml" href="${xml(`${channel.self}.atom`)}"/>
${channel.image ? `  <icon>${xml(channel.image)}</icon>\n` : ""}  <generator>Skein</generator>
  <updated>${new Date(statuses[0]?.created_at ?? Date.now()).toISOString()}</updated>
${entries.join("\n")}
</feed>
`;
  return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "public, max-age=60" });
}
