import type { Kysely } from "kysely";

// Media (issue 13): local uploads processed in the background, avatars and headers kept by
// Skein, custom emojis (local and remote), the remote-media cache with its byte accounting, and
// the daily counters the cost report reads. Files live in the media storage (a folder under
// DATA_DIR/media or an S3-compatible bucket); rows hold only their keys.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("media_attachments")
    // "queued" | "processing" | "done" | "failed"; remote attachments are "done" (the cache fetches them).
    .addColumn("processing", "text", (c) => c.notNull().defaultTo("done"))
    .execute();
  for (const column of ["upload_key", "file_key", "preview_key", "meta", "remote_preview_url", "processing_error", "updated_at"]) {
    await db.schema.alterTable("media_attachments").addColumn(column, "text").execute();
  }
  // Sizes of single files fit in 32 bits (uploads are bounded far below 2 GiB).
  for (const column of ["file_size", "preview_size"]) {
    await db.schema.alterTable("media_attachments").addColumn(column, "integer").execute();
  }
  // Unattached uploads of an account, and old unattached uploads for the prune.
  await db.schema.createIndex("media_attachments_created").on("media_attachments").columns(["status_id", "created_at"]).execute();

  // A local account's avatar and header, as files in the media storage (remote accounts keep the
  // origin's URL in avatar_url / header_url and are shown through the cache).
  for (const column of ["avatar_key", "avatar_static_key", "header_key", "header_static_key"]) {
    await db.schema.alterTable("accounts").addColumn(column, "text").execute();
  }

  await db.schema
    .createTable("custom_emojis")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("shortcode", "text", (c) => c.notNull())
    // "" for this server's own emojis: a unique index treats NULLs as distinct on both databases.
    .addColumn("domain", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("uri", "text")
    .addColumn("image_remote_url", "text")
    .addColumn("image_key", "text")
    .addColumn("static_key", "text")
    .addColumn("image_size", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("content_type", "text")
    .addColumn("category", "text")
    .addColumn("visible_in_picker", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("custom_emojis_shortcode_domain").on("custom_emojis").columns(["shortcode", "domain"]).unique().execute();

  await db.schema
    .createTable("remote_media_cache")
    // The object's key in the media storage (cache/…).
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("source_url", "text", (c) => c.notNull())
    // "original" | "small"
    .addColumn("variant", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("last_viewed_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("remote_media_cache_lru").on("remote_media_cache").columns(["last_viewed_at"]).execute();
  await db.schema.createIndex("remote_media_cache_source").on("remote_media_cache").columns(["source_url", "variant"]).execute();

  await db.schema
    .createTable("media_usage_daily")
    // YYYY-MM-DD (UTC)
    .addColumn("day", "text", (c) => c.notNull())
    // What was served: "local_original" | "local_preview" | "remote_cache" | "avatar" | "header" | "emoji" | …
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("requests", "bigint", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("media_usage_daily_pk", ["day", "kind"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("media_usage_daily").execute();
  await db.schema.dropTable("remote_media_cache").execute();
  await db.schema.dropTable("custom_emojis").execute();
  for (const column of ["avatar_key", "avatar_static_key", "header_key", "header_static_key"]) {
    await db.schema.alterTable("accounts").dropColumn(column).execute();
  }
  await db.schema.dropIndex("media_attachments_created").execute();
  for (const column of ["processing", "upload_key", "file_key", "preview_key", "meta", "remote_preview_url", "processing_error", "updated_at", "file_size", "preview_size"]) {
    await db.schema.alterTable("media_attachments").dropColumn(column).execute();
  }
}
