// Local media uploads (Mastodon's /api/v1|v2/media): an upload is checked at once (its type
// sniffed from the bytes, its size against the type's limit, video only where ffmpeg is
// installed), copied as received into the media storage under uploads/…, and processed off the
// request path by the durable `media` queue (media-processing.ts). Clients then describe it,
// focus it, give it a thumbnail, attach it to a status, or delete it while it is unattached.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import { storageKeysOf, type MediaRow } from "../../store/media/attachments.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import { MediaError, type MediaKind, type SniffedType } from "../../media/types.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { LIMITS } from "../instance/instance-service.ts";
import { processUpload, processThumbnailUpload, token, type MediaPipeline } from "./media-processing.ts";

/** An attachment row, as the media routes name it. */
export type { MediaRow };

export const MEDIA_QUEUE = "media";
/** Mastodon's limit on alt text. */
export const MAX_DESCRIPTION = 1500;

/** A file received from a client, on disk until the request ends. */
export interface ReceivedMedia {
  path: string;
  size: number;
  /** As the client named and declared it: hints only, never trusted. */
  filename: string;
  mime: string;
}

export interface MediaChanges {
  description?: string | null;
  /** "x,y", each in [-1, 1] (Mastodon's focal point). */
  focus?: string | null;
  thumbnail?: ReceivedMedia | null;
}

export interface MediaJobs {
  enqueue(queue: string, payloads: readonly unknown[], options?: { orderingKey?: string | null; delayMs?: number }): Promise<void>;
}

/** What a status asks of its media (create: media_ids; edit: media_ids + media_attributes). */
export interface StatusMediaRequest {
  ids: string[];
  /** Per-attachment changes sent with an edit (media_attributes[]). */
  attributes?: { id: string; description?: string | null; focus?: string | null }[];
  /** The scheduled status being published: the uploads reserved for it may be attached (and only by it). */
  reservedFor?: string;
}

export class MediaService {
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly storageOf: () => MediaStorage;
  /** The durable queue uploads are processed from; set at start (server/context.ts). */
  jobs: MediaJobs | null = null;
  readonly pipeline: MediaPipeline;
  /** Waiters for an upload this process finishes (others are found by polling the row). */
  private readonly finished = new Map<string, Set<() => void>>();

  constructor(stores: Stores, config: Config, storage: () => MediaStorage, pipeline: MediaPipeline) {
    this.stores = stores;
    this.config = config;
    this.storageOf = storage;
    this.pipeline = pipeline;
  }

  get storage(): MediaStorage {
    return this.storageOf();
  }

  // --- uploads --------------------------------------------------------------------------

  /**
   * Checks the file, stores it as received and queues its processing. Refuses at once (before
   * anything is stored) what could never be processed: an unknown type, an empty file, a video
   * without ffmpeg, a file over its type's limit.
   */
  async upload(account: AccountRow, file: ReceivedMedia, options: MediaChanges = {}): Promise<MediaRow> {
    const description = checkDescription(options.description);
    const focus = parseFocus(options.focus);
    const sniffed = await this.check(file);
    const id = newId();
    const now = nowIso();
    const uploadKey = `uploads/${id}-${token()}`;
    let thumbnail: { key: string; size: number } | null = null;
    await this.storage.put(uploadKey, { file: file.path }, { contentType: "application/octet-stream", cacheControl: "private, no-store" });
    try {
      if (options.thumbnail) thumbnail = await processThumbnailUpload(this.pipeline, this.storage, id, options.thumbnail.path);
      await this.stores.media.insert({
        id,
        status_id: null,
        account_id: account.id,
        type: initialType(sniffed),
        remote_url: null,
        url: null,
        preview_url: null,
        media_type: sniffed.mime,
        description,
        blurhash: null,
        focus_x: focus?.x ?? null,
        focus_y: focus?.y ?? null,
        width: null,
        height: null,
        position: 0,
        created_at: now,
        processing: "queued",
        upload_key: uploadKey,
        preview_key: thumbnail?.key ?? null,
        preview_size: thumbnail?.size ?? null,
        updated_at: now,
      });
    } catch (error) {
      await this.storage.delete([uploadKey, ...(thumbnail ? [thumbnail.key] : [])]).catch(() => undefined);
      throw error;
    }
    if (this.jobs) await this.jobs.enqueue(MEDIA_QUEUE, [{ id }]);
    else await this.process(id); // no queue (a bare test runtime): process here
    return (await this.stores.media.byId(id))!;
  }

  /** The sniffed type of an upload, or a MediaError saying why it is refused. */
  private async check(file: ReceivedMedia): Promise<SniffedType> {
    const sniffed = await this.pipeline.sniff(file.path);
    const limit = this.pipeline.limitFor(sniffed);
    if (file.size > limit) throw new MediaError("too_large", `The file is larger than the limit of ${Math.round(limit / 1024 / 1024)} MB for this type`);
    if ((sniffed.kind === "video" || sniffed.kind === "audio") && !(await this.pipeline.ffmpegAvailable())) {
      throw new MediaError("no_ffmpeg", "Video and audio uploads are not supported on this server");
    }
    return sniffed;
  }

  /** Processes a queued upload (the `media` queue's handler). */
  async handleJob(payload: unknown): Promise<void> {
    const id = typeof (payload as { id?: unknown })?.id === "string" ? (payload as { id: string }).id : null;
    if (!id) return;
    await this.process(id);
  }

  private async process(id: string): Promise<void> {
    try {
      await processUpload({ stores: this.stores, storage: this.storage, pipeline: this.pipeline }, id);
    } finally {
      for (const wake of this.finished.get(id) ?? []) wake();
      this.finished.delete(id);
    }
  }

  /** The upload once processed (or failed), or as it is after `timeoutMs`. */
  async waitProcessed(id: string, timeoutMs: number): Promise<MediaRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.stores.media.byId(id);
      if (!row) throw notFound();
      if (row.processing === "done" || row.processing === "failed" || Date.now() >= deadline) return row;
      // Woken at once when this process finished it; otherwise the row is looked at again shortly.
      await new Promise<void>((resolve) => {
        const waiters = this.finished.get(id) ?? new Set();
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(250, Math.max(1, deadline - Date.now())));
        waiters.add(done);
        this.finished.set(id, waiters);
      });
    }
  }

  /** What clients are told they may upload (configuration.media_attachments.supported_mime_types). */
  async acceptedMimeTypes(): Promise<string[]> {
    return this.pipeline.acceptedMimeTypes(await this.pipeline.ffmpegAvailable());
  }

  // --- one's own uploads ----------------------------------------------------------------

  /** An upload of `account`'s (another's is "not found", as on Mastodon). */
  async get(account: AccountRow, id: string): Promise<MediaRow> {
    const row = await this.stores.media.byId(id);
    if (!row || row.account_id !== account.id || row.remote_url !== null) throw notFound();
    return row;
  }

  async update(account: AccountRow, id: string, changes: MediaChanges): Promise<MediaRow> {
    const row = await this.get(account, id);
    const now = nowIso();
    const update = describedAndFocused(changes, now);
    let oldPreview: string | null = null;
    if (changes.thumbnail) {
      const thumbnail = await processThumbnailUpload(this.pipeline, this.storage, row.id, changes.thumbnail.path);
      update.preview_key = thumbnail.key;
      update.preview_size = thumbnail.size;
      oldPreview = row.preview_key;
    }
    await this.stores.media.update(row.id, update);
    // The replaced preview's key is never reused, so it can go once the row names the new one.
    if (oldPreview) await this.storage.delete([oldPreview]).catch(() => undefined);
    return (await this.stores.media.byId(row.id))!;
  }

  /** Deletes an upload not attached to a status (an attached one goes with its status). */
  async delete(account: AccountRow, id: string): Promise<MediaRow> {
    const row = await this.get(account, id);
    if (row.status_id !== null) throw validationFailed("Media attachment is currently used by a status");
    if (!(await this.stores.media.deleteUnattached(row.id))) throw validationFailed("Media attachment is currently used by a status");
    await this.storage.delete(storageKeysOf(row)).catch(() => undefined);
    return row;
  }

  // --- statuses -------------------------------------------------------------------------

  /**
   * The uploads a status of `account` may carry, in the order asked: at most four, their own,
   * unattached (or already on `statusId` when editing), and processed. Changes sent with an edit
   * are validated here and applied by attach().
   */
  async forStatus(account: AccountRow, request: StatusMediaRequest, statusId: string | null = null): Promise<MediaRow[]> {
    const ids = [...new Set(request.ids)];
    if (ids.length > LIMITS.mediaAttachments) throw validationFailed(`Validation failed: You cannot attach more than ${LIMITS.mediaAttachments} files`);
    const rows = await this.stores.media.ownedAmong(account.id, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = ids.filter((id) => {
      const row = byId.get(id);
      return !row || (row.status_id !== null && row.status_id !== statusId) || (row.scheduled_status_id !== null && row.scheduled_status_id !== request.reservedFor);
    });
    if (missing.length) throw validationFailed(`Validation failed: Media ${missing.join(", ")} not found or already attached to another post`);
    const ordered = ids.map((id) => byId.get(id)!);
    if (ordered.some((r) => r.processing === "failed")) throw validationFailed("Validation failed: A file could not be processed; remove it and upload it again");
    if (ordered.some((r) => r.processing !== "done")) throw validationFailed("Cannot attach files that have not finished processing. Try again in a moment!");
    for (const attribute of request.attributes ?? []) {
      if (!byId.has(attribute.id)) continue;
      checkDescription(attribute.description);
      parseFocus(attribute.focus);
    }
    return ordered;
  }

  /** Attaches `rows` (from forStatus) to the status in order, inside the caller's transaction. */
  async attach(tx: Stores, statusId: string, accountId: string, rows: readonly MediaRow[], attributes: StatusMediaRequest["attributes"] = []): Promise<void> {
    const now = nowIso();
    for (const attribute of attributes ?? []) {
      if (!rows.some((r) => r.id === attribute.id)) continue;
      await tx.media.update(attribute.id, describedAndFocused(attribute, now));
    }
    const reservedFor = rows.find((r) => r.scheduled_status_id !== null)?.scheduled_status_id ?? null;
    const set = await tx.media.setStatusMedia(statusId, accountId, rows.map((r) => r.id), reservedFor);
    // Another request attached one of them meanwhile: the whole post is refused.
    if (set !== rows.length) throw validationFailed("Validation failed: Media not found or already attached to another post");
  }

  /**
   * The files of a status's attachments, read before the status is deleted: all of them
   * (`current`), or only those its edits removed (the current ones stay, unattached).
   */
  async filesOfStatus(statusId: string, options: { current: boolean }): Promise<string[]> {
    const rows = await this.stores.media.allOfStatus(statusId);
    return rows.filter((r) => options.current || r.position < 0).flatMap(storageKeysOf);
  }

  /** Removes files whose rows are gone; a failure is only logged by the caller (the prune finds orphans). */
  async deleteFiles(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.storage.delete(keys);
  }

  /**
   * Uploads never attached to a post, created before `cutoff` (ISO time), removed with their
   * files, oldest first, at most `limit` of them — or with dryRun only listed. The one definition
   * of this prune: the hourly sweep (server/scheduler.ts) and `./skein media prune` both call it.
   * Each row is deleted only while still unattached, and its files only after that.
   */
  async pruneUnattached(cutoff: string, options: { dryRun?: boolean; limit?: number } = {}): Promise<PrunedUpload[]> {
    const limit = options.limit ?? 5_000;
    const described = (row: MediaRow): PrunedUpload => ({ id: row.id, keys: storageKeysOf(row), bytes: (row.file_size ?? 0) + (row.preview_size ?? 0) });
    if (options.dryRun) return (await this.stores.media.unattachedBefore(cutoff, limit)).map(described);
    const pruned: PrunedUpload[] = [];
    while (pruned.length < limit) {
      const batch = await this.stores.media.unattachedBefore(cutoff, Math.min(PRUNE_BATCH, limit - pruned.length));
      for (const row of batch) {
        // Attached meanwhile: it stays, and so do its files.
        if (!(await this.stores.media.deleteUnattached(row.id))) continue;
        const upload = described(row);
        if (upload.keys.length) await this.storage.delete(upload.keys);
        pruned.push(upload);
      }
      if (batch.length < PRUNE_BATCH) break;
    }
    return pruned;
  }
}

export interface PrunedUpload {
  id: string;
  /** Its files (the upload, or the processed original and preview). */
  keys: string[];
  bytes: number;
}

const PRUNE_BATCH = 500;

/** What a queued upload is shown as until processed: its sniffed kind (a GIF may become gifv). */
function initialType(sniffed: SniffedType): MediaKind {
  return sniffed.kind;
}

/** The row changes a PUT or an edit's media_attributes ask for (validated); absent fields stay as they are. */
function describedAndFocused(changes: { description?: string | null; focus?: string | null }, now: string): Parameters<Stores["media"]["update"]>[1] {
  const update: Parameters<Stores["media"]["update"]>[1] = { updated_at: now };
  if (changes.description !== undefined) update.description = checkDescription(changes.description);
  if (changes.focus !== undefined) {
    const focus = parseFocus(changes.focus);
    update.focus_x = focus?.x ?? null;
    update.focus_y = focus?.y ?? null;
  }
  return update;
}

function checkDescription(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if ([...value].length > MAX_DESCRIPTION) throw validationFailed(`Validation failed: Description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
  return value.trim() === "" ? null : value;
}

/** Mastodon's focal point "x,y" with x and y in [-1, 1]; "" or null clears it. */
export function parseFocus(value: string | null | undefined): { x: number; y: number } | null {
  if (value === undefined || value === null || value.trim() === "") return null;
  const parts = value.split(",");
  const numbers = parts.map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n) || n < -1 || n > 1)) {
    throw validationFailed("Validation failed: Focus must be two numbers from -1.0 to 1.0, as \"x,y\"");
  }
  return { x: numbers[0], y: numbers[1] };
}
