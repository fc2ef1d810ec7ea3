// `./skein bench media` end to end at a tiny size: the corpus is generated, both pipelines (Skein's
// and Mastodon's reproduction, libvips and ImageMagick paths) process every image, and the JSON
// report has every figure the media issue asks for, with sane values, and the remote-media cache
// part (bench/media-cache.ts) ran on this suite's database and stayed within its budget. No ratio
// is asserted — the figures at full size are in docs/PERFORMANCE.md — only that the benchmark measures.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseKind, runCli } from "../support/server.ts";

// One image of each kind the corpus holds: a camera JPEG, an opaque PNG screenshot, a PNG with
// alpha, an animated GIF (photo-1080p and desktop-screenshot are the same kinds at other sizes,
// through the same code: each image costs the run three fresh processes).
const IMAGES = ["photo-12mp", "phone-screenshot", "logo-alpha", "animated-gif"];
const PIPELINES = ["skein", "mastodon", "mastodon_imagemagick"];
// The pipelines never touch the database: the SQLite run checks them on each kind, the
// PostgreSQL run on one image (the cache part, which does use the database, runs whole on both).
const CHECKED = databaseKind === "sqlite" ? IMAGES : ["logo-alpha"];

test("./skein bench media compares Skein's pipeline with Mastodon's (each kind of image on SQLite) and holds the remote-media cache to its budget (tiny scale)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-media-"));
  try {
    const json = path.join(dir, "media.json");
    const env: Record<string, string> = { DATABASE_URL: databaseKind === "postgres" ? process.env.SKEIN_TEST_POSTGRES_URL! : "" };
    const result = await runCli(["bench", "media", "--scale", "0.1", "--only", CHECKED.join(","), "--cache-budget", "600000", "--db", databaseKind, "--json", json], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^image\s+skein preview\s+mastodon preview/m, "a bytes table on stdout");
    assert.match(result.stdout, /^Bytes per view over the corpus: Skein/m, "the corpus figure on stdout");
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    assert.equal(report.assumptions.original_open_share, 0.1);
    assert.deepEqual(report.images.map((r: { image: string }) => r.image), CHECKED);
    for (const image of report.images) {
      for (const name of PIPELINES) {
        const p = image[name];
        for (const variant of ["preview", "original"]) {
          const f = p[variant];
          assert.ok(f.bytes > 0 && f.width > 0 && f.height > 0, `${image.image} ${name} ${variant}: a file`);
          assert.ok(f.ssim > 0.5 && f.ssim <= 1.0000001, `${image.image} ${name} ${variant}: SSIM ${f.ssim}`);
        }
        assert.ok(Math.abs(p.bytes_per_view - (p.preview.bytes + 0.1 * p.original.bytes)) < 1e-6, "preview + original/10");
        assert.ok(p.ms > 0 && p.peak_rss_delta_mb >= 0, `${image.image} ${name}: time and memory`);
      }
      assert.ok(Math.abs(image.ratio.bytes_per_view - image.skein.bytes_per_view / image.mastodon.bytes_per_view) < 0.001);
      assert.equal(typeof image.meets_target, "boolean");
    }
    if (databaseKind === "sqlite") {
      const gif = report.images.find((r: { image: string }) => r.image === "animated-gif");
      assert.equal(gif.mastodon.original.format, "mp4", "Mastodon turns an animated GIF into MP4");
      assert.equal(gif.mastodon.preview.format, "png", "…with a PNG of the first frame as its small");
      const photo = report.images.find((r: { image: string }) => r.image === "photo-12mp");
      assert.equal(photo.mastodon.original.format, "jpg", "Mastodon keeps a JPEG a JPEG");
    }
    assert.ok(report.summary.ratio_bytes_per_view > 0 && typeof report.summary.target_met === "boolean");
    const cache = report.remote_cache;
    assert.equal(cache.database, databaseKind);
    assert.equal(cache.budget, 600000);
    assert.ok(cache.bytesViewed >= 10 * cache.budget, "views total 10× the budget");
    assert.ok(cache.maxBytesOnDisk <= cache.budget && cache.withinBudget, `never above the budget: ${cache.maxBytesOnDisk}`);
    assert.ok(cache.fetches > 0 && cache.hitRate >= 0 && cache.hitRate <= 1);
    assert.equal(cache.accountingMatches, true);
    assert.match(result.stdout, /^Remote-media cache \(/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
