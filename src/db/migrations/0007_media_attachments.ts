import type { Kysely } from "kysely";

// Media attached to statuses. Remote media are kept as references to their origin for now
// (`remote_url`); local uploads and a cache with a size budget come with the media work.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("media_attachments")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("status_id", "bigint", (c) => c.references("statuses.id").onDelete("cascade"))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("remote_url", "text")
    .addColumn("url", "text")
    .addColumn("preview_url", "text")
    .addColumn("media_type", "text")
    .addColumn("description", "text")
    .addColumn("blurhash", "text")
    .addColumn("focus_x", "real")
    .addColumn("focus_y", "real")
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("media_attachments_status").on("media_attachments").columns(["status_id", "position"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("media_attachments").execute();
}
