// A local emoji as other servers see it: its object id (https://origin/emojis/<id>) and image.
import type { CustomEmojiRow } from "../../store/media/emojis.ts";
import type { MediaUrls } from "../media/media-urls.ts";

export interface OutgoingEmojiParts {
  id: string;
  shortcode: string;
  url: string;
  mediaType: string | null;
  updatedAt: string;
}

export function emojiUri(origin: string, id: string): string {
  return `${origin}/emojis/${id}`;
}

export function outgoingEmoji(row: CustomEmojiRow, origin: string, media: MediaUrls): OutgoingEmojiParts {
  return { id: emojiUri(origin, row.id), shortcode: row.shortcode, url: media.stored(row.image_key!), mediaType: row.content_type, updatedAt: row.updated_at };
}

/** The local emojis these texts use, ready for Emoji tags (a post's or an actor's). */
export function outgoingEmojisIn(find: (texts: readonly string[]) => CustomEmojiRow[], texts: readonly string[], origin: string, media: MediaUrls): OutgoingEmojiParts[] {
  return find(texts).filter((r) => r.image_key).map((r) => outgoingEmoji(r, origin, media));
}
