import type { Kysely } from "kysely";

// Full-text indexing after the commit (issue 15): a post's transaction only records its id here;
// a sweep (server/scheduler.ts "search-index") indexes the pending statuses in batches and deletes
// their rows in the same transaction, so a crash leaves them pending and nothing is lost. No
// foreign key: a status deleted before its turn is dropped by the sweep, and a deletion never
// waits on (or deadlocks with) a sweep holding the row.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("status_search_pending")
    .addColumn("status_id", "bigint", (c) => c.primaryKey())
    .addColumn("queued_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("status_search_pending").execute();
}
