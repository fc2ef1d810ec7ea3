import type { Kysely } from "kysely";
import { createFullTextSchema, dropFullTextSchema } from "../dialects/full-text.ts";

// Full-text search of posts (issue 15): `status_search`, one row per indexed status (cascading
// with it), and the engine's index over it; see dialects/full-text.ts. Posts stored before this
// migration are found once `./skein search reindex` has run.
export async function up(db: Kysely<any>): Promise<void> {
  await createFullTextSchema(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropFullTextSchema(db);
}
