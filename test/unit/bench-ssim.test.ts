// The quality figure of `./skein bench media` (bench/ssim.ts): SSIM is 1 for identical images,
// falls as noise is added (more noise, lower), is symmetric, and sees a blur that keeps the mean.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { prng } from "../../bench/media-images.ts";
import { lumaOfFile, ssim, type Luma } from "../../bench/ssim.ts";

function texture(width: number, height: number): Luma {
  const random = prng(7);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = Math.round(128 + 60 * Math.sin(x / 7) * Math.cos(y / 11) + 30 * (random() - 0.5));
  return { width, height, data };
}

function withNoise(image: Luma, amplitude: number, seed: number): Luma {
  const random = prng(seed);
  const data = image.data.map((v) => Math.max(0, Math.min(255, Math.round(v + (random() - 0.5) * 2 * amplitude))));
  return { ...image, data };
}

test("SSIM: identical images score 1, noise lowers the score, more noise lowers it more", () => {
  const image = texture(96, 80);
  assert.equal(ssim(image, { ...image, data: image.data.slice() }), 1);
  const light = ssim(image, withNoise(image, 8, 1));
  const heavy = ssim(image, withNoise(image, 40, 2));
  assert.ok(light < 1 && light > 0.8, `light noise: ${light}`);
  assert.ok(heavy < light - 0.2, `heavy noise ${heavy} well below light noise ${light}`);
  const noisy = withNoise(image, 20, 3);
  assert.ok(Math.abs(ssim(image, noisy) - ssim(noisy, image)) < 1e-12, "symmetric");
});

test("SSIM: a blur that keeps the mean brightness still scores below 1; sizes must match", () => {
  const image = texture(64, 64);
  const blurred = { ...image, data: image.data.map((v, i) => (i % 64 === 0 || i % 64 === 63 ? v : Math.round((image.data[i - 1] + v + image.data[i + 1]) / 3))) };
  const score = ssim(image, blurred);
  assert.ok(score < 0.99 && score > 0.5, `blurred: ${score}`);
  assert.throws(() => ssim(image, texture(64, 32)), /equal sizes/);
});

test("lumaOfFile decodes a file, composites transparency on white and resizes to the asked size", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-ssim-"));
  try {
    const file = path.join(dir, "half-transparent.png");
    // left half opaque black, right half fully transparent
    const rgba = Buffer.alloc(40 * 20 * 4);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) rgba[(y * 40 + x) * 4 + 3] = 255;
    await sharp(rgba, { raw: { width: 40, height: 20, channels: 4 } }).png().toFile(file);
    const luma = await lumaOfFile(file);
    assert.deepEqual([luma.width, luma.height], [40, 20]);
    assert.equal(luma.data[5], 0, "opaque black stays black");
    assert.equal(luma.data[35], 255, "transparent becomes white");
    const small = await lumaOfFile(file, { width: 20, height: 10 });
    assert.deepEqual([small.width, small.height], [20, 10]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
