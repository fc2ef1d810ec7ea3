// `./skein bench media --explore`: for each image that misses the target, which encoder settings
// would reach it — measured, not guessed. Each candidate is encoded at the size Skein serves
// (same preview and original dimensions as src/media/ produced), decoded, and scored with the
// same SSIM against the same reference as the main run. Since bytes per view = preview + original/10
// and the two quality conditions are separate, the cheapest passing preview plus the cheapest
// passing original is the cheapest passing pair.
//
// Every candidate is made from the upload in one Lanczos-3 resize without the decoder's
// shrink-on-load (Skein's current files are the main table's rows, not repeated here). AVIF originals use effort 2 (effort 4
// on an 8-megapixel photo takes tens of seconds on one core); previews use effort 4.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp, { type Sharp, type WebpOptions } from "sharp";
import type { CorpusImage } from "./media-images.ts";
import { round } from "./measure.ts";
import { lumaOfFile, ssim, type Luma } from "./ssim.ts";

export interface Trial {
  setting: string;
  bytes: number;
  ssim: number;
  passes: boolean;
}

export interface Exploration {
  image: string;
  /** Mastodon's figures the candidates must match (SSIM − tolerance) and beat (bytes). */
  mastodon: { preview_ssim: number; original_ssim: number; bytes_per_view: number };
  preview: Trial[];
  original: Trial[];
  best: { preview: Trial | null; original: Trial | null; bytes_per_view: number | null; ratio: number | null };
}

type StillCandidate = { setting: string; encode: (image: Sharp) => Sharp };

const webp = (quality: number, extra: WebpOptions = {}): StillCandidate => ({
  setting: `webp q${quality}${extra.nearLossless ? " near-lossless" : ""}${extra.preset ? ` ${extra.preset}` : ""}`,
  encode: (i) => i.webp({ quality, effort: 4, ...extra }),
});
const photo = { preset: "photo" } as const;
const avif = (quality: number, effort: number, chroma: "4:2:0" | "4:4:4" = "4:2:0"): StillCandidate => ({ setting: `avif q${quality} e${effort}${chroma === "4:4:4" ? " 4:4:4" : ""}`, encode: (i) => i.avif({ quality, effort, chromaSubsampling: chroma }) });
const jpeg = (quality: number): StillCandidate => ({ setting: `jpeg mozjpeg q${quality}`, encode: (i) => i.jpeg({ quality, mozjpeg: true }) });
const lossless: StillCandidate = { setting: "webp lossless", encode: (i) => i.webp({ lossless: true, effort: 4 }) };

const PREVIEW_CANDIDATES: StillCandidate[] = [webp(75, photo), webp(85, photo), webp(75), webp(85), webp(90), webp(95), webp(60, { nearLossless: true }), lossless, avif(55, 4), avif(65, 4), avif(75, 4), avif(75, 4, "4:4:4"), jpeg(80), jpeg(90)];
const PHOTO_ORIGINAL_CANDIDATES: StillCandidate[] = [webp(65, photo), webp(70, photo), webp(75, photo), webp(80, photo), webp(90), jpeg(75), jpeg(80), jpeg(85), avif(50, 2), avif(65, 2)];
const GRAPHIC_ORIGINAL_CANDIDATES: StillCandidate[] = [lossless, webp(60, { nearLossless: true }), webp(80, { nearLossless: true }), webp(90), webp(95), avif(75, 2, "4:4:4")];
const GIFV_CANDIDATES = [
  { setting: "x264 veryfast crf 26", args: ["-preset", "veryfast", "-crf", "26"] },
  { setting: "x264 veryfast crf 23", args: ["-preset", "veryfast", "-crf", "23"] },
  { setting: "x264 veryfast crf 21", args: ["-preset", "veryfast", "-crf", "21"] },
  { setting: "x264 slow crf 23", args: ["-preset", "slow", "-crf", "23"] },
  { setting: "x264 slow crf 21", args: ["-preset", "slow", "-crf", "21"] },
  { setting: "x264 slow crf 19", args: ["-preset", "slow", "-crf", "19"] },
];

async function stillTrials(input: string, size: { width: number; height: number }, reference: Luma, candidates: StillCandidate[], floor: number, workDir: string): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const out = path.join(workDir, `trial-${i}`);
    const resized = sharp(input, { limitInputPixels: 200_000_000 }).rotate().resize(size.width, size.height, { fit: "fill", kernel: "lanczos3", fastShrinkOnLoad: false });
    const info = await candidate.encode(resized).toFile(out);
    const score = ssim(reference, await lumaOfFile(out));
    trials.push({ setting: candidate.setting, bytes: info.size, ssim: round(score, 4), passes: score >= floor });
    fs.rmSync(out, { force: true });
  }
  return trials;
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", ["-nostdin", "-loglevel", "error", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed: ${stderr}`))));
  });
}

async function gifvTrials(source: CorpusImage, floor: number, workDir: string, score: (file: string) => Promise<number>): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (const [i, candidate] of GIFV_CANDIDATES.entries()) {
    const out = path.join(workDir, `trial-${i}.mp4`);
    await ffmpeg(["-i", source.path, "-an", "-c:v", "libx264", ...candidate.args, "-pix_fmt", "yuv420p", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-movflags", "+faststart", "-map_metadata", "-1", "-y", out]);
    const s = await score(out);
    trials.push({ setting: candidate.setting, bytes: fs.statSync(out).size, ssim: round(s, 4), passes: s >= floor });
    fs.rmSync(out, { force: true });
  }
  return trials;
}

const cheapest = (trials: Trial[]): Trial | null => trials.filter((t) => t.passes).sort((a, b) => a.bytes - b.bytes)[0] ?? null;

export interface ExploreInput {
  source: CorpusImage;
  /** The sizes and type Skein served. */
  skein: { preview: { width: number; height: number }; original: { width: number; height: number; contentType: string } };
  mastodon: { preview_ssim: number; original_ssim: number; bytes_per_view: number };
  tolerance: number;
  workDir: string;
  /** Scores a video file against the source (the main run's frame-by-frame SSIM). */
  videoScore: (file: string) => Promise<number>;
}

export async function exploreSettings(input: ExploreInput): Promise<Exploration> {
  const { source, skein, mastodon, tolerance, workDir } = input;
  fs.mkdirSync(workDir, { recursive: true });
  const previewReference = await lumaOfFile(source.path, skein.preview);
  const preview = await stillTrials(source.path, skein.preview, previewReference, PREVIEW_CANDIDATES, mastodon.preview_ssim - tolerance, workDir);
  let original: Trial[];
  if (skein.original.contentType.startsWith("video/")) {
    original = await gifvTrials(source, mastodon.original_ssim - tolerance, workDir, input.videoScore);
  } else {
    const originalReference = await lumaOfFile(source.path, skein.original);
    const candidates = source.format === "jpeg" ? PHOTO_ORIGINAL_CANDIDATES : GRAPHIC_ORIGINAL_CANDIDATES;
    original = await stillTrials(source.path, skein.original, originalReference, candidates, mastodon.original_ssim - tolerance, workDir);
  }
  const best = { preview: cheapest(preview), original: cheapest(original) };
  const bytesPerView = best.preview && best.original ? best.preview.bytes + 0.1 * best.original.bytes : null;
  return {
    image: source.name,
    mastodon,
    preview,
    original,
    best: { ...best, bytes_per_view: bytesPerView === null ? null : round(bytesPerView, 0), ratio: bytesPerView === null ? null : round(bytesPerView / mastodon.bytes_per_view, 3) },
  };
}

export function printExplorations(explorations: Exploration[]): void {
  if (explorations.length === 0) return;
  console.log(`\nSettings that would reach the target (cheapest passing candidate at Skein's sizes; "—" = none passed)`);
  const show = (t: Trial | null) => (t ? `${t.setting} ${(t.bytes / 1024).toFixed(1)}K ${t.ssim.toFixed(4)}` : "—");
  console.log(`${"image".padEnd(19)} ${"preview".padEnd(44)} ${"original".padEnd(44)} ${"per view".padStart(9)} ${"×".padStart(6)}`);
  for (const e of explorations) {
    const perView = e.best.bytes_per_view === null ? "—" : `${(e.best.bytes_per_view / 1024).toFixed(1)}K`;
    console.log(`${e.image.padEnd(19)} ${show(e.best.preview).padEnd(44)} ${show(e.best.original).padEnd(44)} ${perView.padStart(9)} ${(e.best.ratio?.toFixed(2) ?? "—").padStart(6)}`);
  }
}
