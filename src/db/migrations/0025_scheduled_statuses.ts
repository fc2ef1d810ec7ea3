import type { Kysely } from "kysely";

// Scheduled statuses (issue 14): a post written now and published by the scheduler at
// `scheduled_at`. The row is the schedule itself: the sweep finds due rows by `scheduled_at` and
// claims one with a conditional UPDATE of `claimed_until` (a lease), so a restart loses none and
// two processes never publish the same one. Media attached to a scheduled post are reserved for
// it through `media_attachments.scheduled_status_id` (not pruned, not attachable elsewhere).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scheduled_statuses")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull())
    .addColumn("application_id", "bigint")
    .addColumn("scheduled_at", "text", (c) => c.notNull())
    // JSON: what the status will be made of (text, poll, media ids, visibility…).
    .addColumn("params", "text", (c) => c.notNull())
    // The Idempotency-Key of the request that scheduled it: the same key gives the same row.
    .addColumn("idempotency_key", "text")
    // A sweep publishing it holds it until then; an expired lease (a crash) lets another retry.
    .addColumn("claimed_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("scheduled_statuses_due").on("scheduled_statuses").columns(["scheduled_at"]).execute();
  await db.schema.createIndex("scheduled_statuses_account").on("scheduled_statuses").columns(["account_id", "id"]).execute();
  await db.schema.createIndex("scheduled_statuses_idempotency").on("scheduled_statuses").columns(["account_id", "idempotency_key"]).execute();
  await db.schema.alterTable("media_attachments").addColumn("scheduled_status_id", "bigint").execute();
  await db.schema.createIndex("media_attachments_scheduled").on("media_attachments").columns(["scheduled_status_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("media_attachments_scheduled").execute();
  await db.schema.alterTable("media_attachments").dropColumn("scheduled_status_id").execute();
  await db.schema.dropTable("scheduled_statuses").execute();
}
