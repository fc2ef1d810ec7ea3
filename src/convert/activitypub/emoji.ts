// Custom emojis ↔ ActivityStreams Emoji objects (Mastodon's toot:Emoji): the tags of posts and
// actors, and the object served at /emojis/:id.
import { Emoji, Image } from "@fedify/vocab";
import type { IncomingEmoji } from "../../domain/emojis/emoji-service.ts";
import { SHORTCODE_PATTERN } from "../../domain/emojis/shortcodes.ts";
import { MAX_EMOJI_TAGS } from "../../domain/emojis/emoji-service.ts";
import { instant } from "./time.ts";
import type { OutgoingEmojiParts } from "../../domain/emojis/outgoing.ts";

/** A local emoji as it goes out: its object id, its image's public URL and type. */
export type OutgoingEmoji = OutgoingEmojiParts;

export function toEmojiTag(emoji: OutgoingEmoji): Emoji {
  return new Emoji({
    id: new URL(emoji.id),
    name: `:${emoji.shortcode}:`,
    updated: instant(emoji.updatedAt),
    icon: new Image({ url: new URL(emoji.url), mediaType: emoji.mediaType }),
  });
}

const embeddedOnly = { suppressError: true, documentLoader: () => Promise.reject(new Error("not fetched")) };

/**
 * The Emoji tags among an object's tags (embedded ones only, at most MAX_EMOJI_TAGS): a
 * shortcode Mastodon would accept and an http(s) image.
 */
export async function emojisOf(tags: AsyncIterable<unknown>): Promise<IncomingEmoji[]> {
  const out: IncomingEmoji[] = [];
  let read = 0;
  for await (const tag of tags) {
    if (++read > 200 || out.length >= MAX_EMOJI_TAGS) break;
    if (!(tag instanceof Emoji) || !tag.name) continue;
    const shortcode = String(tag.name).replace(/^:|:$/g, "");
    if (!SHORTCODE_PATTERN.test(shortcode)) continue;
    const icon = await tag.getIcon(embeddedOnly).catch(() => null);
    const raw = icon?.url;
    const url = raw instanceof URL ? raw : (raw as { href?: URL } | null | undefined)?.href ?? null;
    if (!(url instanceof URL) || !/^https?:$/.test(url.protocol)) continue;
    out.push({ shortcode, uri: tag.id?.href ?? null, url: url.href, mediaType: icon?.mediaType ? String(icon.mediaType).slice(0, 100) : null });
  }
  return out;
}

export { embeddedOnly as emojiEmbeddedOnly };
