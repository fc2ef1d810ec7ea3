import type { Kysely } from "kysely";

// Relays (issue 16): the subscriptions an admin made (API or `./skein relays`), their state, and
// the Follow each Accept or Reject answers. Follows and their Undo are sent by a server's sweep
// (`follow_sent_at` null: not sent yet; state "removing": Undo to send, then the row goes), so a
// subscription made from the command line, or one a crash interrupted, still goes out.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("relays")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("inbox_url", "text", (c) => c.notNull().unique())
    .addColumn("actor_uri", "text")
    .addColumn("protocol", "text", (c) => c.notNull())
    .addColumn("follow_uri", "text", (c) => c.notNull().unique())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("follow_sent_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("relays").execute();
}
