import type { Kysely } from "kysely";
import { queueAsRowidTable } from "../dialects/full-text.ts";

// Full-text search (issue 15), SQLite: the queue of statuses waiting to be indexed
// (status_search_pending, 0036) becomes one B-tree keyed by the status id as its rowid, so that a
// post's queueing writes one page, not two (see dialects/full-text.ts). Its rows are kept.
// PostgreSQL: nothing to do.
export async function up(db: Kysely<any>): Promise<void> {
  await queueAsRowidTable(db);
}

export async function down(): Promise<void> {
  // The rowid table holds the same rows under the same names: nothing to undo.
}
