// The media queue's job (domain/media/media-processing.ts) when things go wrong, decided without
// a server: what the pipeline refuses marks the upload failed and ends the job (never retried);
// a storage failure mid-job leaves nothing half-written and throws, so the queue retries it and
// the retry finishes the upload; an upload deleted while it was processed leaves no files.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { processUpload, type MediaPipeline } from "../../src/domain/media/media-processing.ts";
import { MediaError, type ProcessedMedia } from "../../src/media/types.ts";
import type { MediaStorage } from "../../src/storage/media-storage.ts";
import type { MediaRow, ProcessedFields } from "../../src/store/media/attachments.ts";
import type { Stores } from "../../src/store/stores.ts";

function row(fields: Partial<MediaRow> = {}): MediaRow {
  return {
    id: "100", status_id: null, account_id: "1", type: "image", remote_url: null, url: null, preview_url: null, media_type: "image/png",
    description: null, blurhash: null, focus_x: null, focus_y: null, width: null, height: null, position: 0, created_at: "",
    processing: "queued", upload_key: "uploads/100-abc", file_key: null, preview_key: null, file_size: null, preview_size: null, meta: null,
    remote_preview_url: null, processing_error: null, updated_at: null, scheduled_status_id: null, ...fields,
  };
}

/** One media row in memory, with the store methods the job uses. */
function fakeStores(initial: MediaRow | null) {
  let current = initial;
  const media = {
    byId: async () => current ?? undefined,
    markProcessing: async () => current !== null && (current.processing === "queued" || current.processing === "processing") && ((current = { ...current, processing: "processing" }), true),
    markDone: async (_id: string, fields: ProcessedFields) => current !== null && ((current = { ...current, ...fields, processing: "done", upload_key: null }), true),
    markFailed: async (_id: string, message: string) => {
      if (current) current = { ...current, processing: "failed", processing_error: message, upload_key: null };
    },
  };
  return { stores: { media } as unknown as Stores, row: () => current, remove: () => (current = null) };
}

/** Objects in memory; `failPut` makes the nth put (1-based) fail. */
function fakeStorage(options: { failPut?: number } = {}) {
  const objects = new Map<string, number>([["uploads/100-abc", 5]]);
  let puts = 0;
  const storage = {
    driver: "local",
    put: async (key: string, body: { file: string }) => {
      if (++puts === options.failPut) throw new Error("the bucket is unwell");
      const size = (await fs.stat(body.file)).size;
      objects.set(key, size);
      return { size };
    },
    open: async (key: string) => (objects.has(key) ? { key, size: 5, contentType: "application/octet-stream", etag: '"x"', lastModified: new Date(), stream: Readable.from([Buffer.from("bytes")]) } : null),
    head: async () => null,
    delete: async (keys: readonly string[]) => {
      for (const key of keys) objects.delete(key);
    },
    list: async function* () {},
    publicUrl: (key: string) => `https://files.example/${key}`,
  } as unknown as MediaStorage;
  return { storage, keys: () => [...objects.keys()].sort() };
}

function pipeline(process: MediaPipeline["process"]): MediaPipeline {
  return {
    sniff: async () => ({ kind: "image", mime: "image/png", ext: "png" }),
    limitFor: () => 1 << 20,
    ffmpegAvailable: async () => true,
    acceptedMimeTypes: () => ["image/png"],
    process,
    thumbnail: async () => {
      throw new Error("unused");
    },
  };
}

/** A pipeline that writes an original and a preview into the work folder. */
const working = pipeline(async (_file, _sniffed, workDir): Promise<ProcessedMedia> => {
  const original = path.join(workDir, "original.webp");
  const preview = path.join(workDir, "small.webp");
  await fs.writeFile(original, "original bytes");
  await fs.writeFile(preview, "preview");
  return {
    kind: "image",
    original: { path: original, contentType: "image/webp", ext: "webp", size: 14, width: 40, height: 30 },
    preview: { path: preview, contentType: "image/webp", ext: "webp", size: 7, width: 20, height: 15 },
    blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
    meta: { original: { width: 40, height: 30, size: "40x30", aspect: 40 / 30 } },
  };
});

test("a refusal of the pipeline marks the upload failed, removes the upload and ends the job", async () => {
  const { stores, row: current } = fakeStores(row());
  const { storage, keys } = fakeStorage();
  await processUpload({ stores, storage, pipeline: pipeline(async () => { throw new MediaError("invalid", "The image is damaged or truncated."); }) }, "100");
  assert.equal(current()?.processing, "failed");
  assert.equal(current()?.processing_error, "The image is damaged or truncated.");
  assert.deepEqual(keys(), []);
});

test("an unexpected pipeline error also fails the upload (it would fail again), with a message that tells nothing internal", async () => {
  const { stores, row: current } = fakeStores(row());
  const { storage, keys } = fakeStorage();
  await processUpload({ stores, storage, pipeline: pipeline(async () => { throw new Error("vips_foreign_load: /tmp/skein-media-x/upload"); }) }, "100");
  assert.equal(current()?.processing, "failed");
  assert.doesNotMatch(current()?.processing_error ?? "", /tmp/);
  assert.deepEqual(keys(), []);
});

test("a storage failure mid-job deletes what was stored and throws; the retry finishes the upload", async () => {
  const { stores, row: current } = fakeStores(row());
  const failing = fakeStorage({ failPut: 2 }); // the original is stored, the preview fails
  await assert.rejects(processUpload({ stores, storage: failing.storage, pipeline: working }, "100"), /unwell/);
  assert.deepEqual(failing.keys(), ["uploads/100-abc"], "no original without its row; the upload stays for the retry");
  assert.equal(current()?.processing, "processing");

  await processUpload({ stores, storage: failing.storage, pipeline: working }, "100");
  assert.equal(current()?.processing, "done");
  assert.match(current()?.file_key ?? "", /^attachments\/original\/100-[0-9a-f]{16}\.webp$/);
  assert.match(current()?.preview_key ?? "", /^attachments\/small\/100-[0-9a-f]{16}\.webp$/);
  assert.equal(current()?.blurhash, "LEHV6nWB2yk8pyo0adR*.7kCMdnj");
  assert.deepEqual(JSON.parse(current()?.meta ?? "{}").original.width, 40);
  assert.deepEqual(failing.keys(), [current()!.file_key, current()!.preview_key].sort(), "the upload is gone, the two files stay");
});

test("an upload deleted while it was processed leaves no files; a finished one is not processed twice", async () => {
  const fake = fakeStores(row());
  const { storage, keys } = fakeStorage();
  const vanishing = pipeline(async (file, sniffed, workDir) => {
    fake.remove();
    return working.process(file, sniffed, workDir);
  });
  await processUpload({ stores: fake.stores, storage, pipeline: vanishing }, "100");
  assert.deepEqual(keys(), []);

  const done = fakeStores(row({ processing: "done", upload_key: null, file_key: "attachments/original/100-x.webp" }));
  let ran = false;
  await processUpload({ stores: done.stores, storage, pipeline: pipeline(async () => { ran = true; throw new Error("no"); }) }, "100");
  assert.equal(ran, false);
});
