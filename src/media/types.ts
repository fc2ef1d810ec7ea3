// What the media pipeline (src/media/) takes and gives. It is a library at the bottom of the
// stack, like src/mail/: files on disk in, processed files on disk out, no database and no
// storage. The domain (domain/media/) moves its results into the media storage.

/** Mastodon's attachment types (MediaAttachment.type), without "unknown". */
export type MediaKind = "image" | "gifv" | "video" | "audio";

/** What the bytes are, found from the bytes themselves (never from a file name or a client's MIME type). */
export interface SniffedType {
  kind: MediaKind;
  /** e.g. "image/png", "video/mp4" */
  mime: string;
  /** e.g. "png", "mp4" */
  ext: string;
}

export interface OutputFile {
  path: string;
  contentType: string;
  ext: string;
  size: number;
  width?: number;
  height?: number;
}

/** Mastodon's MediaAttachment `meta`, without `focus` (the domain adds it). Images: original + small.
 * Video and gifv: also length ("0:00:05.00"), duration (s), fps, size/width/height/aspect of the
 * served file at the top level, original.frame_rate ("30/1"), original.bitrate (bits/s), and for
 * video with sound audio_encode ("aac (LC)"), audio_bitrate ("44100 Hz" — Mastodon reports the
 * sample rate under this name) and audio_channels ("stereo"). Audio: length, duration, audio_*. */
export interface MediaMeta {
  original?: { width?: number; height?: number; size?: string; aspect?: number; duration?: number; frame_rate?: string; bitrate?: number };
  small?: { width: number; height: number; size: string; aspect: number };
  width?: number;
  height?: number;
  size?: string;
  aspect?: number;
  length?: string;
  duration?: number;
  fps?: number;
  audio_encode?: string;
  audio_bitrate?: string;
  audio_channels?: string;
}

export interface ProcessedMedia {
  kind: MediaKind;
  /** Re-encoded, metadata stripped, orientation applied, bounded. */
  original: OutputFile;
  /** The preview (images, gifv and video posters; audio may have none). */
  preview: OutputFile | null;
  blurhash: string | null;
  meta: MediaMeta;
}

/** A preview made on its own: a client's custom thumbnail, or the remote-media cache's preview. */
export interface PreviewResult {
  /** WebP, the same size and settings as a local upload's preview. */
  preview: OutputFile;
  blurhash: string | null;
  /** Mastodon's meta.small for the preview. */
  small: NonNullable<MediaMeta["small"]>;
  /** The source's own dimensions after orientation (meta.original for a remote image). */
  source: { width: number; height: number };
}

/** An avatar or header: `image` is what `avatar`/`header` show; `static` is a still first frame
 * when `image` is animated (null otherwise: `avatar_static` is then the same file). */
export interface ProfileImageResult {
  image: OutputFile;
  static: OutputFile | null;
}

/** A custom emoji: `image` (animated GIF/WebP when the upload was) and `static` (always a still PNG).
 * For a still emoji both are the same file (same path): store it once or twice, never fail on it. */
export interface EmojiResult {
  image: OutputFile;
  static: OutputFile;
}

/** Why the pipeline refused a file; the API answers 422 (or 413 for "too_large"). */
export type MediaErrorKind = "unsupported" | "too_large" | "invalid" | "no_ffmpeg";

export class MediaError extends Error {
  readonly kind: MediaErrorKind;
  constructor(kind: MediaErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "MediaError";
  }
}
