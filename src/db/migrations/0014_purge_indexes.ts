import type { Kysely } from "kysely";

// Purging accounts (a suspended server's, or a local one's) deletes rows by the account that
// caused them and by the statuses being removed, and PostgreSQL's cascades from accounts and
// statuses do the same: without these indexes each such delete read the whole table, once per
// purged account or status.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("notifications_from_account").on("notifications").column("from_account_id").execute();
  await db.schema.createIndex("notifications_status").on("notifications").column("status_id").execute();
  await db.schema.createIndex("media_attachments_account").on("media_attachments").column("account_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("media_attachments_account").execute();
  await db.schema.dropIndex("notifications_status").execute();
  await db.schema.dropIndex("notifications_from_account").execute();
}
