// The media pipeline's public face: files on disk in, processed files on disk out.
//
// Contract for callers (domain/media/, the remote-media cache, profiles, emojis):
// - `workDir` is an existing, private, empty directory the caller made for this job (e.g. with
//   fs.mkdtemp under os.tmpdir()). The pipeline writes only there, under names it chooses, and
//   never deletes the input. The CALLER removes workDir (fs.rm(workDir, {recursive: true,
//   force: true})) once it has moved the outputs into storage — on success and on failure.
// - Refusals are MediaError: "unsupported" (not a type Skein accepts), "too_large" (bytes, pixels,
//   duration, frame rate — the API answers 413 or 422), "invalid" (damaged, truncated, empty),
//   "no_ffmpeg" (video/audio on a server without ffmpeg). Messages are written for the user.
// - Work is bounded: images are decoded one (or N) at a time (gate.ts), transcodes likewise, each
//   child process has a deadline.
import fs from "node:fs/promises";
import path from "node:path";
import { ffmpegAvailable, setFfmpegPath } from "./ffmpeg.ts";
import { setMediaConcurrency } from "./gate.ts";
import { processPreviewOnly, processStillImage, readImageHeader } from "./image.ts";
import { MEDIA_LIMITS } from "./limits.ts";
import { sniffAccepted } from "./sniff.ts";
import { MediaError, type PreviewResult, type ProcessedMedia, type SniffedType } from "./types.ts";
import { processAudio, processGifv, processVideo } from "./video.ts";

export { MEDIA_LIMITS, acceptedMimeTypes, heifDecodable } from "./limits.ts";
export { sniffFile } from "./sniff.ts";
export { ffmpegAvailable, setFfmpegPath } from "./ffmpeg.ts";
export { blurhashOf, blurhashComponents } from "./blurhash.ts";
export { IMAGE_SETTINGS } from "./image.ts";
export { VIDEO_SETTINGS } from "./video.ts";
export { setMediaConcurrency } from "./gate.ts";
export { processProfileImage, processEmoji, PROFILE_SIZES, EMOJI_LIMITS } from "./profile-image.ts";
export * from "./types.ts";

/** Applies config.media.pipeline (FFMPEG_PATH, MEDIA_IMAGE_CONCURRENCY, MEDIA_FFMPEG_CONCURRENCY);
 * called once per process at start. Without it: ffmpeg from PATH, one image and one transcode at once. */
export function configureMediaPipeline(options: { ffmpegPath: string | null; imageConcurrency: number; ffmpegConcurrency: number }): void {
  setFfmpegPath(options.ffmpegPath);
  setMediaConcurrency({ images: options.imageConcurrency, ffmpeg: options.ffmpegConcurrency });
}

export interface ProcessOptions {
  /** Existing directory for this job's outputs; the caller removes it afterwards. */
  workDir: string;
  /** Whether to use ffmpeg (default: whether it is installed). false: video/audio are refused
   * and an animated GIF becomes a still image. */
  ffmpeg?: boolean;
}

async function checkWorkDir(workDir: string): Promise<void> {
  if (!path.isAbsolute(workDir)) throw new Error("media pipeline: workDir must be an absolute path");
  const stat = await fs.stat(workDir);
  if (!stat.isDirectory()) throw new Error("media pipeline: workDir must be a directory");
}

async function checkBytes(inputPath: string, sniffed: SniffedType): Promise<void> {
  const size = (await fs.stat(inputPath)).size;
  const max = sniffed.kind === "image" && sniffed.mime !== "image/gif" ? MEDIA_LIMITS.imageBytes : MEDIA_LIMITS.videoBytes;
  if (size > max) {
    throw new MediaError("too_large", `The file is ${(size / 1024 / 1024).toFixed(1)} MiB; at most ${Math.round(max / 1024 / 1024)} MiB are accepted for this type.`);
  }
}

/** Whether the image is an animation ffmpeg can turn into a gifv. */
async function isAnimation(inputPath: string, sniffed: SniffedType): Promise<boolean> {
  if (sniffed.mime === "image/apng") return true;
  if (sniffed.mime !== "image/gif" && sniffed.mime !== "image/webp") return false;
  const header = await readImageHeader(inputPath);
  return header.pages > 1;
}

/** Processes an upload: sniff, bound, re-encode, preview, blurhash, meta. */
export async function processMedia(inputPath: string, options: ProcessOptions): Promise<ProcessedMedia> {
  await checkWorkDir(options.workDir);
  const sniffed = await sniffAccepted(inputPath);
  await checkBytes(inputPath, sniffed);
  const ffmpeg = options.ffmpeg ?? (await ffmpegAvailable());
  if (sniffed.kind === "image") {
    // Without ffmpeg an animated GIF/WebP/PNG is kept as its first frame, a still image (Mastodon
    // needs ffmpeg for this too); with it, a silent looping MP4 like Mastodon's gifv.
    if (ffmpeg && (await isAnimation(inputPath, sniffed))) return processGifv(inputPath, sniffed, options.workDir);
    return processStillImage(inputPath, sniffed, options.workDir);
  }
  if (!ffmpeg) {
    throw new MediaError("no_ffmpeg", sniffed.kind === "video" ? "This server cannot process video (ffmpeg is not installed)." : "This server cannot process audio (ffmpeg is not installed).");
  }
  return sniffed.kind === "video" ? processVideo(inputPath, sniffed, options.workDir) : processAudio(inputPath, sniffed, options.workDir);
}

async function previewOfImage(inputPath: string, workDir: string): Promise<PreviewResult> {
  await checkWorkDir(workDir);
  const sniffed = await sniffAccepted(inputPath);
  if (sniffed.kind !== "image") throw new MediaError("unsupported", "A preview can only be made of an image.");
  await checkBytes(inputPath, sniffed);
  return processPreviewOnly(inputPath, workDir);
}

/** A client's custom thumbnail (PUT /api/v1/media/:id `thumbnail`): WebP preview + blurhash + meta.small. */
export function processThumbnail(inputPath: string, workDir: string): Promise<PreviewResult> {
  return previewOfImage(inputPath, workDir);
}

/** The remote-media cache's preview of a remote image: the same size and settings as a local preview,
 * the same refusals (bombs, damaged files). */
export function processRemotePreview(inputPath: string, workDir: string): Promise<PreviewResult> {
  return previewOfImage(inputPath, workDir);
}
