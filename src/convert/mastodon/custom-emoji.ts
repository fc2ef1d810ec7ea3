// Custom emojis → Mastodon's CustomEmoji entity, and the `emojis` of accounts, statuses and
// polls: the emojis their texts use, as ctx.emojis (domain/emojis/emoji-catalog.ts) knows them.
import type { CustomEmojiRow } from "../../store/media/emojis.ts";
import type { ConvertContext } from "./account.ts";

export interface CustomEmojiEntity {
  shortcode: string;
  url: string;
  static_url: string;
  visible_in_picker: boolean;
  category: string | null;
}

/** null: the emoji has no image to show (a remote one without a URL, or its server's media rejected). */
export function toCustomEmoji(row: CustomEmojiRow, ctx: ConvertContext): CustomEmojiEntity | null {
  let url: string;
  let staticUrl: string;
  if (row.domain === "") {
    if (!row.image_key) return null;
    url = ctx.media ? ctx.media.stored(row.image_key) : `${ctx.origin}/system/${row.image_key}`;
    staticUrl = row.static_key ? (ctx.media ? ctx.media.stored(row.static_key) : `${ctx.origin}/system/${row.static_key}`) : url;
  } else {
    if (!row.image_remote_url || ctx.mediaRejected?.(row.domain)) return null;
    url = ctx.media ? ctx.media.proxied("emoji", row.id, "original", row.image_remote_url) : row.image_remote_url;
    staticUrl = url;
  }
  return { shortcode: row.shortcode, url, static_url: staticUrl, visible_in_picker: row.visible_in_picker === 1, category: row.category };
}

/** The emojis these texts of an account of `domain` (null: this server) use. */
export function emojisIn(ctx: ConvertContext, domain: string | null, texts: readonly (string | null | undefined)[]): CustomEmojiEntity[] {
  if (!ctx.emojis) return [];
  return ctx.emojis.find(domain, texts).map((row) => toCustomEmoji(row, ctx)).filter((e): e is CustomEmojiEntity => e !== null);
}
