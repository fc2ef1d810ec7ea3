// Data access for the figures sampled every minute (server_samples, migration 0038) and the one
// figure no other store gives: the bytes of local uploads' files.
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB } from "../db/schema.ts";
import type { ServerSamplesTable } from "../db/schema/server-samples.ts";

export type ServerSampleRow = Selectable<ServerSamplesTable>;
export type ServerSampleValues = Omit<ServerSampleRow, "media_bytes" | "cache_bytes"> & { media_bytes: number | null; cache_bytes: number | null };

export class ServerSampleStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Writes the minute's row; a later sample of the same minute (another process, "sample now") replaces it. */
  async upsert(row: ServerSampleValues): Promise<void> {
    const { minute, ...rest } = row;
    await this.db.insertInto("server_samples").values(row).onConflict((oc) => oc.column("minute").doUpdateSet(rest)).execute();
  }

  /** Rows from `minute` on, oldest first (at most `limit`: a week is about 10,000). */
  async since(minute: string, limit: number): Promise<ServerSampleValues[]> {
    const rows = await this.db.selectFrom("server_samples").selectAll().where("minute", ">=", minute).orderBy("minute").limit(limit).execute();
    return rows.map((r) => ({ ...r, media_bytes: r.media_bytes === null ? null : Number(r.media_bytes), cache_bytes: r.cache_bytes === null ? null : Number(r.cache_bytes) }));
  }

  /** When storage was last measured (the newest row with its bytes), if ever. */
  async lastStorageMinute(): Promise<string | null> {
    const row = await this.db.selectFrom("server_samples").select((eb) => eb.fn.max("minute").as("minute")).where("media_bytes", "is not", null).executeTakeFirst();
    return (row?.minute as string | null | undefined) ?? null;
  }

  /** Deletes rows older than `minute`; returns how many. */
  async pruneBefore(minute: string): Promise<number> {
    const result = await this.db.deleteFrom("server_samples").where("minute", "<", minute).executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }

  /** Bytes of local uploads' processed files (originals and previews); a scan of the attachments, so measured hourly. */
  async localMediaBytes(): Promise<number> {
    const row = await this.db
      .selectFrom("media_attachments")
      .select(sql<number | string>`coalesce(sum(coalesce(file_size, 0) + coalesce(preview_size, 0)), 0)`.as("bytes"))
      .where("file_key", "is not", null)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }
}
