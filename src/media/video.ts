// Video, audio and animated images with ffmpeg (see ffmpeg.ts for how the processes are held).
//
// Video → H.264 (yuv420p, High profile) + AAC in MP4 with the index up front (faststart, so
// playback starts before the download ends): what every browser and app plays. x264 "veryfast" at
// CRF 23 is the usual quality/time point for two cores (Mastodon: CRF 18 with a 1300 kbit/s cap);
// the maxrate cap bounds the bytes a view costs. Frames are scaled to at most 1920×1080 worth of
// area and 60 fps. An upload that is already H.264/AAC MP4 within those bounds is copied, not
// re-encoded (no generation loss, no CPU), with its metadata (GPS, device, dates) dropped.
// Animated GIF/WebP/PNG → a silent H.264 MP4 ("gifv"), which clients loop: typically a tenth of the
// GIF's bytes. Audio → AAC in M4A at 128 kbit/s (MP3 and AAC uploads are copied, tags dropped).
// A poster frame of every video and gifv becomes the WebP preview and the blurhash.
import fs from "node:fs/promises";
import { sharp } from "./sharp.ts";
import { blurhashOf } from "./blurhash.ts";
import { inputArgs, probe, runFfmpeg, type Probe } from "./ffmpeg.ts";
import { ffmpegGate, imageGate } from "./gate.ts";
import { decodeOptions, imageError, outputPath, readImageHeader, sizeMeta, writePreview, type ImageHeader } from "./image.ts";
import { MEDIA_LIMITS } from "./limits.ts";
import { MediaError, type MediaMeta, type OutputFile, type ProcessedMedia, type SniffedType } from "./types.ts";

/** The encoder settings, exported so the benchmark reports exactly what runs. */
export const VIDEO_SETTINGS = {
  preset: "veryfast",
  crf: 23,
  maxrate: "2500k",
  bufsize: "5000k",
  /** Uploads at or under this bitrate that are already H.264/AAC MP4 are copied. */
  passthroughMaxBitrate: 2_500_000,
  /** gifv: x264 "slow" + "animation" tuning at CRF 23. Measured on the bench's 480×270 GIF
   * (./skein bench media): 85 K at SSIM 0.9550 against Mastodon's 147 K at 0.9580, i.e. 0.58 of its
   * bytes within the bench's 0.005; "veryfast" CRF 22 took 100 K for 0.9549, "slow" CRF 23
   * without the tuning 85 K for 0.9534. The price, ~0.45 s instead of ~0.25 s for that GIF, is
   * paid once per upload; a gifv's MP4 is what Mastodon's web client autoplays on every view.
   * (CRF 26: 0.3 of the bytes but −0.018; Mastodon's fixed 0.11 bit/pixel is generous at this
   * size and starved at smaller ones.) */
  gifvPreset: "slow",
  gifvTune: "animation",
  gifvCrf: 23,
  audioBitrate: "128k",
  audioBitrateMono: "96k",
  threads: 2,
  /** Animated WebP is re-read as a GIF for ffmpeg (5.x cannot decode animated WebP); this many
   * pixels over all frames at most. */
  animatedWebpPixels: 30_000_000,
} as const;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** "0:01:28.65", as Mastodon writes meta.length. */
export function formatLength(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds - h * 3600 - m * 60;
  return `${h}:${String(m).padStart(2, "0")}:${s.toFixed(2).padStart(5, "0")}`;
}

/** Output frame size: at most `maxPixels` of area, both sides even (yuv420p needs it). */
export function evenFit(width: number, height: number, maxPixels: number): { width: number; height: number } {
  const scale = width * height > maxPixels ? Math.sqrt(maxPixels / (width * height)) : 1;
  const even = (n: number) => Math.max(2, Math.floor((n * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/** Seconds a transcode may take: generous for two busy cores, never unbounded. */
function transcodeDeadline(duration: number | null): number {
  return Math.min(30 * 60_000, 60_000 + Math.ceil((duration ?? MEDIA_LIMITS.videoDuration) * 8_000));
}

const COMMON_OUTPUT = ["-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"];

function audioMeta(p: Probe): Pick<MediaMeta, "audio_encode" | "audio_bitrate" | "audio_channels"> {
  if (!p.audio) return {};
  return {
    audio_encode: p.audio.profile ? `${p.audio.codec} (${p.audio.profile})` : p.audio.codec,
    audio_bitrate: p.audio.sampleRate ? `${p.audio.sampleRate} Hz` : undefined,
    audio_channels: p.audio.channelLayout ?? (p.audio.channels === 1 ? "mono" : p.audio.channels === 2 ? "stereo" : `${p.audio.channels} channels`),
  };
}

function videoMeta(final: Probe, preview: OutputFile, withAudio: boolean): MediaMeta {
  const v = final.video!;
  const duration = round2(final.duration ?? 0);
  return {
    length: formatLength(duration),
    duration,
    fps: Math.round(v.fps),
    ...sizeMeta(v.width, v.height),
    original: { width: v.width, height: v.height, frame_rate: v.frameRate, duration, bitrate: final.bitrate ?? undefined },
    small: sizeMeta(preview.width!, preview.height!),
    ...(withAudio ? audioMeta(final) : {}),
  };
}

function fileOf(pathname: string, contentType: string, ext: string, size: number, width?: number, height?: number): OutputFile {
  return { path: pathname, contentType, ext, size, width, height };
}

/** A still frame of the (already transcoded) MP4 → the WebP preview + blurhash. */
async function posterOf(mp4: string, duration: number | null, workDir: string): Promise<{ preview: OutputFile; blurhash: string | null }> {
  const png = outputPath(workDir, "poster", "png");
  // A little way in rather than frame 0, which is often black (a fade-in); Mastodon takes frame 0.
  const at = Math.min(1, (duration ?? 0) / 3);
  await runFfmpeg([...inputArgs(mp4, "video/mp4", ["-ss", at.toFixed(2)]), "-map", "0:v:0", "-frames:v", "1", "-c:v", "png", "-f", "image2", png], 60_000, "The poster frame could not be made");
  try {
    return await imageGate.run(async () => {
      const header = await readImageHeader(png);
      // The frame comes from a lossy H.264 stream: a lossy WebP preview.
      const preview = await writePreview(png, workDir, header, "photo");
      return { preview, blurhash: await blurhashOf(preview.path) };
    });
  } finally {
    await fs.rm(png, { force: true });
  }
}

function checkVideoBounds(p: Probe): void {
  const v = p.video!;
  if (v.width * v.height > MEDIA_LIMITS.videoMatrix) throw new MediaError("too_large", `The video is ${v.width}×${v.height} pixels; at most 3840×2160 are accepted.`);
  if (v.fps > MEDIA_LIMITS.videoFrameRate) throw new MediaError("too_large", `The video has ${Math.round(v.fps)} frames per second; at most ${MEDIA_LIMITS.videoFrameRate} are accepted.`);
  if (p.duration !== null && p.duration > MEDIA_LIMITS.videoDuration) {
    throw new MediaError("too_large", `The video is ${Math.round(p.duration)} seconds long; at most ${MEDIA_LIMITS.videoDuration / 60} minutes are accepted.`);
  }
}

function canCopyVideo(p: Probe, sniffed: SniffedType): boolean {
  const v = p.video!;
  return (
    (sniffed.mime === "video/mp4" || sniffed.mime === "video/x-m4v" || sniffed.mime === "video/quicktime") &&
    v.codec === "h264" &&
    v.pixFmt === "yuv420p" &&
    v.rotation === 0 &&
    v.width % 2 === 0 &&
    v.height % 2 === 0 &&
    v.width * v.height <= MEDIA_LIMITS.videoOutputMatrix &&
    v.fps <= MEDIA_LIMITS.videoOutputFrameRate &&
    (p.audio === null || p.audio.codec === "aac") &&
    p.bitrate !== null &&
    p.bitrate <= VIDEO_SETTINGS.passthroughMaxBitrate &&
    p.duration !== null
  );
}

/** A video upload → H.264/AAC MP4 + poster. */
export function processVideo(inputPath: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia> {
  return ffmpegGate.run(async () => {
    const p = await probe(inputPath, sniffed.mime);
    if (!p.video) {
      if (p.audio) return audioFromProbe(inputPath, sniffed, p, workDir);
      throw new MediaError("invalid", "The file has neither video nor sound.");
    }
    checkVideoBounds(p);
    const out = outputPath(workDir, "original", "mp4");
    const args = [...inputArgs(inputPath, sniffed.mime), "-map", "0:v:0", ...(p.audio ? ["-map", "0:a:0"] : []), "-t", String(MEDIA_LIMITS.videoDuration), ...COMMON_OUTPUT];
    if (canCopyVideo(p, sniffed)) {
      args.push("-c", "copy");
    } else {
      const size = evenFit(p.video.width, p.video.height, MEDIA_LIMITS.videoOutputMatrix);
      args.push(
        "-c:v", "libx264", "-preset", VIDEO_SETTINGS.preset, "-crf", String(VIDEO_SETTINGS.crf),
        "-maxrate", VIDEO_SETTINGS.maxrate, "-bufsize", VIDEO_SETTINGS.bufsize, "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-vf", `scale=${size.width}:${size.height}:flags=bicubic,setsar=1`, "-fpsmax", String(MEDIA_LIMITS.videoOutputFrameRate),
        "-threads", String(VIDEO_SETTINGS.threads),
      );
      if (p.audio) {
        args.push("-c:a", "aac", "-b:a", p.audio.channels === 1 ? VIDEO_SETTINGS.audioBitrateMono : VIDEO_SETTINGS.audioBitrate);
        if (p.audio.channels > 2) args.push("-ac", "2");
      }
    }
    args.push("-movflags", "+faststart", "-f", "mp4", out);
    await runFfmpeg(args, transcodeDeadline(p.duration), "The video could not be converted");
    const final = await probe(out, "video/mp4");
    if (!final.video) throw new MediaError("invalid", "The video could not be converted.");
    const { preview, blurhash } = await posterOf(out, final.duration, workDir);
    const size = (await fs.stat(out)).size;
    return {
      kind: "video",
      original: fileOf(out, "video/mp4", "mp4", size, final.video.width, final.video.height),
      preview,
      blurhash,
      meta: videoMeta(final, preview, true),
    };
  });
}

async function audioFromProbe(inputPath: string, sniffed: SniffedType, p: Probe, workDir: string): Promise<ProcessedMedia> {
  const a = p.audio!;
  if (p.duration !== null && p.duration > MEDIA_LIMITS.audioDuration) {
    throw new MediaError("too_large", `The recording is ${Math.round(p.duration / 60)} minutes long; at most ${MEDIA_LIMITS.audioDuration / 60} minutes are accepted.`);
  }
  // MP3 and AAC are copied as they are (no second lossy generation); everything else becomes AAC.
  const copyMp3 = sniffed.mime === "audio/mpeg" && a.codec === "mp3";
  const copyAac = (sniffed.mime === "audio/mp4" || sniffed.mime === "video/mp4") && a.codec === "aac" && (a.bitrate ?? Infinity) <= 320_000;
  const ext = copyMp3 ? "mp3" : "m4a";
  const out = outputPath(workDir, "original", ext);
  const args = [...inputArgs(inputPath, sniffed.mime), "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", String(MEDIA_LIMITS.audioDuration), ...COMMON_OUTPUT];
  if (copyMp3) args.push("-c:a", "copy", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", out);
  else if (copyAac) args.push("-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", out);
  else {
    args.push("-c:a", "aac", "-b:a", a.channels === 1 ? VIDEO_SETTINGS.audioBitrateMono : VIDEO_SETTINGS.audioBitrate);
    if (a.channels > 2) args.push("-ac", "2");
    args.push("-movflags", "+faststart", "-f", "mp4", out);
  }
  await runFfmpeg(args, transcodeDeadline(p.duration), "The audio could not be converted");
  const final = await probe(out, copyMp3 ? "audio/mpeg" : "audio/mp4");
  if (!final.audio) throw new MediaError("invalid", "The audio could not be converted.");
  const duration = round2(final.duration ?? 0);
  const size = (await fs.stat(out)).size;
  return {
    kind: "audio",
    original: fileOf(out, copyMp3 ? "audio/mpeg" : "audio/mp4", ext, size),
    preview: null,
    blurhash: null,
    meta: { length: formatLength(duration), duration, ...audioMeta(final), original: { duration, bitrate: final.bitrate ?? undefined } },
  };
}

/** An audio upload → M4A (AAC) or MP3, tags and cover art dropped. */
export function processAudio(inputPath: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia> {
  return ffmpegGate.run(async () => {
    const p = await probe(inputPath, sniffed.mime);
    if (!p.audio) throw new MediaError("invalid", "The file has no sound.");
    return audioFromProbe(inputPath, sniffed, p, workDir);
  });
}

/** Animated WebP → an animated GIF ffmpeg can read (bounded in pixels over all frames). */
async function webpAsGif(inputPath: string, header: ImageHeader, workDir: string): Promise<string> {
  if (header.width * header.height * header.pages > VIDEO_SETTINGS.animatedWebpPixels) {
    throw new MediaError("too_large", `The animation has too many frames (${header.pages} of ${header.width}×${header.height} pixels).`);
  }
  const gif = outputPath(workDir, "frames", "gif");
  try {
    await sharp()(inputPath, decodeOptions({ animated: true })).gif({ effort: 1 }).toFile(gif);
    return gif;
  } catch (error) {
    await fs.rm(gif, { force: true });
    throw imageError(error);
  }
}

/** An animated GIF/WebP/PNG → silent looping H.264 MP4 (Mastodon's gifv) + a poster of its first frame. */
export async function processGifv(inputPath: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia> {
  const { header, preview, blurhash, source } = await imageGate.run(async () => {
    // Each frame is decoded whole by ffmpeg: frames are held to the video matrix (8.3 MP), not 100 MP.
    const header = await readImageHeader(inputPath, MEDIA_LIMITS.videoMatrix);
    const preview = await writePreview(inputPath, workDir, header);
    const blurhash = await blurhashOf(preview.path);
    const source = sniffed.mime === "image/webp" ? { path: await webpAsGif(inputPath, header, workDir), mime: "image/gif" } : { path: inputPath, mime: sniffed.mime };
    return { header, preview, blurhash, source };
  });
  return ffmpegGate.run(async () => {
    const size = evenFit(header.width, header.height, MEDIA_LIMITS.videoOutputMatrix);
    const out = outputPath(workDir, "original", "mp4");
    await runFfmpeg(
      [
        ...inputArgs(source.path, source.mime), "-map", "0:v:0", "-an", "-t", String(MEDIA_LIMITS.videoDuration), ...COMMON_OUTPUT,
        "-c:v", "libx264", "-preset", VIDEO_SETTINGS.gifvPreset, "-tune", VIDEO_SETTINGS.gifvTune, "-crf", String(VIDEO_SETTINGS.gifvCrf), "-pix_fmt", "yuv420p",
        "-vf", `scale=${size.width}:${size.height}:flags=bicubic,setsar=1`, "-fpsmax", String(MEDIA_LIMITS.videoOutputFrameRate),
        "-threads", String(VIDEO_SETTINGS.threads), "-movflags", "+faststart", "-f", "mp4", out,
      ],
      transcodeDeadline(null),
      "The animation could not be converted",
    );
    if (source.path !== inputPath) await fs.rm(source.path, { force: true });
    const final = await probe(out, "video/mp4");
    if (!final.video) throw new MediaError("invalid", "The animation could not be converted.");
    const bytes = (await fs.stat(out)).size;
    return {
      kind: "gifv",
      original: fileOf(out, "video/mp4", "mp4", bytes, final.video.width, final.video.height),
      preview,
      blurhash,
      meta: videoMeta(final, preview, false),
    };
  });
}
