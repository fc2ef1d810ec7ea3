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

/** Mastodon's MediaAttachment `meta`, without `focus` (the domain adds it). */
export interface MediaMeta {
  original?: { width?: number; height?: number; size?: string; aspect?: number; duration?: number; frame_rate?: string; bitrate?: number };
  small?: { width: number; height: number; size: string; aspect: number };
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
