// Stored media attachments → Mastodon's MediaAttachment entity.
import type { MediaRow } from "../../store/media.ts";

/**
 * `rejected`: the attachment's server is blocked with reject_media — shown as Mastodon shows
 * media it did not fetch: type "unknown", no URL of ours, the origin's URL in remote_url.
 */
export function toMediaAttachment(media: MediaRow, rejected = false) {
  if (rejected) {
    return {
      id: media.id,
      type: "unknown",
      url: null,
      preview_url: null,
      remote_url: media.remote_url,
      preview_remote_url: null,
      text_url: null,
      meta: {},
      description: media.description,
      blurhash: media.blurhash,
    };
  }
  // Remote media are shown from their origin until Skein keeps copies (url stays ours to fill).
  const url = media.url ?? media.remote_url;
  const original = media.width && media.height ? { width: media.width, height: media.height, size: `${media.width}x${media.height}`, aspect: media.width / media.height } : undefined;
  return {
    id: media.id,
    type: media.type,
    url,
    preview_url: media.preview_url ?? (media.type === "image" ? url : null),
    remote_url: media.remote_url,
    preview_remote_url: null,
    text_url: null,
    meta: {
      ...(original ? { original } : {}),
      ...(media.focus_x !== null && media.focus_y !== null ? { focus: { x: media.focus_x, y: media.focus_y } } : {}),
    },
    description: media.description,
    blurhash: media.blurhash,
  };
}
