import type { Kysely } from "kysely";

// The server's figures sampled every minute for the admin console's charts (issue 17): queue
// depth, deliveries per minute, media storage. One row per minute (the minute is the key, so two
// processes sampling the same minute write one row); the sampling sweep deletes rows older than
// about a week, so the table stays near 10,000 rows.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("server_samples")
    .addColumn("minute", "text", (c) => c.primaryKey())
    .addColumn("sampled_at", "text", (c) => c.notNull())
    .addColumn("jobs_queued", "integer", (c) => c.notNull())
    .addColumn("jobs_ready", "integer", (c) => c.notNull())
    .addColumn("deliveries_queued", "integer", (c) => c.notNull())
    .addColumn("deliveries_ready", "integer", (c) => c.notNull())
    .addColumn("delivered", "integer", (c) => c.notNull())
    .addColumn("failed", "integer", (c) => c.notNull())
    .addColumn("media_bytes", "bigint")
    .addColumn("cache_bytes", "bigint")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("server_samples").execute();
}
