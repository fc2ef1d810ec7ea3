// Stored media attachments → Mastodon's MediaAttachment entity. Local uploads are named at the
// media storage's URL (ctx.media.stored); remote ones through Skein's cache (ctx.media.proxied),
// so readers' addresses never reach the origin. Files are always named through ctx.media.
import type { MediaRow } from "../../store/media/attachments.ts";
import type { MediaMeta } from "../../media/types.ts";
import type { ConvertContext } from "./account.ts";

type MediaContext = Pick<ConvertContext, "media">;

/**
 * `rejected`: the attachment's server is blocked with reject_media — shown as Mastodon shows
 * media it did not fetch: type "unknown", no URL of ours, the origin's URL in remote_url.
 */
export function toMediaAttachment(media: MediaRow, rejected = false, ctx: MediaContext = {}) {
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
  const focus = media.focus_x !== null && media.focus_y !== null ? { focus: { x: media.focus_x, y: media.focus_y } } : {};
  if (media.remote_url === null) return localAttachment(media, ctx, focus);
  const proxied = (variant: "original" | "small", source: string) => ctx.media?.proxied("attachment", media.id, variant, source) ?? source;
  const url = proxied("original", media.remote_url);
  const original = media.width && media.height ? { width: media.width, height: media.height, size: `${media.width}x${media.height}`, aspect: media.width / media.height } : undefined;
  // A preview of ours for images (the cache makes it) and for a video's poster if the origin sent one.
  const previewSource = media.remote_preview_url ?? (media.type === "image" ? media.remote_url : null);
  return {
    id: media.id,
    type: media.type,
    url,
    preview_url: previewSource ? proxied("small", previewSource) : null,
    remote_url: media.remote_url,
    preview_remote_url: media.remote_preview_url,
    text_url: null,
    meta: { ...(original ? { original } : {}), ...focus },
    description: media.description,
    blurhash: media.blurhash,
  };
}

/**
 * A local upload. While it is processed it has no URL (Mastodon's rule: clients poll until
 * `url` is set), a preview only if the client gave a thumbnail; once done, the stored files.
 */
function localAttachment(media: MediaRow, ctx: MediaContext, focus: { focus?: { x: number; y: number } }) {
  const stored = (key: string | null) => (key && ctx.media ? ctx.media.stored(key) : null);
  const done = media.processing === "done";
  const meta = done && media.meta ? (parseMeta(media.meta) ?? {}) : {};
  return {
    id: media.id,
    type: media.type,
    url: done ? stored(media.file_key) : null,
    preview_url: stored(media.preview_key),
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: { ...meta, ...focus },
    description: media.description,
    blurhash: media.blurhash,
  };
}

function parseMeta(json: string): MediaMeta | null {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as MediaMeta) : null;
  } catch {
    return null;
  }
}
