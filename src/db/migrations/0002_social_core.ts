import type { Kysely } from "kysely";

// Statuses and the relationships around them. Same conventions as 0001: bigint ids, 0/1 flags,
// ISO text timestamps. Every status and relationship has a `uri` so remote ones fit the same rows.
export async function up(db: Kysely<any>): Promise<void> {
  const id = "bigint";
  await db.schema
    .createTable("statuses")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("uri", "text", (c) => c.notNull().unique())
    .addColumn("url", "text")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("local", "integer", (c) => c.notNull())
    .addColumn("in_reply_to_id", id)
    .addColumn("in_reply_to_account_id", id)
    .addColumn("reblog_of_id", id, (c) => c.references("statuses.id").onDelete("cascade"))
    .addColumn("conversation_id", id, (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("content", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("spoiler_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("sensitive", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("language", "text")
    .addColumn("application_id", id)
    .addColumn("replies_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reblogs_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("favourites_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("edited_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("statuses_account").on("statuses").columns(["account_id", "id"]).execute();
  await db.schema.createIndex("statuses_reply").on("statuses").column("in_reply_to_id").execute();
  await db.schema.createIndex("statuses_reblog").on("statuses").columns(["reblog_of_id", "account_id"]).execute();
  await db.schema.createIndex("statuses_public").on("statuses").columns(["visibility", "local", "id"]).execute();

  await db.schema
    .createTable("status_edits")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("spoiler_text", "text", (c) => c.notNull())
    .addColumn("sensitive", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("status_edits_status").on("status_edits").columns(["status_id", "id"]).execute();

  await db.schema
    .createTable("mentions")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addUniqueConstraint("mentions_status_account", ["status_id", "account_id"])
    .execute();
  await db.schema.createIndex("mentions_account").on("mentions").columns(["account_id", "status_id"]).execute();

  await db.schema
    .createTable("tags")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("status_tags")
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addColumn("tag_id", id, (c) => c.notNull().references("tags.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("status_tags_pk", ["status_id", "tag_id"])
    .execute();
  await db.schema.createIndex("status_tags_tag").on("status_tags").columns(["tag_id", "status_id"]).execute();

  // follows, follow_requests, blocks, mutes: one shape, account → target.
  for (const table of ["follows", "follow_requests", "blocks", "mutes"]) {
    let builder = db.schema
      .createTable(table)
      .addColumn("id", id, (c) => c.primaryKey())
      .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("target_account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("uri", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addUniqueConstraint(`${table}_pair`, ["account_id", "target_account_id"]);
    if (table === "follows" || table === "follow_requests") {
      builder = builder
        .addColumn("show_reblogs", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("notify", "integer", (c) => c.notNull().defaultTo(0));
    }
    if (table === "mutes") {
      builder = builder
        .addColumn("hide_notifications", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("expires_at", "text");
    }
    await builder.execute();
    await db.schema.createIndex(`${table}_target`).on(table).columns(["target_account_id", "account_id"]).execute();
  }

  // favourites, bookmarks, pins: one shape, account → status.
  for (const table of ["favourites", "bookmarks", "status_pins"]) {
    await db.schema
      .createTable(table)
      .addColumn("id", id, (c) => c.primaryKey())
      .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
      .addColumn("uri", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addUniqueConstraint(`${table}_pair`, ["account_id", "status_id"])
      .execute();
    await db.schema.createIndex(`${table}_status`).on(table).column("status_id").execute();
  }

  await db.schema
    .createTable("conversation_mutes")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("conversation_id", id, (c) => c.notNull())
    .addPrimaryKeyConstraint("conversation_mutes_pk", ["account_id", "conversation_id"])
    .execute();

  // The home timeline, materialized on write: one row per (reader, status) — see domain/timelines.
  await db.schema
    .createTable("home_feed")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("home_feed_pk", ["account_id", "status_id"])
    .execute();
  await db.schema.createIndex("home_feed_status").on("home_feed").column("status_id").execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("from_account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status_id", id, (c) => c.references("statuses.id").onDelete("cascade"))
    .addColumn("group_key", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notifications_account").on("notifications").columns(["account_id", "id"]).execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["account_id", "key"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "idempotency_keys", "notifications", "home_feed", "conversation_mutes", "status_pins", "bookmarks", "favourites",
    "mutes", "blocks", "follow_requests", "follows", "status_tags", "tags", "mentions", "status_edits", "statuses",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
