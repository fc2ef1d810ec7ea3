import { sharp } from "./sharp.ts";

// The bounds every upload is held to, and the types Skein accepts. The uploads helper publishes
// these in /api/v2/instance (configuration.media_attachments), so clients learn them before they
// upload; the pipeline enforces them whatever a client sends.
//
// Where Mastodon 4.x has a figure, Skein uses the same one (clients are written against it):
// 16 MiB per image, 99 MiB per video, originals at most 8,294,400 pixels (3840×2160 worth of
// area, larger images are downscaled rather than refused), video up to 3840×2160 worth of area
// and 120 frames per second. On top of that, a decode cap: an image that declares more than
// 100 megapixels is refused before it is decoded (a 100,000 × 100,000 PNG is a few hundred bytes
// on disk and 40 GB in memory).

export const MEDIA_LIMITS = {
  /** Bytes of an uploaded image (Mastodon: 16 MiB). */
  imageBytes: 16 * 1024 * 1024,
  /** Pixels of a stored original image; larger uploads are downscaled to this area. */
  imageMatrix: 8_294_400,
  /** Pixels an image may declare before it is decoded at all (sharp's limitInputPixels). */
  imageDecodePixels: 100_000_000,
  /** Bytes of an uploaded video, audio or animated GIF (Mastodon: 99 MiB). */
  videoBytes: 99 * 1024 * 1024,
  /** Pixels per frame of an uploaded video (Mastodon: 8,294,400 = 3840×2160). */
  videoMatrix: 8_294_400,
  /** Frames per second of an uploaded video (Mastodon: 120). */
  videoFrameRate: 120,
  /** Seconds of video or audio. Mastodon caps frames (36,000 ≈ 5 min at 120 fps); Skein caps time,
   * which also bounds how long a transcode holds one of the two cores. */
  videoDuration: 300,
  audioDuration: 60 * 60,
  /** Pixels per frame of a transcoded video: 1920×1080 worth of area, which is what clients show
   * full screen on phones and laptops; 4K uploads are scaled down (bytes served are the cost). */
  videoOutputMatrix: 2_073_600,
  /** Output frame rate cap: 60 fps is what displays show; 120 fps uploads are decimated. */
  videoOutputFrameRate: 60,
  /** Custom emoji (Mastodon 4.x: 256 KiB for local emoji). */
  emojiBytes: 256 * 1024,
  /** Avatars and headers (Mastodon 4.x: 8 MiB). */
  profileImageBytes: 8 * 1024 * 1024,
} as const;

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"];
const HEIF_TYPES = ["image/heic", "image/heif"];
const VIDEO_TYPES = ["video/mp4", "video/x-m4v", "video/quicktime", "video/webm"];
const AUDIO_TYPES = ["audio/mpeg", "audio/ogg", "audio/opus", "audio/wav", "audio/x-wav", "audio/flac", "audio/x-flac", "audio/mp4", "audio/x-m4a", "audio/m4a", "audio/aac"];

/** sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC/HEIF (no HEVC decoder is shipped,
 * for patent reasons); a system libvips built with libde265 does. HEIC is announced and accepted only
 * where it really decodes — otherwise an iPhone photo is refused with a clear message, never half-read. */
export function heifDecodable(): boolean {
  if (heif === null) {
    const suffixes: string[] = (sharp().format as unknown as Record<string, { input?: { fileSuffix?: string[] } }>).heif?.input?.fileSuffix ?? [];
    heif = suffixes.includes(".heic") || suffixes.includes(".heif");
  }
  return heif;
}
let heif: boolean | null = null;

/** The MIME types this server accepts, as clients are told (an animated GIF needs ffmpeg to become
 * a gifv, but is accepted without it as a still image). */
export function acceptedMimeTypes(ffmpeg: boolean): string[] {
  return [...IMAGE_TYPES, ...(heifDecodable() ? HEIF_TYPES : []), ...(ffmpeg ? [...VIDEO_TYPES, ...AUDIO_TYPES] : [])];
}
