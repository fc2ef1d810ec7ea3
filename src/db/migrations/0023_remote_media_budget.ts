import { sql, type Kysely } from "kysely";

// The remote-media cache's hard budget, held across processes (issue 13). One accounting row
// counts the bytes the cache may have on disk: admissions reserve with a conditional UPDATE
// (`used + n <= budget`), which both engines apply atomically, so two processes can never both
// squeeze into the last free bytes. A cache row is written before its file (ready = 0, never
// evicted) and marked ready once the file is whole, so an eviction never races a file being
// stored; the reservation stays counted until the evicted file is gone, so the count is never
// below what is on disk.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("remote_media_cache").addColumn("ready", "integer", (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .createTable("remote_media_cache_usage")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("used_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into remote_media_cache_usage (id, used_bytes) select 1, coalesce(sum(bytes), 0) from remote_media_cache`.execute(db);
  // Evictions take the least recently viewed originals first, then previews.
  await db.schema.createIndex("remote_media_cache_evict").on("remote_media_cache").columns(["variant", "last_viewed_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("remote_media_cache_evict").execute();
  await db.schema.dropTable("remote_media_cache_usage").execute();
  await db.schema.alterTable("remote_media_cache").dropColumn("ready").execute();
}
