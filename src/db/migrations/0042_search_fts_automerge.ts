import type { Kysely } from "kysely";
import { mergeSegmentsSixteenAtATime } from "../dialects/full-text.ts";

// Full-text search (issue 15), SQLite: FTS5 merges its index's segments sixteen at a time, which
// halves the indexing sweep's CPU a post at 1M posts (see dialects/full-text.ts). PostgreSQL:
// nothing to do.
export async function up(db: Kysely<any>): Promise<void> {
  await mergeSegmentsSixteenAtATime(db);
}

export async function down(): Promise<void> {
  // Merging more segments at once is harmless to a schema without it: nothing to undo.
}
