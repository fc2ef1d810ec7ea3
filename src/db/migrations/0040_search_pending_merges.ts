import type { Kysely } from "kysely";
import { raisePendingListLimit } from "../dialects/full-text.ts";

// Full-text search (issue 15), PostgreSQL: the indexer now merges the GIN index's pending list
// itself, many documents at a time (domain/search/indexer.ts), so the list's own limit goes back
// to PostgreSQL's 4 MB, a backstop (see dialects/full-text.ts). SQLite's index needs nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await raisePendingListLimit(db);
}

export async function down(): Promise<void> {
  // The larger limit is harmless without the indexer's merges: searches read a longer list.
}
