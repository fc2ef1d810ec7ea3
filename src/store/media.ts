// Data access for media attachments.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, MediaAttachmentsTable } from "../db/schema.ts";

export type MediaRow = Selectable<MediaAttachmentsTable>;

export class MediaStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insertMany(rows: Insertable<MediaAttachmentsTable>[]): Promise<void> {
    if (rows.length) await this.db.insertInto("media_attachments").values(rows).execute();
  }

  async deleteOfStatus(statusId: string): Promise<void> {
    await this.db.deleteFrom("media_attachments").where("status_id", "=", statusId).execute();
  }

  /** status id → its attachments, in order. */
  async ofStatuses(statusIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
    const map = new Map<string, MediaRow[]>();
    if (statusIds.length === 0) return map;
    const rows = await this.db.selectFrom("media_attachments").selectAll().where("status_id", "in", statusIds).orderBy("position").execute();
    for (const row of rows) map.set(row.status_id!, [...(map.get(row.status_id!) ?? []), row]);
    return map;
  }
}
