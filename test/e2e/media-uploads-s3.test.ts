// The upload → process → post flow on the S3 driver (s3rver on loopback): the upload as received
// goes to the bucket, processing reads it back and stores the original and preview there, the
// post names the bucket's public URLs, and the received upload is gone from the bucket after.
// Avatars and custom emojis go to the same bucket.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import { mediaFixtures } from "../support/media-uploads.ts";
import { eventually } from "../support/federation-fleet.ts";
import { S3MediaStorage } from "../../src/storage/s3-storage.ts";

let s3: TestS3;
let server: TestServer;
let alice: TestUser;
let contract: ContractLog;
const media = mediaFixtures(() => server);

before(async () => {
  s3 = await startS3();
  server = await startServer({ env: s3.env });
  contract = installContractCheck(server.url);
  alice = await signUp(server, "alice");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await s3?.stop();
});

async function keysIn(prefix: string): Promise<string[]> {
  const storage = new S3MediaStorage(s3.config, { spoolDir: "/tmp" });
  const keys: string[] = [];
  for await (const object of storage.list(prefix)) keys.push(object.key);
  return keys;
}

test("upload → poll → post on S3: files in the bucket at its URLs, EXIF gone, the upload removed", async () => {
  const uploaded = await media.upload(alice, 2, { file: media.blob(await media.photo(1024, 768), "image/jpeg"), description: "on a bucket" });
  assert.ok(uploaded.status === 200 || uploaded.status === 202, String(uploaded.status));
  const ready = await media.untilProcessed(alice, uploaded.body.id);
  assert.ok(ready.url?.startsWith(`${s3.endpoint}/${s3.bucket}/attachments/original/${ready.id}-`), ready.url ?? "no url");
  assert.ok(ready.preview_url?.startsWith(`${s3.endpoint}/${s3.bucket}/attachments/small/${ready.id}-`), ready.preview_url ?? "no preview");

  const status = await alice.client.v1.statuses.create({ status: "stored in a bucket", mediaIds: [ready.id] });
  const [attachment] = status.mediaAttachments;
  assert.equal(attachment.url, ready.url);
  const served = await fetch(attachment.url!);
  assert.equal(served.status, 200);
  const bytes = Buffer.from(await served.arrayBuffer());
  const meta = await sharp(bytes).metadata();
  assert.deepEqual([meta.width, meta.height], [1024, 768]);
  assert.equal(meta.exif, undefined, "no EXIF in the bucket's copy");
  assert.ok(!bytes.includes(Buffer.from("SecretCam")));
  assert.equal((await fetch(attachment.previewUrl!)).status, 200);

  assert.deepEqual(await keysIn("uploads/"), [], "the upload as received is gone from the bucket");
  const stored = await keysIn("attachments/");
  assert.equal(stored.filter((k) => k.includes(`/${ready.id}-`)).length, 2, "original and preview");

  // Deleting the post with delete_media removes both objects.
  const removed = await media.call(alice, "DELETE", `/api/v1/statuses/${status.id}?delete_media=true`);
  assert.equal(removed.status, 200);
  assert.deepEqual((await keysIn("attachments/")).filter((k) => k.includes(`/${ready.id}-`)), []);
});

test("avatars and custom emojis on S3: stored in the bucket, named by its URLs, served from it", async () => {
  const me = await alice.client.v1.accounts.updateCredentials({ avatar: media.blob(await media.photo(800, 600, "png"), "image/png") });
  assert.ok(me.avatar.startsWith(`${s3.endpoint}/${s3.bucket}/avatars/${alice.id}-`), me.avatar);
  const avatar = await fetch(me.avatar);
  assert.equal(avatar.status, 200);
  const avatarMeta = await sharp(Buffer.from(await avatar.arrayBuffer())).metadata();
  assert.deepEqual([avatarMeta.width, avatarMeta.height], [400, 400]);
  assert.equal(avatarMeta.exif, undefined);
  assert.equal((await keysIn("avatars/")).length >= 1, true);

  const dir = await mkdtemp(path.join(os.tmpdir(), "skein-emoji-"));
  try {
    const file = path.join(dir, "bucketcat.png");
    await writeFile(file, await sharp({ create: { width: 160, height: 160, channels: 4, background: "#3a7bd5" } }).png().toBuffer());
    const added = await server.cli(["emoji", "add", "bucketcat", file]);
    assert.equal(added.code, 0, added.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // The running server sees the CLI's emoji once its catalog notices the change (within 2 s).
  const emoji = await eventually(async () => {
    const listed = (await fetch(`${server.url}/api/v1/custom_emojis`).then((r) => r.json())) as Array<{ shortcode: string; url: string }>;
    return listed.find((e) => e.shortcode === "bucketcat");
  }, 10_000, "bucketcat in the list");
  assert.ok(emoji.url.startsWith(`${s3.endpoint}/${s3.bucket}/emojis/`), emoji.url);
  const served = await fetch(emoji.url);
  assert.equal(served.status, 200);
  assert.deepEqual(await sharp(Buffer.from(await served.arrayBuffer())).metadata().then((m) => [m.width, m.height]), [128, 128]);
});
