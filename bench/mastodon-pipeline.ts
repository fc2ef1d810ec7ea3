// Mastodon's media pipeline for the uploads in `./skein bench media`, reproduced with the same
// libraries (libvips through sharp, ffmpeg) so the two servers are compared on settings, not on
// tooling. Read from Mastodon's source (not copied):
//
//   app/models/media_attachment.rb   IMAGE_STYLES: original bounded to 8,294,400 pixels of area
//                                    (3840×2160), small = 230,400 pixels of area (640×360), both
//                                    in the uploaded format (no `format:` key: JPEG stays JPEG,
//                                    PNG stays PNG); GLOBAL_CONVERT_OPTIONS "-quality 90" (the
//                                    ImageMagick path); an animated GIF takes VIDEO_CONVERTED_STYLES:
//                                    original = VIDEO_FORMAT (H.264 MP4: preset veryfast, yuv420p,
//                                    even crop, faststart, metadata dropped), small = a PNG of the
//                                    first frame at most 640 px wide and high (VIDEO_STYLES[:small])
//   lib/paperclip/vips_lazy_thumbnail.rb  the libvips path (default since 4.4, mastodon#34741):
//                                    target box from the pixel area (PixelGeometryParser),
//                                    Vips::Image.thumbnail(size: :down), metadata removed except
//                                    the ICC profile, saved with save_options — Q 90 + interlace
//                                    only when a style sets format 'jpg', which IMAGE_STYLES does
//                                    not, so JPEG and PNG are written with libvips' defaults
//                                    (jpegsave Q 75, 4:2:0, baseline; pngsave compression 6, no filter)
//   lib/paperclip/lazy_thumbnail.rb  the ImageMagick path (before 4.4, or MASTODON_USE_LIBVIPS=false):
//                                    "-quality 90" for every style; ImageMagick writes JPEG at
//                                    quality ≥ 90 without chroma subsampling, and reads PNG
//                                    "quality 90" as zlib level 9 with no row filter
//   lib/paperclip/gif_transcoder.rb, lib/paperclip/transcoder.rb  animated GIF → Transcoder;
//                                    b:v = width × height × 30 × 0.11 bit/s (BITS_PER_PIXEL, in
//                                    kbit/s), maxrate = that + 192k, bufsize = 5 × that; the small
//                                    style is one frame at -ss 0 written by ffmpeg as PNG
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { OutputFile, ProcessedMedia } from "../src/media/types.ts";

export type MastodonEngine = "libvips" | "imagemagick";

export const MASTODON = {
  originalPixels: 8_294_400,
  smallPixels: 230_400,
  gifvBitsPerPixel: 0.11,
  gifvSmallMaxSide: 640,
} as const;

/** PixelGeometryParser: the box of `pixels` area with the source's aspect ratio. */
export function pixelBox(width: number, height: number, pixels: number): { width: number; height: number } {
  return {
    width: Math.round(Math.sqrt(pixels * (width / height))),
    height: Math.round(Math.sqrt(pixels * (height / width))),
  };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

async function outputFile(file: string, contentType: string, ext: string): Promise<OutputFile> {
  const size = fs.statSync(file).size;
  const meta = await sharp(file).metadata().catch(() => null);
  return { path: file, contentType, ext, size, width: meta?.width, height: meta?.height };
}

/** One style of a still image: Vips::Image.thumbnail into the pixel box (never enlarging), same format. */
async function stillStyle(input: string, dest: string, format: "jpeg" | "png", pixels: number, engine: MastodonEngine): Promise<void> {
  const meta = await sharp(input).metadata();
  const box = pixelBox(meta.width!, meta.height!, pixels);
  let image = sharp(input).rotate();
  if (meta.width! * meta.height! > pixels) image = image.resize(box.width, box.height, { fit: "inside", withoutEnlargement: true, kernel: "lanczos3" });
  if (format === "jpeg") {
    image = engine === "libvips"
      ? image.jpeg({ quality: 75, chromaSubsampling: "4:2:0", progressive: false, optimiseCoding: false })
      : image.jpeg({ quality: 90, chromaSubsampling: "4:4:4", progressive: false, optimiseCoding: true });
  } else {
    image = engine === "libvips" ? image.png({ compressionLevel: 6, adaptiveFiltering: false }) : image.png({ compressionLevel: 9, adaptiveFiltering: false });
  }
  await image.toFile(dest);
}

/** An animated GIF: MP4 original (VIDEO_FORMAT + Transcoder's bitrate) and a PNG of frame 0. */
async function gifv(input: string, workDir: string, ffmpeg: string, width: number, height: number): Promise<ProcessedMedia> {
  const original = path.join(workDir, "mastodon-original.mp4");
  const small = path.join(workDir, "mastodon-small.png");
  const kbps = (width * height * 30 * MASTODON.gifvBitsPerPixel) / 1000;
  await run(ffmpeg, [
    "-nostdin", "-i", input, "-loglevel", "fatal", "-preset", "veryfast", "-movflags", "faststart", "-pix_fmt", "yuv420p",
    "-vf", "crop=floor(iw/2)*2:floor(ih/2)*2", "-c:v", "h264", "-c:a", "aac", "-b:a", "192k", "-map_metadata", "-1",
    "-frames:v", "36000", "-b:v", `${kbps}k`, "-maxrate", `${kbps + 192}k`, "-bufsize", `${kbps * 5}k`, "-y", original,
  ]);
  const side = MASTODON.gifvSmallMaxSide;
  await run(ffmpeg, [
    "-nostdin", "-ss", "0", "-i", input, "-loglevel", "fatal",
    "-vf", `scale='min(${side}, iw)':'min(${side}, ih)':force_original_aspect_ratio=decrease`, "-f", "image2", "-vframes", "1", "-y", small,
  ]);
  const originalFile = await outputFile(original, "video/mp4", "mp4");
  originalFile.width = width - (width % 2);
  originalFile.height = height - (height % 2);
  return { kind: "gifv", original: originalFile, preview: await outputFile(small, "image/png", "png"), blurhash: null, meta: {} };
}

/**
 * Processes an upload the way Mastodon does (JPEG, PNG and animated GIF: the corpus' formats).
 * `engine` picks libvips (Mastodon 4.4+ default) or ImageMagick (earlier, and still selectable).
 */
export async function mastodonProcess(input: string, options: { workDir: string; ffmpeg: string; engine?: MastodonEngine }): Promise<ProcessedMedia> {
  const engine = options.engine ?? "libvips";
  fs.mkdirSync(options.workDir, { recursive: true });
  const meta = await sharp(input, { animated: true }).metadata();
  const width = meta.width!;
  const height = meta.pageHeight ?? meta.height!;
  if (meta.format === "gif" && (meta.pages ?? 1) > 1) return gifv(input, options.workDir, options.ffmpeg, width, height);
  if (meta.format !== "jpeg" && meta.format !== "png") throw new Error(`the Mastodon reproduction handles JPEG, PNG and animated GIF, not ${meta.format}`);
  const format = meta.format;
  const ext = format === "jpeg" ? "jpg" : "png";
  const contentType = format === "jpeg" ? "image/jpeg" : "image/png";
  const original = path.join(options.workDir, `mastodon-${engine}-original.${ext}`);
  const small = path.join(options.workDir, `mastodon-${engine}-small.${ext}`);
  // Paperclip processes each style from the upload itself: two decodes, as in Mastodon.
  await stillStyle(input, original, format, MASTODON.originalPixels, engine);
  await stillStyle(input, small, format, MASTODON.smallPixels, engine);
  return { kind: "image", original: await outputFile(original, contentType, ext), preview: await outputFile(small, contentType, ext), blurhash: null, meta: {} };
}
