import type { Kysely } from "kysely";

// What users take away and bring along (issue 12): CSV imports processed in the background,
// with their parsed rows kept on the import so a restarted job carries on where it stopped; and
// archives of an account (actor, outbox, likes, bookmarks) built in the background, whose files
// live under DATA_DIR/archives/ and are removed a week after they were built.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("account_imports")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // "following" | "blocks" | "mutes" | "domain_blocks" | "bookmarks" | "lists"
    .addColumn("type", "text", (c) => c.notNull())
    // "merge" | "overwrite"
    .addColumn("mode", "text", (c) => c.notNull())
    // "queued" | "running" | "finished" | "failed"
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull().defaultTo(""))
    // The parsed rows (JSON array), bounded at upload; emptied once the import is finished.
    .addColumn("rows", "text", (c) => c.notNull())
    .addColumn("total_rows", "integer", (c) => c.notNull().defaultTo(0))
    // Rows handled so far, in order: a job taken again starts from here.
    .addColumn("processed_rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("imported_rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed_rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .execute();
  await db.schema.createIndex("account_imports_account").on("account_imports").columns(["account_id", "id"]).execute();

  await db.schema
    .createTable("account_archives")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // "pending" | "ready" | "failed"
    .addColumn("state", "text", (c) => c.notNull())
    // The file's key in the archive storage (a name under DATA_DIR/archives/), once built.
    .addColumn("file_key", "text")
    .addColumn("size_bytes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    // Downloadable until then; the sweep removes the file and the row after it.
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("account_archives_account").on("account_archives").columns(["account_id", "id"]).execute();
  await db.schema.createIndex("account_archives_expires").on("account_archives").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("account_archives").execute();
  await db.schema.dropTable("account_imports").execute();
}
