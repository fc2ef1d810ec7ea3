// Still images with sharp (libvips): orientation applied, every piece of metadata dropped (EXIF,
// GPS, XMP, IPTC, comments; colour converted to sRGB and the ICC profile dropped), the original
// re-encoded and bounded, and a WebP preview sized like Mastodon's "small".
//
// Why these formats (the bench helper measures them against Mastodon's pipeline):
// - Previews are what timelines load — most of a server's media egress. WebP at quality 75 holds
//   the same SSIM as a JPEG at 85-90 (Mastodon's previews) in roughly half the bytes, and every
//   Mastodon client shows WebP (browsers since 2020, Android and iOS natively). The preview keeps
//   Mastodon's 230,400-pixel area (640×360 worth), so it is as sharp on screen as theirs; the
//   saving comes from the codec, not from fewer pixels.
// - JPEG originals stay JPEG, re-encoded with mozjpeg (trellis quantisation, progressive, optimised
//   scans) at quality 85: a phone's quality-92 JPEG shrinks by about half with no visible change,
//   and a saved or shared original is still a JPEG every tool opens. WebP would save a little more
//   at this quality but forces 4:2:0 chroma and surprises people who download their photo.
// - PNG and GIF (screenshots, drawings, transparency) become lossless WebP: pixel-identical, alpha
//   kept, typically 25-35% smaller than the PNG. WebP uploads stay WebP (quality 85, alpha kept).
// - HEIC/AVIF become JPEG (or WebP when they have alpha): clients cannot all show them.
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import sharp, { type Metadata, type Sharp, type SharpOptions } from "sharp";
import { blurhashOf } from "./blurhash.ts";
import { imageGate } from "./gate.ts";
import { MEDIA_LIMITS } from "./limits.ts";
import { MediaError, type MediaMeta, type OutputFile, type PreviewResult, type ProcessedMedia, type SniffedType } from "./types.ts";

/** The encoder settings, exported so the benchmark reports exactly what runs. */
export const IMAGE_SETTINGS = {
  /** Mastodon's "small": 640×360 = 230,400 pixels of area, whatever the aspect. */
  previewPixels: 230_400,
  preview: { quality: 75, effort: 4, alphaQuality: 90 },
  originalJpeg: { quality: 85, mozjpeg: true },
  originalWebp: { quality: 85, effort: 4, alphaQuality: 95 },
  originalLossless: { lossless: true, effort: 4 },
} as const;

/** What an image declares in its header, with width/height as displayed (orientation applied). */
export interface ImageHeader {
  width: number;
  height: number;
  /** Frames (1 for a still image). */
  pages: number;
  hasAlpha: boolean;
  format: string;
}

/** Options every decode uses: the pixel cap (sharp refuses beyond it), streaming reads, and a
 * damaged file is an error rather than a half-grey picture. */
export function decodeOptions(extra: SharpOptions = {}): SharpOptions {
  return { limitInputPixels: MEDIA_LIMITS.imageDecodePixels, sequentialRead: true, failOn: "error", ...extra };
}

/** sharp's error → a MediaError a user can read. */
export function imageError(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new MediaError("too_large", "The image has too many pixels to be processed.");
  if (/premature end|truncat|unexpected end|end of (file|stream|data)|not enough data|read error|short read/i.test(message)) {
    return new MediaError("invalid", "The image file is incomplete (it was cut off); please upload it again.");
  }
  if (/unsupported image format|bad seek|corrupt|invalid|damaged|not a known file format/i.test(message)) {
    return new MediaError("invalid", "The image file is damaged and cannot be read.");
  }
  return new MediaError("invalid", "The image could not be decoded.");
}

/**
 * Reads the header only (no pixels), and refuses a decompression bomb before anything is decoded:
 * more than `maxPixels` per frame (or `maxTotalPixels` over all frames, for animations) is too large.
 */
export async function readImageHeader(inputPath: string, maxPixels: number = MEDIA_LIMITS.imageDecodePixels, maxTotalPixels?: number): Promise<ImageHeader> {
  let m: Metadata;
  try {
    m = await sharp(inputPath, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw imageError(error);
  }
  if (!m.width || !m.height) throw new MediaError("invalid", "The image file is damaged and cannot be read.");
  const pages = Math.max(1, m.pages ?? 1);
  const frameHeight = m.pageHeight && pages > 1 ? m.pageHeight : m.height;
  const rotated = (m.orientation ?? 1) >= 5;
  const width = rotated ? frameHeight : m.width;
  const height = rotated ? m.width : frameHeight;
  if (width * height > maxPixels) {
    throw new MediaError("too_large", `The image is ${width}×${height} pixels; at most ${Math.round(maxPixels / 1e6)} megapixels can be processed.`);
  }
  if (maxTotalPixels !== undefined && width * height * pages > maxTotalPixels) {
    throw new MediaError("too_large", `The animation has too many frames (${pages} of ${width}×${height} pixels).`);
  }
  return { width, height, pages, hasAlpha: Boolean(m.hasAlpha), format: m.format ?? "" };
}

/** The largest size with the same aspect and at most `maxPixels` of area (never enlarged). */
export function fitArea(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const scale = Math.sqrt(maxPixels / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** A fresh file name in workDir (the pipeline writes nowhere else). */
export function outputPath(workDir: string, stem: string, ext: string): string {
  return path.join(workDir, `${stem}-${randomBytes(6).toString("hex")}.${ext}`);
}

export function sizeMeta(width: number, height: number): { width: number; height: number; size: string; aspect: number } {
  return { width, height, size: `${width}x${height}`, aspect: width / height };
}

/** Writes the preview of any decodable image: WebP, at most previewPixels of area, oriented, stripped. */
export async function writePreview(sourcePath: string, workDir: string, header: ImageHeader, options: SharpOptions = {}): Promise<OutputFile> {
  const target = fitArea(header.width, header.height, IMAGE_SETTINGS.previewPixels);
  const out = outputPath(workDir, "small", "webp");
  try {
    const info = await sharp(sourcePath, decodeOptions(options))
      .rotate()
      .resize(target.width, target.height, { fit: "fill" })
      .webp(IMAGE_SETTINGS.preview)
      .toFile(out);
    return { path: out, contentType: "image/webp", ext: "webp", size: info.size, width: info.width, height: info.height };
  } catch (error) {
    await fs.rm(out, { force: true });
    throw imageError(error);
  }
}

type OriginalFormat = "jpeg" | "webp" | "webp-lossless";

function originalFormat(mime: string, hasAlpha: boolean): OriginalFormat {
  switch (mime) {
    case "image/jpeg":
      return "jpeg";
    case "image/heic":
    case "image/heif":
    case "image/avif":
      return hasAlpha ? "webp" : "jpeg";
    case "image/webp":
      return "webp";
    default:
      return "webp-lossless"; // PNG, APNG's first frame, GIF
  }
}

/** Writes the bounded, re-encoded original (page 0 of an animation). */
async function writeOriginal(inputPath: string, sniffed: SniffedType, header: ImageHeader, workDir: string): Promise<OutputFile> {
  const target = fitArea(header.width, header.height, MEDIA_LIMITS.imageMatrix);
  const format = originalFormat(sniffed.mime, header.hasAlpha);
  const ext = format === "jpeg" ? "jpg" : "webp";
  const out = outputPath(workDir, "original", ext);
  try {
    let pipeline = sharp(inputPath, decodeOptions()).rotate();
    if (target.width !== header.width) pipeline = pipeline.resize(target.width, target.height, { fit: "fill" });
    pipeline =
      format === "jpeg"
        ? pipeline.jpeg(IMAGE_SETTINGS.originalJpeg)
        : format === "webp"
          ? pipeline.webp(IMAGE_SETTINGS.originalWebp)
          : pipeline.webp(IMAGE_SETTINGS.originalLossless);
    const info = await pipeline.toFile(out);
    return { path: out, contentType: format === "jpeg" ? "image/jpeg" : "image/webp", ext, size: info.size, width: info.width, height: info.height };
  } catch (error) {
    await fs.rm(out, { force: true });
    throw imageError(error);
  }
}

/** A still image (or the first frame of an animation when it cannot become a gifv). */
export async function processStillImage(inputPath: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia> {
  return imageGate.run(async () => {
    const header = await readImageHeader(inputPath);
    const original = await writeOriginal(inputPath, sniffed, header, workDir);
    const oriented: ImageHeader = { ...header, width: original.width!, height: original.height!, pages: 1 };
    // The preview is made from the bounded original, never from the (possibly 100-megapixel) upload.
    const preview = await writePreview(original.path, workDir, oriented);
    const blurhash = await blurhashOf(preview.path);
    // meta.original describes the file served, which may have been downscaled from the upload.
    const meta: MediaMeta = { original: sizeMeta(original.width!, original.height!), small: sizeMeta(preview.width!, preview.height!) };
    return { kind: "image", original, preview, blurhash, meta };
  });
}

/** A preview of an image on its own (a custom thumbnail, a remote image for the cache). */
export async function processPreviewOnly(inputPath: string, workDir: string): Promise<PreviewResult> {
  return imageGate.run(async () => {
    const header = await readImageHeader(inputPath);
    const preview = await writePreview(inputPath, workDir, header);
    const blurhash = await blurhashOf(preview.path);
    return { preview, blurhash, small: sizeMeta(preview.width!, preview.height!), source: { width: header.width, height: header.height } };
  });
}
