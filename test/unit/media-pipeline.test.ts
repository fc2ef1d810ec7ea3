// The media pipeline without a server: files in, files out. Every input is generated here (sharp
// for images, ffmpeg's lavfi sources for video and sound, a hand-written PNG for the bomb), so the
// repository holds no binary fixtures. Asserts what a user would notice: GPS gone, photos upright,
// transparency kept, GIFs that play, videos with a poster, refusals that say why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { deflateSync, crc32 } from "node:zlib";
import sharp from "sharp";
import { decode as decodeBlurhash, isBlurhashValid } from "blurhash";
import {
  MEDIA_LIMITS, MediaError, acceptedMimeTypes, ffmpegAvailable, processEmoji, processMedia, processProfileImage, processRemotePreview,
  processThumbnail, sniffFile,
} from "../../src/media/pipeline.ts";

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

/** Photo-like pixels: noise over a gradient, with some text — what a phone camera makes, roughly. */
async function photoLike(width: number, height: number): Promise<sharp.Sharp> {
  const noise = await sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .blur(1.2)
    .png({ compressionLevel: 0 })
    .toBuffer();
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2a6"/><stop offset="1" stop-color="#e83"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)" opacity="0.7"/><text x="5%" y="20%" font-size="${Math.round(height / 10)}" fill="#fff">Skein</text></svg>`,
  );
  return sharp(noise).composite([{ input: svg, blend: "over" }]);
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
  assert.equal(result.original.contentType, "image/jpeg");
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

  const renamed = await writeInput("holiday.mp4", jpeg);
  assert.deepEqual(await sniffFile(renamed), { kind: "image", mime: "image/jpeg", ext: "jpg" });
  const result = await processMedia(renamed, { workDir: dir });
  assert.equal(result.kind, "image");
  assert.equal(result.original.contentType, "image/jpeg");

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
