// Announcements (domain/announcements) → Mastodon's Announcement entity, with its reactions.
import type { AnnouncementView } from "../../domain/announcements/announcement-service.ts";
import type { ConvertContext } from "./account.ts";
import { emojisIn, toCustomEmoji } from "./custom-emoji.ts";

const HASHTAG = /(?:^|[^\p{L}\p{N}_/])#([\p{L}\p{N}_]{1,100})/gu;

export function toAnnouncement(view: AnnouncementView, ctx: ConvertContext) {
  const { row } = view;
  const tags = [...new Set([...row.text.matchAll(HASHTAG)].map((m) => m[1].toLowerCase()))].map((name) => ({ name, url: `${ctx.origin}/tags/${encodeURIComponent(name)}` }));
  return {
    id: row.id,
    content: row.content,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    all_day: row.all_day === 1,
    published_at: row.published_at ?? row.created_at,
    updated_at: row.updated_at,
    read: view.read,
    mentions: [],
    statuses: [],
    tags,
    emojis: emojisIn(ctx, null, [row.text]),
    reactions: view.reactions.map((r) => {
      const emoji = r.emoji ? toCustomEmoji(r.emoji, ctx) : null;
      // Without a reader (streaming), `me` is left out, as Mastodon does.
      return { name: r.name, count: r.count, ...(r.me === null ? {} : { me: r.me }), ...(emoji ? { url: emoji.url, static_url: emoji.static_url } : {}) };
    }),
  };
}
