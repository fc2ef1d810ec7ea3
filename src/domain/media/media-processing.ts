// Processing one queued upload (the `media` queue's job): the upload is copied from the media
// storage into a private work folder, run through the pipeline (src/media: metadata stripped,
// orientation applied, re-encoded, bounded, a WebP preview, blurhash, meta), the results are
// stored under attachments/original|small/…, the row records them, and the upload and the work
// folder are removed.
//
// What the pipeline refuses (a truncated image, a decompression bomb, a broken video) marks the
// upload "failed" with a message and ends the job: one bad file never blocks the queue. What
// fails around it (storage, database) throws, so the queue tries the job again later — and
// nothing half-written is left: files stored before the failure are deleted first.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline as streamPipeline } from "node:stream/promises";
import { getLogger } from "@logtape/logtape";
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import { MediaError, type OutputFile, type PreviewResult, type ProcessedMedia, type SniffedType } from "../../media/types.ts";
import { nowIso } from "../../util/time.ts";

const logger = getLogger(["skein", "media"]);

/** What the domain asks of the media pipeline (src/media), so tests and the bench can plug their own. */
export interface MediaPipeline {
  /** The type read from the bytes; throws MediaError for what is not accepted (or empty). */
  sniff(file: string): Promise<SniffedType>;
  /** Bytes an upload of this type may have. */
  limitFor(sniffed: SniffedType): number;
  ffmpegAvailable(): Promise<boolean>;
  /** The types accepted, with or without ffmpeg. */
  acceptedMimeTypes(ffmpeg: boolean): string[];
  process(file: string, sniffed: SniffedType, workDir: string): Promise<ProcessedMedia>;
  /** A client's custom preview (thumbnail) as a WebP preview. */
  thumbnail(file: string, workDir: string): Promise<PreviewResult>;
}

interface ProcessingDeps {
  stores: Stores;
  storage: MediaStorage;
  pipeline: MediaPipeline;
}

export async function processUpload(deps: ProcessingDeps, id: string): Promise<void> {
  const { stores, storage, pipeline } = deps;
  const row = await stores.media.byId(id);
  // Deleted meanwhile, or done by an earlier run of this job.
  if (!row || !row.upload_key || (row.processing !== "queued" && row.processing !== "processing")) return;
  if (!(await stores.media.markProcessing(id, nowIso()))) return;
  const workDir = await mkdtemp(path.join(tmpdir(), "skein-media-"));
  const stored: string[] = [];
  try {
    const input = path.join(workDir, "upload");
    const object = await storage.open(row.upload_key);
    if (!object) {
      await stores.media.markFailed(id, "The upload was lost before it could be processed; please upload it again", nowIso());
      return;
    }
    await streamPipeline(object.stream, createWriteStream(input));
    let processed: ProcessedMedia;
    try {
      const sniffed = await pipeline.sniff(input);
      processed = await pipeline.process(input, sniffed, workDir);
    } catch (error) {
      // Whatever the pipeline could not do with these bytes, it will not do on a second try.
      const message = error instanceof MediaError ? error.message : "The file could not be processed";
      if (!(error instanceof MediaError)) logger.warn("Processing upload {id} failed: {error}", { id, error });
      await stores.media.markFailed(id, message, nowIso());
      await storage.delete([row.upload_key]).catch(() => undefined);
      return;
    }
    const original = await putOutput(storage, "original", id, processed.original);
    stored.push(original.key);
    // A custom thumbnail given with the upload stays the preview.
    let preview: { key: string; size: number } | null = null;
    if (!row.preview_key && processed.preview) {
      preview = await putOutput(storage, "small", id, processed.preview);
      stored.push(preview.key);
    }
    const done = await stores.media.markDone(
      id,
      {
        type: processed.kind,
        file_key: original.key,
        preview_key: preview?.key ?? row.preview_key,
        file_size: original.size,
        preview_size: preview?.size ?? row.preview_size,
        media_type: processed.original.contentType,
        meta: JSON.stringify(processed.meta),
        blurhash: processed.blurhash,
        width: processed.original.width ?? processed.meta.original?.width ?? null,
        height: processed.original.height ?? processed.meta.original?.height ?? null,
      },
      nowIso(),
    );
    stored.length = 0;
    // Deleted while it was processed: its files have no row to name them.
    if (!done) await storage.delete([original.key, ...(preview ? [preview.key] : [])]);
    await storage.delete([row.upload_key]).catch((error) => logger.warn("Could not delete upload {key}: {error}", { key: row.upload_key, error }));
  } catch (error) {
    if (stored.length) await storage.delete(stored).catch(() => undefined);
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** A random token that makes a key unguessable and never reused. */
export function token(): string {
  return randomBytes(8).toString("hex");
}

async function putOutput(storage: MediaStorage, variant: "original" | "small", id: string, file: OutputFile): Promise<{ key: string; size: number }> {
  const key = `attachments/${variant}/${id}-${token()}.${file.ext}`;
  const { size } = await storage.put(key, { file: file.path }, { contentType: file.contentType });
  return { key, size };
}

/** A client's thumbnail, made into a preview and stored; a MediaError when it is not an image. */
export async function processThumbnailUpload(pipeline: MediaPipeline, storage: MediaStorage, id: string, file: string): Promise<{ key: string; size: number }> {
  const workDir = await mkdtemp(path.join(tmpdir(), "skein-thumb-"));
  try {
    const sniffed = await pipeline.sniff(file);
    if (sniffed.kind !== "image") throw new MediaError("unsupported", "The thumbnail must be an image");
    const result = await pipeline.thumbnail(file, workDir);
    return await putOutput(storage, "small", id, result.preview);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
