import type { Kysely } from "kysely";

// The attachments a status had at each version of its edit history (JSON array of attachment
// ids, in order), so GET /api/v1/statuses/:id/history shows the media each version showed. An
// attachment an edit removed keeps its row (position -1) until the status is deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("status_edits").addColumn("media_ids", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("status_edits").dropColumn("media_ids").execute();
}
