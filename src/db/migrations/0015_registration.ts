import type { Kysely } from "kysely";

// Registration: invites (who may bring whom in, how often, until when) and the moderators'
// username block list. Invite codes are not secrets worth hashing: they are meant to be shared,
// shown again to their owner, and revoked by code from the CLI.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("invites")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("max_uses", "integer")
    .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "text")
    .addColumn("autofollow", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema.createIndex("invites_user_created").on("invites").columns(["user_id", "created_at"]).execute();
  await db.schema
    .createTable("username_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    // As the moderator typed it, and folded (lower case, look-alikes → Latin) for matching.
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("normalized", "text", (c) => c.notNull().unique())
    .addColumn("exact", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("username_blocks").execute();
  await db.schema.dropTable("invites").execute();
}
