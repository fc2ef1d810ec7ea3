// Stored media attachments → Mastodon's MediaAttachment entity.
import type { MediaRow } from "../../store/media.ts";

export function toMediaAttachment(media: MediaRow) {
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
