import type { Kysely } from "kysely";

// What federation needs to know about accounts (where to deliver, who moved where) and the
// signing keys of local actors.
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ["inbox_url", "shared_inbox_url", "followers_url", "featured_url", "also_known_as", "fetched_at"]) {
    await db.schema.alterTable("accounts").addColumn(column, "text").execute();
  }
  await db.schema.alterTable("accounts").addColumn("actor_type", "text", (c) => c.notNull().defaultTo("Person")).execute();
  await db.schema.alterTable("accounts").addColumn("moved_to_account_id", "bigint").execute();
  await db.schema.createIndex("accounts_shared_inbox").on("accounts").column("shared_inbox_url").execute();

  await db.schema
    .createTable("actor_keys")
    .addColumn("account_id", "bigint", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
    .addColumn("rsa_private", "text", (c) => c.notNull())
    .addColumn("rsa_public", "text", (c) => c.notNull())
    .addColumn("ed25519_private", "text", (c) => c.notNull())
    .addColumn("ed25519_public", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("reports")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("status_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("uri", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("reports").execute();
  await db.schema.dropTable("actor_keys").execute();
}
