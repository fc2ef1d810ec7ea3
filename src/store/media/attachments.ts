// Data access for media attachments: remote ones (stored with their origin's URL when a post
// arrives) and local uploads through their life — queued, processed (or failed), attached to a
// status at a position, described, and deleted while unattached or pruned when never used.
//
// A status's current attachments have position ≥ 0. One an edit removed keeps its row with
// position -1, so the edit history can still show it; it goes with the status.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { DB, MediaAttachmentsTable } from "../../db/schema.ts";
import { queryTemplate } from "../../db/query-templates.ts";

// A page of statuses reads their attachments: compiled once (db/query-templates.ts).
const mediaOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) =>
  db.selectFrom("media_attachments").selectAll().where("status_id", "in", p.ids).where("position", ">=", 0).orderBy("status_id").orderBy("position"),
  { keepPrepared: true },
);

export type MediaRow = Selectable<MediaAttachmentsTable>;
export type NewMediaRow = Insertable<MediaAttachmentsTable>;

/** What processing gives a local upload when it succeeds. */
export interface ProcessedFields {
  type: MediaRow["type"];
  file_key: string;
  preview_key: string | null;
  file_size: number;
  preview_size: number | null;
  media_type: string;
  meta: string;
  blurhash: string | null;
  width: number | null;
  height: number | null;
}

export class MediaStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insertMany(rows: NewMediaRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto("media_attachments").values(rows).execute();
  }

  async insert(row: NewMediaRow): Promise<void> {
    await this.db.insertInto("media_attachments").values(row).execute();
  }

  async byId(id: string): Promise<MediaRow | undefined> {
    return this.db.selectFrom("media_attachments").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async byIds(ids: readonly string[]): Promise<MediaRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("media_attachments").selectAll().where("id", "in", ids).execute();
  }

  /** `accountId`'s uploads among `ids` (attached or not; the caller decides what it may do). */
  async ownedAmong(accountId: string, ids: readonly string[]): Promise<MediaRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("media_attachments").selectAll().where("account_id", "=", accountId).where("id", "in", ids).where("remote_url", "is", null).execute();
  }

  async deleteOfStatus(statusId: string): Promise<void> {
    await this.db.deleteFrom("media_attachments").where("status_id", "=", statusId).execute();
  }

  /** status id → its current attachments, in order. */
  async ofStatuses(statusIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
    const map = new Map<string, MediaRow[]>();
    if (statusIds.length === 0) return map;
    const rows = await mediaOfStatuses(this.db, { ids: statusIds });
    for (const row of rows) map.set(row.status_id!, [...(map.get(row.status_id!) ?? []), row]);
    return map;
  }

  /** Every attachment a status ever had (current and removed by edits), for history and cleanup. */
  async allOfStatus(statusId: string): Promise<MediaRow[]> {
    return this.db.selectFrom("media_attachments").selectAll().where("status_id", "=", statusId).orderBy("position").execute();
  }

  /**
   * Makes `ids` (in this order) the status's attachments at positions 0…n-1, and marks the ones
   * it had before but not now as removed (position -1). Only rows of `accountId` that are
   * unattached or already on this status are touched; returns how many of `ids` were set.
   * Uploads reserved for a scheduled status are taken only by that one (`reservedFor`) when it
   * is published, and stop being reserved.
   */
  async setStatusMedia(statusId: string, accountId: string, ids: readonly string[], reservedFor: string | null = null): Promise<number> {
    await this.db
      .updateTable("media_attachments")
      .set({ position: -1 })
      .where("status_id", "=", statusId)
      .$if(ids.length > 0, (q) => q.where("id", "not in", ids))
      .execute();
    let set = 0;
    for (const [position, id] of ids.entries()) {
      const result = await this.db
        .updateTable("media_attachments")
        .set({ status_id: statusId, position, scheduled_status_id: null })
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .where((eb) => eb.or([eb("status_id", "is", null), eb("status_id", "=", statusId)]))
        .where((eb) => (reservedFor === null ? eb("scheduled_status_id", "is", null) : eb.or([eb("scheduled_status_id", "is", null), eb("scheduled_status_id", "=", reservedFor)])))
        .executeTakeFirst();
      set += Number(result.numUpdatedRows);
    }
    return set;
  }

  /**
   * A remote post's attachments after an edit, in order: rows whose URL is still there are kept
   * (their id, so clients' references hold) and updated, new URLs get rows, the rest leave the
   * post (position -1, kept for its history). Returns the current ids in order.
   */
  async syncRemote(
    statusId: string,
    accountId: string,
    attachments: readonly { type: MediaRow["type"]; url: string; mediaType: string | null; description: string | null; blurhash: string | null; focus: { x: number; y: number } | null; width: number | null; height: number | null }[],
    newId: () => string,
    now: string,
  ): Promise<string[]> {
    const existing = await this.allOfStatus(statusId);
    const unused = new Map<string, MediaRow[]>();
    for (const row of existing) unused.set(row.remote_url ?? "", [...(unused.get(row.remote_url ?? "") ?? []), row]);
    const ids: string[] = [];
    for (const [position, a] of attachments.entries()) {
      const fields = {
        type: a.type, media_type: a.mediaType, description: a.description, blurhash: a.blurhash, focus_x: a.focus?.x ?? null, focus_y: a.focus?.y ?? null,
        width: a.width, height: a.height, position, updated_at: now,
      };
      const kept = unused.get(a.url)?.shift();
      if (kept) {
        await this.db.updateTable("media_attachments").set(fields).where("id", "=", kept.id).execute();
        ids.push(kept.id);
      } else {
        const id = newId();
        await this.db.insertInto("media_attachments").values({ ...fields, id, status_id: statusId, account_id: accountId, remote_url: a.url, url: null, preview_url: null, created_at: now }).execute();
        ids.push(id);
      }
    }
    const gone = [...unused.values()].flat().map((r) => r.id);
    if (gone.length) await this.db.updateTable("media_attachments").set({ position: -1 }).where("id", "in", gone).execute();
    return ids;
  }

  /** A deleted status's current attachments become unattached uploads again (delete-and-redraft). */
  async detachFromStatus(statusId: string): Promise<void> {
    await this.db.updateTable("media_attachments").set({ status_id: null, position: 0 }).where("status_id", "=", statusId).where("position", ">=", 0).execute();
  }

  /** Claims a queued upload for processing; false when another worker or an earlier run has it done. */
  async markProcessing(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("media_attachments")
      .set({ processing: "processing", updated_at: now })
      .where("id", "=", id)
      .where("processing", "in", ["queued", "processing"])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records the processed files; false if the row is gone (deleted while it was processed). */
  async markDone(id: string, fields: ProcessedFields, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("media_attachments")
      .set({ ...fields, processing: "done", upload_key: null, processing_error: null, updated_at: now })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markFailed(id: string, message: string, now: string): Promise<void> {
    await this.db
      .updateTable("media_attachments")
      .set({ processing: "failed", processing_error: message.slice(0, 500), upload_key: null, updated_at: now })
      .where("id", "=", id)
      .execute();
  }

  /** Description, focus, a custom preview (thumbnail). */
  async update(id: string, changes: Pick<Updateable<MediaAttachmentsTable>, "description" | "focus_x" | "focus_y" | "preview_key" | "preview_size" | "updated_at">): Promise<void> {
    await this.db.updateTable("media_attachments").set(changes).where("id", "=", id).execute();
  }

  /** Deletes an unattached upload; false if it is attached, reserved for a scheduled status (or gone). */
  async deleteUnattached(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("media_attachments").where("id", "=", id).where("status_id", "is", null).where("scheduled_status_id", "is", null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Local uploads never attached to a status nor reserved for a scheduled one, created before `cutoff` (for the prune), oldest first. */
  async unattachedBefore(cutoff: string, limit: number): Promise<MediaRow[]> {
    return this.db
      .selectFrom("media_attachments")
      .selectAll()
      .where("status_id", "is", null)
      .where("scheduled_status_id", "is", null)
      .where("remote_url", "is", null)
      .where("created_at", "<", cutoff)
      .orderBy("created_at")
      .limit(limit)
      .execute();
  }
}

/** Every storage key a row holds (the upload while it waits, the processed original and preview). */
export function storageKeysOf(row: Pick<MediaRow, "upload_key" | "file_key" | "preview_key">): string[] {
  return [row.upload_key, row.file_key, row.preview_key].filter((k): k is string => typeof k === "string" && k !== "");
}
