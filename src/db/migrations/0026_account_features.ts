import type { Kysely } from "kysely";

// What an account says about other accounts and about itself on its profile (issue 14):
// private notes on accounts (seen only by their writer), endorsed accounts (Mastodon's
// "feature on profile", only accounts one follows), featured hashtags, and collections of
// accounts (Mastodon 4.6, FEP-7aa9). Whether an account may be put in someone's collection is
// its `discoverable` flag, as Mastodon decides it for local accounts: no column of its own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("account_notes")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("comment", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("account_notes_unique", ["account_id", "target_account_id"])
    .execute();
  await db.schema
    .createTable("account_endorsements")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("account_endorsements_unique", ["account_id", "target_account_id"])
    .execute();
  await db.schema.createIndex("account_endorsements_target").on("account_endorsements").column("target_account_id").execute();
  await db.schema
    .createTable("featured_tags")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("tag_id", "bigint", (c) => c.notNull().references("tags.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("featured_tags_unique", ["account_id", "tag_id"])
    .execute();
  await db.schema
    .createTable("collections")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("language", "text")
    .addColumn("sensitive", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("discoverable", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("tag_id", "bigint", (c) => c.references("tags.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("collections_account").on("collections").columns(["account_id", "created_at"]).execute();
  await db.schema
    .createTable("collection_items")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("collection_id", "bigint", (c) => c.notNull().references("collections.id").onDelete("cascade"))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // accepted | revoked (pending and rejected wait for federated feature requests).
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("collection_items_unique", ["collection_id", "account_id"])
    .execute();
  await db.schema.createIndex("collection_items_account").on("collection_items").columns(["account_id", "state"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["collection_items", "collections", "featured_tags", "account_endorsements", "account_notes"]) {
    await db.schema.dropTable(table).execute();
  }
}
