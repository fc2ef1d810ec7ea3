// A server without ffmpeg (FFMPEG_PATH names a binary that does not exist): video and audio
// uploads are refused at once with a clear 422 (nothing stored, nothing queued), the instance
// tells clients which types it accepts, and images still work (an animated GIF becomes a still).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { queryRows } from "../support/server-db.ts";
import { mediaFixtures } from "../support/media-uploads.ts";

let server: TestServer;
let alice: TestUser;

contractCheckedServer(["alice"], (ready) => {
  server = ready.server;
  alice = ready.users.alice;
}, { env: { FFMPEG_PATH: "/nonexistent/ffmpeg" } });

const media = mediaFixtures(() => server);

test("without ffmpeg: video refused with 422 before anything is stored; the instance lists images only", async () => {
  const instance = await alice.client.v2.instance.fetch();
  const types = instance.configuration.mediaAttachments.supportedMimeTypes;
  assert.ok(types.includes("image/png"));
  assert.ok(!types.some((t) => t.startsWith("video/") || t.startsWith("audio/")), types.join(", "));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-clip-"));
  try {
    const clip = path.join(dir, "clip.mp4");
    await promisify(execFile)("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", clip]);
    const refused = await media.upload(alice, 2, { file: media.blob(fs.readFileSync(clip), "video/mp4") });
    assert.equal(refused.status, 422);
    assert.match(String(refused.body.error), /video/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await queryRows(server, "select id from media_attachments"), [], "no row");
  assert.deepEqual(await queryRows(server, "select id from jobs where queue = 'media'"), [], "nothing queued");
  const uploads = path.join(server.env.DATA_DIR, "media", "uploads");
  assert.deepEqual(fs.existsSync(uploads) ? fs.readdirSync(uploads) : [], []);

  // An animated GIF is kept as a still image.
  const frames = await Promise.all([0, 1].map((i) => sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 200 * i, g: 80, b: 40 } } }).raw().toBuffer()));
  const gif = await sharp(Buffer.concat(frames), { raw: { width: 48, height: 96, channels: 3, pageHeight: 48 } }).gif({ delay: [100, 100], loop: 0 }).toBuffer();
  const uploaded = await media.upload(alice, 2, { file: media.blob(gif, "image/gif") });
  const ready = await media.untilProcessed(alice, uploaded.body.id);
  assert.equal(ready.type, "image");
});
