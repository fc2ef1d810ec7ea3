// The media pipeline without a server: files in, files out. Every input is generated here (sharp
// for images, ffmpeg's lavfi sources for video and sound, a hand-written PNG for the bomb), so the
// repository holds no binary fixtures. Asserts what a user would notice: GPS gone, photos upright,
// transparency kept, GIFs that play, videos with a poster, refusals that say why.
// skein-test: once (in-process, no database)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { deflateSync, crc32 } from "node:zlib";
import sharp, { type Sharp } from "sharp";
import { decode as decodeBlurhash, isBlurhashValid } from "blurhash";
import {
  MEDIA_LIMITS, MediaError, VIDEO_SETTINGS, acceptedMimeTypes, configureMediaPipeline, ffmpegAvailable, heifDecodable, processEmoji, processMedia, processProfileImage,
  processRemotePreview, processThumbnail, sniffFile,
} from "../../src/media/pipeline.ts";
import { runProcess } from "../../src/media/ffmpeg.ts";
import { Semaphore } from "../../src/media/gate.ts";
import { loadMediaConfig } from "../../src/config/media-config.ts";

let root: string;
let inputs: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "skein-media-test-"));
  inputs = path.join(root, "inputs");
  await fs.mkdir(inputs);
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A fresh work directory per job, as the domain makes them. */
async function workDir(): Promise<string> {
  return fs.mkdtemp(path.join(root, "job-"));
}

async function filesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

/** Photo-like pixels: a diagonal colour gradient with grain and a few hard edges — roughly what a
 * camera makes, written straight into a raw buffer (fast even at 12 MP; no fixtures). */
async function photoLike(width: number, height: number): Promise<Sharp> {
  const data = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p += 3) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed >> 16) % 25 - 12;
      const t = (x / width + y / height) / 2;
      const edge = ((x >> 7) + (y >> 7)) % 5 === 0 ? 40 : 0;
      data[p] = Math.max(0, Math.min(255, 40 + 180 * t + grain + edge));
      data[p + 1] = Math.max(0, Math.min(255, 160 - 60 * t + grain));
      data[p + 2] = Math.max(0, Math.min(255, 90 + 40 * Math.sin(x / 50) + grain - edge));
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

async function writeInput(name: string, bytes: Buffer | string): Promise<string> {
  const file = path.join(inputs, name);
  await fs.writeFile(file, bytes);
  return file;
}

async function rejects(promise: Promise<unknown>, kind: MediaError["kind"], message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected a MediaError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, message);
    return true;
  });
}

test("a phone photo: rotated upright by its EXIF orientation, GPS and every other metadata gone, bounded to 8.3 MP, a WebP preview and a blurhash", async () => {
  const photo = (await photoLike(4032, 3024))
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: "SkeinCam", Model: "Test 1" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2959/100", GPSLongitudeRef: "E", GPSLongitude: "2/1 17/1 4033/100", GPSMapDatum: "WGS-84" } })
    .jpeg({ quality: 92 });
  const input = path.join(inputs, "photo.jpg");
  await photo.toFile(input);
  const before = await sharp(input).metadata();
  assert.equal(before.orientation, 6);
  assert.ok(before.exif && before.exif.includes("WGS-84"), "the test photo carries GPS tags");

  const dir = await workDir();
  const result = await processMedia(input, { workDir: dir });
  assert.equal(result.kind, "image");
  assert.equal(result.original.contentType, "image/webp");
  const original = await sharp(result.original.path).metadata();
  // Upright: the sensor's 4032×3024 landscape, turned 90°, is a portrait; and within 8,294,400 px.
  assert.ok(original.height! > original.width!, `portrait expected, got ${original.width}×${original.height}`);
  assert.ok(original.width! * original.height! <= MEDIA_LIMITS.imageMatrix);
  assert.ok(original.width! * original.height! > MEDIA_LIMITS.imageMatrix * 0.99, "downscaled to the bound, not below it");
  assert.equal(original.orientation, undefined);
  assert.equal(original.exif, undefined);
  assert.equal(original.xmp, undefined);
  assert.equal(original.icc, undefined);
  const bytes = await fs.readFile(result.original.path);
  assert.ok(!bytes.includes("WGS-84") && !bytes.includes("SkeinCam"), "no trace of the EXIF in the file");
  assert.ok(result.original.size < (await fs.stat(input)).size, "the re-encoded original is smaller than the upload");

  assert.ok(result.preview);
  assert.equal(result.preview.contentType, "image/webp");
  const preview = await sharp(result.preview.path).metadata();
  assert.equal(preview.format, "webp");
  assert.ok(preview.height! > preview.width!);
  assert.ok(preview.width! * preview.height! <= 230_400 && preview.width! * preview.height! > 220_000, `${preview.width}×${preview.height}`);
  assert.equal(preview.exif, undefined);

  assert.deepEqual(result.meta.original, { width: original.width, height: original.height, size: `${original.width}x${original.height}`, aspect: original.width! / original.height! });
  assert.deepEqual(result.meta.small, { width: preview.width, height: preview.height, size: `${preview.width}x${preview.height}`, aspect: preview.width! / preview.height! });

  assert.ok(result.blurhash && isBlurhashValid(result.blurhash).result);
  const pixels = decodeBlurhash(result.blurhash, 32, 24);
  assert.equal(pixels.length, 32 * 24 * 4);
  // Components follow the aspect: a portrait gets 3 across and 4 down (the hash's first character).
  const sizeFlag = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~".indexOf(result.blurhash[0]);
  assert.deepEqual([(sizeFlag % 9) + 1, Math.floor(sizeFlag / 9) + 1], [3, 4]);
  // Everything written is in the work directory, and the upload itself is untouched.
  assert.deepEqual(await filesIn(dir), [path.basename(result.original.path), path.basename(result.preview.path)].sort());
  assert.equal((await sharp(input).metadata()).orientation, 6);
});

test("a PNG with transparency keeps its alpha (lossless WebP original, WebP preview with alpha)", async () => {
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><circle cx="400" cy="300" r="250" fill="#c33" fill-opacity="0.8"/><text x="40" y="80" font-size="60">logo</text></svg>`);
  const input = path.join(inputs, "logo.png");
  await sharp(svg).png().toFile(input);
  const source = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  const result = await processMedia(input, { workDir: await workDir() });
  assert.equal(result.kind, "image");
  assert.equal(result.original.contentType, "image/webp");
  const original = await sharp(result.original.path).raw().toBuffer({ resolveWithObject: true });
  assert.equal(original.info.channels, 4);
  assert.deepEqual([original.info.width, original.info.height], [800, 600]);
  assert.ok(original.data.equals(source.data), "the original is pixel-identical (lossless)");
  const preview = await sharp(result.preview!.path).metadata();
  assert.equal(preview.hasAlpha, true);
  assert.deepEqual([preview.width, preview.height], [800 * Math.sqrt(230_400 / 480_000), 600 * Math.sqrt(230_400 / 480_000)].map(Math.floor));
  // A corner is transparent in the preview too.
  const corner = await sharp(result.preview!.path).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer();
  assert.equal(corner[3], 0);

  // A panorama wider than WebP allows (16,383 px) stays a PNG, exact; its preview still fits. So does a
  // PNG above 4.2 MP (lossless WebP would hold ~40 bytes a pixel while encoding).
  const panorama = path.join(inputs, "panorama.png");
  await sharp({ create: { width: 20_000, height: 60, channels: 3, background: "#48c" } }).png().toFile(panorama);
  const wide = await processMedia(panorama, { workDir: await workDir() });
  assert.deepEqual([wide.original.contentType, wide.original.width, wide.original.height], ["image/png", 20_000, 60]);
  assert.equal(wide.preview?.contentType, "image/webp");
  assert.ok(wide.preview!.width! <= 16_383 && wide.preview!.width! * wide.preview!.height! <= 230_400);
});

test("a decompression bomb (a 100,000 × 100,000 PNG of a few hundred bytes) is refused before it is decoded", async () => {
  const side = 100_000;
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // A tiny IDAT: the first rows of zeros. The file claims 10 gigapixels; it holds almost nothing.
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc((side + 1) * 4))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  assert.ok(png.length < 2000);
  const input = await writeInput("bomb.png", png);
  assert.deepEqual(await sniffFile(input), { kind: "image", mime: "image/png", ext: "png" });
  const dir = await workDir();
  const rss = process.memoryUsage().rss;
  await rejects(processMedia(input, { workDir: dir }), "too_large", /100000×100000 pixels/);
  await rejects(processThumbnail(input, dir), "too_large", /megapixels/);
  await rejects(processRemotePreview(input, dir), "too_large", /megapixels/);
  await rejects(processProfileImage(input, dir, "avatar"), "too_large", /megapixels/);
  assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, "nothing was decoded");
  assert.deepEqual(await filesIn(dir), [], "nothing half-written is left");
});

test("damaged, empty and disguised files are refused with a reason; a JPEG renamed .mp4 is still a JPEG", async () => {
  const jpeg = await (await photoLike(640, 480)).jpeg({ quality: 80 }).toBuffer();
  const dir = await workDir();

  const truncated = await writeInput("cut.jpg", jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await rejects(processMedia(truncated, { workDir: dir }), "invalid", /incomplete|damaged/);
  const png = await (await photoLike(300, 200)).png().toBuffer();
  const truncatedPng = await writeInput("cut.png", png.subarray(0, Math.floor(png.length * 0.6)));
  await rejects(processMedia(truncatedPng, { workDir: dir }), "invalid", /incomplete|damaged|decoded/);

  const empty = await writeInput("empty.png", Buffer.alloc(0));
  await rejects(sniffFile(empty), "invalid", /empty/);
  await rejects(processMedia(empty, { workDir: dir }), "invalid", /empty/);

  const text = await writeInput("notes.png", "this is not a picture, just text\n".repeat(20));
  assert.equal(await sniffFile(text), null);
  await rejects(processMedia(text, { workDir: dir }), "unsupported", /not an image, video or audio/);

  // An iPhone HEIC: sharp's prebuilt libvips has no HEVC decoder, so it is refused with advice.
  const heic = await writeInput("IMG_0001.heic", Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.alloc(200)]));
  if (!heifDecodable()) {
    assert.ok(!acceptedMimeTypes(true).includes("image/heic"));
    await rejects(processMedia(heic, { workDir: dir }), "unsupported", /HEIC.*JPEG/);
  }

  const renamed = await writeInput("holiday.mp4", jpeg);
  assert.deepEqual(await sniffFile(renamed), { kind: "image", mime: "image/jpeg", ext: "jpg" });
  const result = await processMedia(renamed, { workDir: dir });
  assert.equal(result.kind, "image");
  assert.equal(result.original.contentType, "image/webp");

  const tooBig = await writeInput("huge.jpg", Buffer.concat([jpeg, Buffer.alloc(MEDIA_LIMITS.imageBytes)]));
  await rejects(processMedia(tooBig, { workDir: await workDir() }), "too_large", /at most 16 MiB/);

  assert.ok(acceptedMimeTypes(false).includes("image/webp"));
  assert.ok(!acceptedMimeTypes(false).includes("video/mp4"));
  assert.ok(acceptedMimeTypes(true).includes("video/mp4") && acceptedMimeTypes(true).includes("audio/mpeg"));
});

test("custom thumbnails and remote previews: WebP at the preview size, with blurhash and meta.small", async () => {
  const input = path.join(inputs, "wide.jpg");
  await (await photoLike(1920, 1080)).jpeg().toFile(input);
  for (const make of [processThumbnail, processRemotePreview]) {
    const result = await make(input, await workDir());
    assert.equal(result.preview.contentType, "image/webp");
    assert.deepEqual([result.small.width, result.small.height], [640, 360]);
    assert.deepEqual(result.source, { width: 1920, height: 1080 });
    assert.ok(result.blurhash && isBlurhashValid(result.blurhash).result);
  }
});

/** Runs ffmpeg for a test input (the pipeline itself is what is under test, not this). */
function ffmpegMake(args: string[]): void {
  execFileSync("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

function ffprobeJson(file: string): { streams: Array<Record<string, unknown>>; format: { tags?: Record<string, string>; duration?: string } } {
  return JSON.parse(execFileSync("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], { encoding: "utf8" }));
}

test("ffmpeg is installed here (CI installs it), and the pipeline finds it", async () => {
  assert.equal(await ffmpegAvailable(), true);
});

test("an animated GIF becomes a silent H.264 MP4 (gifv) with a poster; without ffmpeg it stays a still image", async () => {
  const gif = path.join(inputs, "anim.gif");
  ffmpegMake(["-f", "lavfi", "-i", "testsrc=size=321x241:rate=10:duration=1.5", gif]);
  assert.ok((await sharp(gif).metadata()).pages! > 1);
  const dir = await workDir();
  const result = await processMedia(gif, { workDir: dir });
  assert.equal(result.kind, "gifv");
  assert.equal(result.original.contentType, "video/mp4");
  const probed = ffprobeJson(result.original.path);
  assert.deepEqual(probed.streams.map((s) => s.codec_type), ["video"], "silent: one video stream, no audio");
  assert.equal(probed.streams[0].codec_name, "h264");
  assert.equal(probed.streams[0].pix_fmt, "yuv420p");
  assert.deepEqual([probed.streams[0].width, probed.streams[0].height], [320, 240], "even dimensions");
  assert.ok(result.original.size < (await fs.stat(gif)).size / 2, "smaller than the GIF");
  assert.equal(result.preview?.contentType, "image/webp");
  assert.deepEqual([result.meta.small?.width, result.meta.small?.height], [321, 241]);
  assert.equal(result.meta.original?.width, 320);
  assert.ok(result.meta.duration! > 1.3 && result.meta.duration! < 1.7, String(result.meta.duration));
  assert.equal(result.meta.fps, 10);
  assert.ok(result.blurhash && isBlurhashValid(result.blurhash).result);
  // The MP4's index is at the front (faststart): "moov" comes before "mdat".
  const head = (await fs.readFile(result.original.path)).subarray(0, 64 * 1024).toString("latin1");
  assert.ok(head.indexOf("moov") >= 0 && head.indexOf("moov") < head.indexOf("mdat"));

  const still = await processMedia(gif, { workDir: await workDir(), ffmpeg: false });
  assert.equal(still.kind, "image");
  assert.equal((await sharp(still.original.path).metadata()).pages, undefined);

  // An animated PNG (APNG: libvips sees one frame, ffmpeg's apng demuxer all of them) too.
  const apng = path.join(inputs, "anim-apng.png");
  ffmpegMake(["-f", "lavfi", "-i", "testsrc=size=200x100:rate=5:duration=1", "-plays", "0", "-f", "apng", apng]);
  assert.deepEqual(await sniffFile(apng), { kind: "image", mime: "image/apng", ext: "png" });
  assert.equal((await processMedia(apng, { workDir: await workDir() })).kind, "gifv");

  // An animated WebP takes the same road.
  const webp = path.join(inputs, "anim.webp");
  await sharp(gif, { animated: true }).webp().toFile(webp);
  const webpDir = await workDir();
  const fromWebp = await processMedia(webp, { workDir: webpDir });
  assert.equal(fromWebp.kind, "gifv");
  assert.equal((await filesIn(webpDir)).length, 2, "the intermediate GIF is gone");
  assert.equal(ffprobeJson(fromWebp.original.path).streams[0].codec_name, "h264");
});

test("a video becomes H.264/AAC MP4 with a poster and Mastodon's meta; its location and title are dropped", async () => {
  const mov = path.join(inputs, "clip.mov");
  ffmpegMake([
    "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
    "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-metadata", "location=+48.8577+002.2950/", "-metadata", "title=Secret place", mov,
  ]);
  const dir = await workDir();
  const result = await processMedia(mov, { workDir: dir });
  assert.equal(result.kind, "video");
  assert.equal(result.original.contentType, "video/mp4");
  const probed = ffprobeJson(result.original.path);
  const video = probed.streams.find((s) => s.codec_type === "video")!;
  const audio = probed.streams.find((s) => s.codec_type === "audio")!;
  assert.equal(video.codec_name, "h264");
  assert.equal(video.pix_fmt, "yuv420p");
  assert.equal(audio.codec_name, "aac");
  assert.ok(!JSON.stringify(probed.format.tags ?? {}).includes("48.8577") && !JSON.stringify(probed.format.tags ?? {}).includes("Secret"));
  assert.ok(!(await fs.readFile(result.original.path)).includes("Secret place"));
  assert.equal(result.preview?.contentType, "image/webp");
  assert.deepEqual([result.meta.small?.width, result.meta.small?.height], [640, 360]);
  assert.equal(result.meta.length, "0:00:02.00");
  assert.equal(result.meta.duration, 2);
  assert.equal(result.meta.fps, 25);
  assert.equal(result.meta.size, "640x360");
  assert.equal(result.meta.original?.frame_rate, "25/1");
  assert.ok(result.meta.original!.bitrate! > 0);
  assert.equal(result.meta.audio_encode, "aac (LC)");
  assert.equal(result.meta.audio_bitrate, "44100 Hz");
  assert.equal(result.meta.audio_channels, "mono");
  assert.ok(result.blurhash && isBlurhashValid(result.blurhash).result);
  // The poster frame was an intermediate: only the two outputs are left in the work directory.
  assert.deepEqual(await filesIn(dir), [path.basename(result.original.path), path.basename(result.preview!.path)].sort());

  // Already H.264/AAC MP4 within bounds: copied (same frames), still without its metadata.
  const mp4 = path.join(inputs, "phone.mp4");
  ffmpegMake([
    "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-metadata", "location=+48.8577+002.2950/", mp4,
  ]);
  const copied = await processMedia(mp4, { workDir: await workDir() });
  assert.equal(copied.kind, "video");
  const copiedProbe = ffprobeJson(copied.original.path);
  assert.ok(!JSON.stringify(copiedProbe.format.tags ?? {}).includes("48.8577"));
  assert.equal(copiedProbe.streams.find((s) => s.codec_type === "video")!.codec_name, "h264");

  // Without ffmpeg, video is refused with a reason the API can show.
  await rejects(processMedia(mov, { workDir: await workDir(), ffmpeg: false }), "no_ffmpeg", /cannot process video/);
});

test("audio becomes AAC (M4A) or stays MP3, with Mastodon's meta and no tags", async () => {
  const wav = path.join(inputs, "tone.wav");
  ffmpegMake(["-f", "lavfi", "-i", "sine=frequency=330:duration=1.5", "-ac", "2", wav]);
  const result = await processMedia(wav, { workDir: await workDir() });
  assert.equal(result.kind, "audio");
  assert.equal(result.original.contentType, "audio/mp4");
  assert.equal(result.preview, null);
  assert.equal(ffprobeJson(result.original.path).streams[0].codec_name, "aac");
  assert.equal(result.meta.length, "0:00:01.50");
  assert.equal(result.meta.audio_channels, "stereo");

  const mp3 = path.join(inputs, "song.mp3");
  ffmpegMake(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libmp3lame", "-metadata", "title=Private demo", mp3]);
  const kept = await processMedia(mp3, { workDir: await workDir() });
  assert.equal(kept.original.contentType, "audio/mpeg");
  assert.equal(kept.meta.audio_encode, "mp3");
  assert.ok(!(await fs.readFile(kept.original.path)).includes("Private demo"));

  await rejects(processMedia(wav, { workDir: await workDir(), ffmpeg: false }), "no_ffmpeg", /cannot process audio/);
});

test("avatars and headers are cropped to Mastodon's sizes; an animated avatar stays animated with a still variant", async () => {
  const input = path.join(inputs, "me.jpg");
  await (await photoLike(1200, 800)).withMetadata({ orientation: 6 }).jpeg().toFile(input);
  const avatar = await processProfileImage(input, await workDir(), "avatar");
  assert.equal(avatar.static, null);
  assert.equal(avatar.image.contentType, "image/webp");
  const a = await sharp(avatar.image.path).metadata();
  assert.deepEqual([a.width, a.height, a.exif], [400, 400, undefined]);
  const header = await processProfileImage(input, await workDir(), "header");
  assert.deepEqual([header.image.width, header.image.height], [1500, 500]);

  const gif = path.join(inputs, "avatar.gif");
  ffmpegMake(["-f", "lavfi", "-i", "testsrc=size=200x150:rate=5:duration=1", gif]);
  const animated = await processProfileImage(gif, await workDir(), "avatar");
  assert.ok(animated.static);
  const moving = await sharp(animated.image.path, { animated: true }).metadata();
  assert.ok(moving.pages! > 1, "still animated");
  assert.deepEqual([moving.width, moving.pageHeight], [400, 400]);
  assert.equal((await sharp(animated.static.path).metadata()).pages, undefined);
});

test("custom emoji: bounded to 128×128, a still PNG always, 256 KiB and PNG/GIF/WebP only", async () => {
  const png = path.join(inputs, "blob.png");
  await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 200, g: 50, b: 50, alpha: 0.5 } } }).png().toFile(png);
  const emoji = await processEmoji(png, await workDir());
  assert.equal(emoji.static.contentType, "image/png");
  assert.equal(emoji.image.path, emoji.static.path);
  assert.deepEqual([emoji.static.width, emoji.static.height], [128, 85]);

  const gif = path.join(inputs, "party.gif");
  ffmpegMake(["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=1", gif]);
  const party = await processEmoji(gif, await workDir());
  assert.equal(party.image.contentType, "image/gif");
  assert.ok((await sharp(party.image.path, { animated: true }).metadata()).pages! > 1);
  assert.equal(party.static.contentType, "image/png");

  const jpeg = await writeInput("emoji.jpg", await (await photoLike(64, 64)).jpeg().toBuffer());
  await rejects(processEmoji(jpeg, await workDir()), "unsupported", /PNG, GIF or WebP/);
  const big = path.join(inputs, "big-emoji.png");
  await (await photoLike(600, 600)).png({ compressionLevel: 0 }).toFile(big);
  await rejects(processEmoji(big, await workDir()), "too_large", /at most 256 KiB/);
});

test("without ffmpeg on the server (a wrong FFMPEG_PATH), video is refused and GIFs stay still — by default, with no option", async () => {
  const dir = await workDir();
  const mov = path.join(inputs, "clip.mov");
  const gif = path.join(inputs, "anim.gif");
  configureMediaPipeline({ ffmpegPath: path.join(root, "no-such-dir", "ffmpeg"), imageConcurrency: 1, ffmpegConcurrency: 1 });
  try {
    assert.equal(await ffmpegAvailable(), false);
    await rejects(processMedia(mov, { workDir: dir }), "no_ffmpeg", /ffmpeg is not installed/);
    assert.equal((await processMedia(gif, { workDir: dir })).kind, "image");
  } finally {
    configureMediaPipeline({ ffmpegPath: null, imageConcurrency: 1, ffmpegConcurrency: 1 });
  }
  assert.equal(await ffmpegAvailable(), true);
});

test("an upload already in H.264/AAC within bounds is copied, not re-encoded", async () => {
  const mp4 = path.join(inputs, "crf40.mp4");
  ffmpegMake(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "40", "-pix_fmt", "yuv420p", mp4]);
  const result = await processMedia(mp4, { workDir: await workDir() });
  // x264 writes its settings into the stream; a copy still carries the uploader's crf=40.
  assert.ok((await fs.readFile(result.original.path)).includes("crf=40.0"));
  const mov = path.join(inputs, "clip.mov");
  const transcoded = await processMedia(mov, { workDir: await workDir() });
  assert.ok((await fs.readFile(transcoded.original.path)).includes(`crf=${VIDEO_SETTINGS.crf}.0`));
});

test("child processes have a hard deadline and capped output; the decode gate runs one image at a time", async () => {
  const started = Date.now();
  const slow = await runProcess("sleep", ["10"], { timeoutMs: 200 });
  assert.equal(slow.timedOut, true);
  assert.ok(Date.now() - started < 5000);
  const chatty = await runProcess("head", ["-c", "100000", "/dev/zero"], { timeoutMs: 5000, stdoutCap: 1000 });
  assert.equal(chatty.stdout.length, 1000);

  const gate = new Semaphore(1);
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 5 }, () =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      }),
    ),
  );
  assert.equal(most, 1);
});

test("the pipeline's settings come from the environment through config.media.pipeline, checked", () => {
  const problems: string[] = [];
  assert.deepEqual(loadMediaConfig({}, problems).pipeline, { ffmpegPath: null, imageConcurrency: 1, ffmpegConcurrency: 1 });
  assert.deepEqual(loadMediaConfig({ FFMPEG_PATH: "/opt/ffmpeg/bin/ffmpeg", MEDIA_IMAGE_CONCURRENCY: "2" }, problems).pipeline, { ffmpegPath: "/opt/ffmpeg/bin/ffmpeg", imageConcurrency: 2, ffmpegConcurrency: 1 });
  assert.deepEqual(problems, []);
  loadMediaConfig({ FFMPEG_PATH: "ffmpeg", MEDIA_FFMPEG_CONCURRENCY: "64" }, problems);
  assert.equal(problems.length, 2);
  assert.match(problems.join("\n"), /FFMPEG_PATH must be an absolute path/);
  assert.match(problems.join("\n"), /MEDIA_FFMPEG_CONCURRENCY must be 1, 2, 3 or 4/);
});
