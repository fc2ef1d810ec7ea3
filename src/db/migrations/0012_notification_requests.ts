import type { Kysely } from "kysely";

// Filtered notifications (Mastodon 4.3's notification requests): a notification the recipient's
// policy files away (`filter`) is stored with filtered = 1 and kept out of the main list; the
// notifications of one sender form a request the recipient accepts or dismisses. Accepting
// records a permission, so later notifications from that sender are not filtered again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("notifications").addColumn("filtered", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // The requests of a recipient: its filtered notifications grouped by sender.
  await db.schema.createIndex("notifications_filtered").on("notifications").columns(["account_id", "filtered", "from_account_id"]).execute();
  await db.schema
    .createTable("notification_permissions")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("from_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("notification_permissions_unique", ["account_id", "from_account_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notification_permissions").execute();
  await db.schema.dropIndex("notifications_filtered").execute();
  await db.schema.alterTable("notifications").dropColumn("filtered").execute();
}
