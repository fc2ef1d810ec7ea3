// Data access for the remote-media cache: which remote file a proxied URL names (attachment,
// avatar, header, emoji), the cache's rows (one per stored copy) and its one accounting row.
// Queries only; the budget's rules live in domain/media/remote-cache.ts.
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, RemoteMediaCacheTable } from "../../db/schema.ts";

export type CacheRow = Selectable<RemoteMediaCacheTable>;
export type CacheVariant = "original" | "small";

/** The remote file a proxied URL names, with what decides whether it may be shown. */
export interface RemoteSource {
  /** The origin's URL of the file (for "small": of the image the preview is made from). */
  url: string | null;
  /** The account the file belongs to: its domain (null: local) and whether it is suspended. */
  domain: string | null;
  suspended: boolean;
  /** Attachments: Mastodon's type (image, gifv, video, audio, unknown); others: "image". */
  type: string;
}

export class MediaCacheStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** A remote attachment's files: the original, and its origin's preview (a video's poster). Null: no such attachment. */
  async attachmentSource(id: string): Promise<(RemoteSource & { previewUrl: string | null }) | null> {
    const row = await this.db
      .selectFrom("media_attachments as m")
      .innerJoin("accounts as a", "a.id", "m.account_id")
      .select(["m.remote_url", "m.remote_preview_url", "m.type", "m.status_id", "a.domain", "a.suspended_at"])
      .where("m.id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    // An attachment whose post is gone is no longer shown (remote posts keep their attachments while they exist).
    if (row.status_id !== null) {
      const status = await this.db.selectFrom("statuses").select("id").where("id", "=", row.status_id).executeTakeFirst();
      if (!status) return null;
    }
    return { url: row.remote_url, previewUrl: row.remote_preview_url, domain: row.domain, suspended: row.suspended_at !== null, type: row.type };
  }

  async accountSource(id: string, which: "avatar" | "header"): Promise<RemoteSource | null> {
    const row = await this.db.selectFrom("accounts").select(["avatar_url", "header_url", "domain", "suspended_at"]).where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    return { url: which === "avatar" ? row.avatar_url : row.header_url, domain: row.domain, suspended: row.suspended_at !== null, type: "image" };
  }

  async emojiSource(id: string): Promise<RemoteSource | null> {
    const row = await this.db.selectFrom("custom_emojis").select(["image_remote_url", "domain", "disabled"]).where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    return { url: row.image_remote_url, domain: row.domain === "" ? null : row.domain, suspended: row.disabled === 1, type: "image" };
  }

  /** The stored, whole copy of `sourceUrl` in `variant`, if any. */
  async findReady(sourceUrl: string, variant: CacheVariant): Promise<CacheRow | null> {
    return (
      (await this.db.selectFrom("remote_media_cache").selectAll().where("source_url", "=", sourceUrl).where("variant", "=", variant).where("ready", "=", 1).executeTakeFirst()) ?? null
    );
  }

  async byKey(key: string): Promise<CacheRow | null> {
    return (await this.db.selectFrom("remote_media_cache").selectAll().where("key", "=", key).executeTakeFirst()) ?? null;
  }

  /** Which of `keys` have a row. */
  async existingKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db.selectFrom("remote_media_cache").select("key").where("key", "in", keys).execute();
    return new Set(rows.map((r) => r.key));
  }

  /** Rows after `afterKey` in key order, `limit` at a time (for the check). */
  async page(afterKey: string, limit: number): Promise<CacheRow[]> {
    return this.db.selectFrom("remote_media_cache").selectAll().where("key", ">", afterKey).orderBy("key").limit(limit).execute();
  }

  async touch(keys: readonly string[], at: string): Promise<void> {
    if (keys.length) await this.db.updateTable("remote_media_cache").set({ last_viewed_at: at }).where("key", "in", keys).execute();
  }

  /**
   * Reserves `bytes` of the budget if they fit: one conditional UPDATE, atomic on both engines
   * (PostgreSQL locks the row, SQLite has one writer), so concurrent admissions never overshoot.
   */
  async reserve(bytes: number, budget: number): Promise<boolean> {
    const result = await this.db
      .updateTable("remote_media_cache_usage")
      .set({ used_bytes: sql<number>`used_bytes + ${bytes}` })
      .where("id", "=", 1)
      .where(sql<boolean>`used_bytes + ${bytes} <= ${budget}`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async release(bytes: number): Promise<void> {
    if (bytes > 0) await this.db.updateTable("remote_media_cache_usage").set({ used_bytes: sql<number>`used_bytes - ${bytes}` }).where("id", "=", 1).execute();
  }

  async usedBytes(): Promise<number> {
    const row = await this.db.selectFrom("remote_media_cache_usage").select("used_bytes").where("id", "=", 1).executeTakeFirst();
    return Number(row?.used_bytes ?? 0);
  }

  async setUsedBytes(bytes: number): Promise<void> {
    await this.db.updateTable("remote_media_cache_usage").set({ used_bytes: bytes }).where("id", "=", 1).execute();
  }

  /** Claims `key` for a copy being stored; false if another process (or view) already has it. */
  async insertPending(row: { key: string; sourceUrl: string; variant: CacheVariant; contentType: string; bytes: number; at: string }): Promise<boolean> {
    const result = await this.db
      .insertInto("remote_media_cache")
      .values({ key: row.key, source_url: row.sourceUrl, variant: row.variant, content_type: row.contentType, bytes: row.bytes, last_viewed_at: row.at, created_at: row.at, ready: 0 })
      .onConflict((oc) => oc.column("key").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async markReady(key: string): Promise<void> {
    await this.db.updateTable("remote_media_cache").set({ ready: 1 }).where("key", "=", key).execute();
  }

  /** Removes a row whatever its state; the bytes it held, or null if it was not there. */
  async deleteRow(key: string): Promise<number | null> {
    const row = await this.db.deleteFrom("remote_media_cache").where("key", "=", key).returning("bytes").executeTakeFirst();
    return row ? Number(row.bytes) : null;
  }

  /** The least recently viewed whole copies of `variant`, oldest first. */
  async leastRecentlyViewed(variant: CacheVariant, limit: number): Promise<{ key: string; bytes: number }[]> {
    const rows = await this.db
      .selectFrom("remote_media_cache")
      .select(["key", "bytes"])
      .where("variant", "=", variant)
      .where("ready", "=", 1)
      .orderBy("last_viewed_at")
      .orderBy("key")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: r.key, bytes: Number(r.bytes) }));
  }

  /**
   * Takes a whole copy out of the cache for eviction: only one process wins a row, and only the
   * winner deletes the file and gives the bytes back, so nothing is counted off twice.
   */
  async claimForEviction(key: string): Promise<number | null> {
    const row = await this.db.deleteFrom("remote_media_cache").where("key", "=", key).where("ready", "=", 1).returning("bytes").executeTakeFirst();
    return row ? Number(row.bytes) : null;
  }

  /** Rows still being stored since before `before` (a process died mid-store). */
  async stalePending(before: string, limit: number): Promise<CacheRow[]> {
    return this.db.selectFrom("remote_media_cache").selectAll().where("ready", "=", 0).where("created_at", "<", before).limit(limit).execute();
  }

  /** Bytes and files of the cache by variant, from the rows. */
  async totals(): Promise<{ variant: CacheVariant; files: number; bytes: number }[]> {
    const rows = await this.db
      .selectFrom("remote_media_cache")
      .select(["variant", sql<number>`count(*)`.as("files"), sql<number>`coalesce(sum(bytes), 0)`.as("bytes")])
      .groupBy("variant")
      .execute();
    return rows.map((r) => ({ variant: r.variant, files: Number(r.files), bytes: Number(r.bytes) }));
  }
}
