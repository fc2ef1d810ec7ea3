import type { Kysely } from "kysely";

// Lists (with their materialized feeds), timeline markers, followed hashtags, direct-message
// conversations and notification policies. Same conventions as 0001/0002: bigint ids, 0/1 flags,
// ISO text timestamps.
export async function up(db: Kysely<any>): Promise<void> {
  const id = "bigint";

  await db.schema
    .createTable("lists")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("replies_policy", "text", (c) => c.notNull().defaultTo("list"))
    .addColumn("exclusive", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("lists_account").on("lists").columns(["account_id", "id"]).execute();

  await db.schema
    .createTable("list_accounts")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("list_id", id, (c) => c.notNull().references("lists.id").onDelete("cascade"))
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("list_accounts_pair", ["list_id", "account_id"])
    .execute();
  // Fan-out asks "which lists hold this author?"; exclusive lists filter home by it too.
  await db.schema.createIndex("list_accounts_account").on("list_accounts").columns(["account_id", "list_id"]).execute();

  // A list's timeline, materialized on write like home_feed: one row per (list, status).
  await db.schema
    .createTable("list_feed")
    .addColumn("list_id", id, (c) => c.notNull().references("lists.id").onDelete("cascade"))
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("list_feed_pk", ["list_id", "status_id"])
    .execute();
  await db.schema.createIndex("list_feed_status").on("list_feed").column("status_id").execute();

  await db.schema
    .createTable("markers")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("timeline", "text", (c) => c.notNull())
    .addColumn("last_read_id", id, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("markers_pk", ["account_id", "timeline"])
    .execute();

  await db.schema
    .createTable("tag_follows")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("tag_id", id, (c) => c.notNull().references("tags.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("tag_follows_pair", ["account_id", "tag_id"])
    .execute();
  await db.schema.createIndex("tag_follows_tag").on("tag_follows").columns(["tag_id", "account_id"]).execute();

  // One row per participant and thread/participant set, as Mastodon's account_conversations.
  await db.schema
    .createTable("account_conversations")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("conversation_id", id, (c) => c.notNull())
    /** The other participants' ids, sorted, comma-separated. */
    .addColumn("participant_account_ids", "text", (c) => c.notNull())
    .addColumn("last_status_id", id, (c) => c.notNull())
    .addColumn("unread", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("account_conversations_key", ["account_id", "conversation_id", "participant_account_ids"])
    .execute();
  await db.schema.createIndex("account_conversations_list").on("account_conversations").columns(["account_id", "last_status_id"]).execute();
  await db.schema.createIndex("account_conversations_last").on("account_conversations").column("last_status_id").execute();

  await db.schema
    .createTable("account_conversation_statuses")
    .addColumn("account_conversation_id", id, (c) => c.notNull().references("account_conversations.id").onDelete("cascade"))
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("account_conversation_statuses_pk", ["account_conversation_id", "status_id"])
    .execute();
  await db.schema.createIndex("account_conversation_statuses_status").on("account_conversation_statuses").column("status_id").execute();

  await db.schema
    .createTable("notification_policies")
    .addColumn("account_id", id, (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
    .addColumn("for_not_following", "text", (c) => c.notNull())
    .addColumn("for_not_followers", "text", (c) => c.notNull())
    .addColumn("for_new_accounts", "text", (c) => c.notNull())
    .addColumn("for_private_mentions", "text", (c) => c.notNull())
    .addColumn("for_limited_accounts", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // Grouped notifications read and dismiss whole groups.
  await db.schema.createIndex("notifications_group").on("notifications").columns(["account_id", "group_key", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("notifications_group").execute();
  for (const table of [
    "notification_policies", "account_conversation_statuses", "account_conversations", "tag_follows", "markers", "list_feed", "list_accounts", "lists",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
