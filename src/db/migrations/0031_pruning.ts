import type { Kysely } from "kysely";

// Remote data with limits (issue 16): `./skein prune` and REMOTE_POST_RETENTION.
// `tombstones`: remote objects deleted by their authors, kept compactly (a 128-bit hash of the
// URI, not the URI) until `expires_at`, so a late Create or Update of a deleted post from a peer
// does not bring it back; the prune removes expired ones.
// `statuses_local_conversation`: "is there a local post in this thread?" is asked for every
// remote post the prune looks at; this makes it one index probe instead of a scan.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("tombstones")
    .addColumn("uri_hash", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tombstones_expires").on("tombstones").column("expires_at").execute();
  await db.schema.createIndex("statuses_local_conversation").on("statuses").columns(["local", "conversation_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("statuses_local_conversation").execute();
  await db.schema.dropTable("tombstones").execute();
}
