// Still images with sharp (libvips): orientation applied, every piece of metadata dropped (EXIF,
// GPS, XMP, IPTC, comments; colour converted to sRGB and the ICC profile dropped), the original
// re-encoded and bounded, and a WebP preview sized like Mastodon's "small".
//
// Why these formats and settings. Measured with `./skein bench media` (SSIM on luma against the
// upload resized to the same size with Lanczos-3; Mastodon's libvips path reproduced: same sizes,
// JPEG Q75 / PNG in the uploaded format):
// - Previews are what timelines load — most of a server's media egress — so they carry most of
//   the saving. They keep Mastodon's 230,400-pixel area (640×360 worth): on a phone or a HiDPI
//   screen that is already fewer pixels than the display has, so fewer would look blurry; the saving
//   comes from the codec. Every Mastodon client shows WebP (browsers since 2020, Android and iOS
//   natively); AVIF would save more but Android ≤ 11 cannot decode it.
//   · from photos (JPEG, lossy WebP, HEIC/AVIF, video posters): lossy WebP q81 with libwebp's
//     "photo" preset, smart deblocking and effort 6 — Mastodon's SSIM within the bench's 0.005
//     (12 MP photo: −0.004 in 0.72 of the bytes; 1080p photo: +0.13, Mastodon's shrink-on-load
//     blurs it, in 0.48 of the bytes). Effort 6 takes ~0.15 s on 230,400 pixels and saves 2–4 %
//     at equal SSIM; q80 falls 0.006–0.007 below on the 12 MP photo. The default preset is erratic on
//     grainy photos (q78 scored below q75);
//   · from PNG (screenshots, drawings, logos): near-lossless WebP (preprocessing level 60) — SSIM
//     ≥ 0.998 where Mastodon's PNG preview is exact, in a third of the bytes; lossy WebP would
//     blur text (SSIM −0.03);
//   · from GIF (palette images, gifv posters): lossless WebP, exact, ~0.7 of Mastodon's PNG.
//   · one Lanczos-3 resize from the upload's own pixels: no shrink-on-load, not from the
//     re-encoded original, not from the downscaled original (two resamplings): each of those
//     cost 0.03-0.05 SSIM on fine detail.
// - Photo originals (JPEG, lossy WebP, HEIC, AVIF) become WebP q67 ("photo" preset, effort 4):
//   Mastodon's SSIM within 0.005 (12 MP photo: 0.972 vs 0.970 in 0.42 of its bytes; 1080p photo:
//   0.977 vs 0.981 — 0.0044 below, the closest of the corpus — in 0.50). Only q78 and up hold
//   the 1080p photo's SSIM strictly (169 K, 0.6 of Mastodon's); q70 scores 0.0006 more than q67
//   for 2 % more bytes; q65–66 fall 0.005–0.007 below (libwebp's steps are uneven here). Rejected:
//   effort 5–6 (4 % fewer bytes but 0.003–0.007 less SSIM at the same q: no gain at equal SSIM,
//   and 2.2 s on 8 MP at effort 6), smartSubsample (libwebp's sharp-YUV conversion: chroma only,
//   the same luma SSIM, twice the time), the default preset (−0.045 on the 12 MP photo). WebP is
//   what every client and every federated server (Mastodon, Misskey, Pleroma, GoToSocial) reads;
//   AVIF would halve the original again at equal SSIM, but would not open on older Android phones
//   or on servers whose image library lacks libheif, so it is not used for anything a client or a
//   remote server must decode. An original wider or taller than WebP's 16,383 pixels becomes a
//   mozjpeg JPEG (q82) instead, or a PNG when it was exact.
// - PNG and GIF originals become lossless WebP: pixel-identical, alpha kept, ~0.55 of the PNG.
//   libwebp's lossless encoder holds ~40 bytes per pixel while it works (343 MB for 8.3 MP), so
//   above 4.2 MP (a 2560×1600 screenshot) the original is a PNG again (zlib 9, adaptive filters:
//   ~30 MB whatever the size) — memory is the scarcer resource on a two-core server.
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Metadata, ResizeOptions, Sharp, SharpOptions, WebpOptions } from "sharp";
import { sharp } from "./sharp.ts";
import { blurhashOf } from "./blurhash.ts";
import { imageGate } from "./gate.ts";
import { MEDIA_LIMITS } from "./limits.ts";
import { MediaError, type MediaMeta, type OutputFile, type PreviewResult, type ProcessedMedia, type SniffedType } from "./types.ts";

/** The encoder settings, exported so the benchmark reports exactly what runs. */
export const IMAGE_SETTINGS = {
  /** Mastodon's "small": 640×360 = 230,400 pixels of area, whatever the aspect. */
  previewPixels: 230_400,
  /** Previews of photographic sources. */
  preview: { quality: 81, preset: "photo", smartDeblock: true, effort: 6, alphaQuality: 90 },
  /** Previews of PNG sources: near-lossless WebP. */
  previewNearLossless: { nearLossless: true, quality: 60, effort: 4 },
  /** Previews of GIF sources (palette images): lossless WebP. */
  previewLossless: { lossless: true, effort: 4 },
  /** Originals of photographic sources. */
  originalWebp: { quality: 67, preset: "photo", effort: 4, alphaQuality: 95 },
  /** Originals of PNG/GIF sources. */
  originalLossless: { lossless: true, effort: 4 },
  /** Lossless originals above this many pixels are PNG, not lossless WebP (encoder memory). */
  losslessWebpMaxPixels: 4_194_304,
  originalPng: { compressionLevel: 9, adaptiveFiltering: true },
  /** Originals too wide or tall for WebP (16,383 px a side). */
  originalJpeg: { quality: 82, mozjpeg: true },
  /** WebP's largest side. */
  webpMaxSide: 16_383,
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
    m = await sharp()(inputPath, { limitInputPixels: false }).metadata();
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

/** The largest size with the same aspect, at most `maxPixels` of area and `maxSide` a side (never enlarged). */
export function fitArea(width: number, height: number, maxPixels: number, maxSide: number = Infinity): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)), maxSide / Math.max(width, height));
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** A fresh file name in workDir (the pipeline writes nowhere else). */
export function outputPath(workDir: string, stem: string, ext: string): string {
  return path.join(workDir, `${stem}-${randomBytes(6).toString("hex")}.${ext}`);
}

export function sizeMeta(width: number, height: number): { width: number; height: number; size: string; aspect: number } {
  return { width, height, size: `${width}x${height}`, aspect: width / height };
}

/** How a preview is encoded, from the source's format (see IMAGE_SETTINGS). */
export type PreviewEncoding = "photo" | "near-lossless" | "lossless";

export function previewEncodingFor(format: string): PreviewEncoding {
  return format === "gif" ? "lossless" : format === "png" ? "near-lossless" : "photo";
}

function previewOptions(encoding: PreviewEncoding): WebpOptions {
  return encoding === "lossless" ? IMAGE_SETTINGS.previewLossless : encoding === "near-lossless" ? IMAGE_SETTINGS.previewNearLossless : IMAGE_SETTINGS.preview;
}

/** Writes the preview of any decodable image: WebP, at most previewPixels of area, oriented, stripped.
 * `encoding`: default from the source's format, see IMAGE_SETTINGS. */
export async function writePreview(sourcePath: string, workDir: string, header: ImageHeader, encoding: PreviewEncoding = previewEncodingFor(header.format)): Promise<OutputFile> {
  // No shrink-on-load: libjpeg's and libwebp's fast downscaling while decoding is a box filter
  // that costs 0.03-0.04 SSIM on text and fine detail; Lanczos-3 on the full decode keeps it.
  return writeWebpPreview(sharp()(sourcePath, decodeOptions()).rotate(), header, { fastShrinkOnLoad: false }, encoding, workDir);
}

/** The preview of `image` (`size` its upright dimensions) as WebP at the preview's pixel area. */
async function writeWebpPreview(image: Sharp, size: { width: number; height: number }, resize: ResizeOptions, encoding: PreviewEncoding, workDir: string): Promise<OutputFile> {
  const target = fitArea(size.width, size.height, IMAGE_SETTINGS.previewPixels, IMAGE_SETTINGS.webpMaxSide);
  const out = outputPath(workDir, "small", "webp");
  try {
    const info = await image.resize(target.width, target.height, { fit: "fill", ...resize }).webp(previewOptions(encoding)).toFile(out);
    return { path: out, contentType: "image/webp", ext: "webp", size: info.size, width: info.width, height: info.height };
  } catch (error) {
    await fs.rm(out, { force: true });
    throw imageError(error);
  }
}

type OriginalFormat = "jpeg" | "webp" | "webp-lossless" | "png";

function originalFormat(mime: string, raw: { width: number; height: number }): OriginalFormat {
  const lossless = mime === "image/png" || mime === "image/apng" || mime === "image/gif";
  if (Math.max(raw.width, raw.height) > IMAGE_SETTINGS.webpMaxSide) return lossless ? "png" : "jpeg";
  if (!lossless) return "webp";
  return raw.width * raw.height > IMAGE_SETTINGS.losslessWebpMaxPixels ? "png" : "webp-lossless";
}

const ORIGINAL_TYPES: Record<OriginalFormat, { ext: string; contentType: string }> = {
  jpeg: { ext: "jpg", contentType: "image/jpeg" },
  webp: { ext: "webp", contentType: "image/webp" },
  "webp-lossless": { ext: "webp", contentType: "image/webp" },
  png: { ext: "png", contentType: "image/png" },
};

/** Decoded pixels, oriented, sRGB, 8 bits per channel. */
interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Decodes the upload once (page 0 of an animation), oriented and bounded to the original's area:
 * at most 8.3 MP × 4 bytes = 33 MB held, one image at a time (gate.ts). */
async function decodeBounded(inputPath: string, header: ImageHeader): Promise<RawImage> {
  // JPEG's own limit is 65,535 px a side; a wider image is scaled to fit it.
  const target = fitArea(header.width, header.height, MEDIA_LIMITS.imageMatrix, 65_535);
  try {
    let pipeline = sharp()(inputPath, decodeOptions()).rotate();
    if (target.width !== header.width) pipeline = pipeline.resize(target.width, target.height, { fit: "fill", fastShrinkOnLoad: false });
    const { data, info } = await pipeline.toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw imageError(error);
  }
}

function fromRaw(raw: RawImage): Sharp {
  return sharp()(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
}

/** The bounded, re-encoded original, from the decoded pixels (nothing of the upload's metadata can
 * survive: raw pixels carry none). */
async function writeOriginal(raw: RawImage, format: OriginalFormat, workDir: string): Promise<OutputFile> {
  const { ext, contentType } = ORIGINAL_TYPES[format];
  const out = outputPath(workDir, "original", ext);
  try {
    const pipeline = fromRaw(raw);
    const encoded =
      format === "jpeg"
        ? pipeline.flatten({ background: "#ffffff" }).jpeg(IMAGE_SETTINGS.originalJpeg)
        : format === "png"
          ? pipeline.png(IMAGE_SETTINGS.originalPng)
          : format === "webp"
            ? pipeline.webp(IMAGE_SETTINGS.originalWebp)
            : pipeline.webp(IMAGE_SETTINGS.originalLossless);
    const info = await encoded.toFile(out);
    return { path: out, contentType, ext, size: info.size, width: info.width, height: info.height };
  } catch (error) {
    await fs.rm(out, { force: true });
    throw imageError(error);
  }
}

/** The preview from the same decoded pixels — not from the re-encoded original: a second lossy
 * generation costs 0.04 SSIM on fine detail (measured on the bench's 1080p photo). */
async function writePreviewFromRaw(raw: RawImage, encoding: PreviewEncoding, workDir: string): Promise<OutputFile> {
  return writeWebpPreview(fromRaw(raw), raw, {}, encoding, workDir);
}

/** A still image (or the first frame of an animation when it cannot become a gifv). */
export async function processStillImage(inputPath: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia> {
  return imageGate.run(async () => {
    const header = await readImageHeader(inputPath);
    const raw = await decodeBounded(inputPath, header);
    const original = await writeOriginal(raw, originalFormat(sniffed.mime, raw), workDir);
    const encoding = previewEncodingFor(header.format);
    // Pixels already in memory when the original kept the upload's size; a second (streaming) decode
    // of the upload when it was downscaled, so the preview is resampled once.
    const preview = raw.width === header.width && raw.height === header.height
      ? await writePreviewFromRaw(raw, encoding, workDir)
      : await writePreview(inputPath, workDir, header, encoding);
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
