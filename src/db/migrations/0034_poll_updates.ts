import type { Kysely } from "kysely";

// Federating a local poll's counts (issue 16): a vote marks the poll's Update(Question) as due a
// little later (POLL_UPDATE_DELAY), so a busy poll sends one update per interval, not one per
// vote. The mark lives in the row, so a restart loses no update and a sweeping process claims it
// with a conditional UPDATE.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("polls").addColumn("update_due_at", "text").execute();
  await db.schema.createIndex("polls_update_due").on("polls").column("update_due_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("polls_update_due").execute();
  await db.schema.alterTable("polls").dropColumn("update_due_at").execute();
}
