// The Emoji object served at /emojis/:id, as plain JSON: the route answers it without the
// ActivityStreams vocabulary (Fedify), which a server loads only once it federates.
import type { OutgoingEmojiParts } from "../../domain/emojis/outgoing.ts";

/** The Emoji object served at its id, as JSON-LD (Mastodon serves the same shape). */
export function emojiDocument(emoji: OutgoingEmojiParts): Record<string, unknown> {
  return {
    "@context": ["https://www.w3.org/ns/activitystreams", { toot: "http://joinmastodon.org/ns#", Emoji: "toot:Emoji" }],
    id: emoji.id,
    type: "Emoji",
    name: `:${emoji.shortcode}:`,
    updated: emoji.updatedAt,
    icon: { type: "Image", mediaType: emoji.mediaType ?? undefined, url: emoji.url },
  };
}
