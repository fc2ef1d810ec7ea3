// The upload → process → post flow on the S3 driver (s3rver on loopback): the upload as received
// goes to the bucket, processing reads it back and stores the original and preview there, the
// post names the bucket's public URLs, and the received upload is gone from the bucket after.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import { mediaFixtures } from "../support/media-uploads.ts";
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
