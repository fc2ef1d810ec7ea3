import type { Kysely } from "kysely";
import { addDayLexemes } from "../dialects/full-text.ts";

// Full-text search (issue 15), PostgreSQL: every indexed document gains the lexeme of its status's
// day, so that the GIN index finds a phrase or a CJK word among the newest days first (see
// dialects/full-text.ts, RECENCY). Documents written from now on carry it; this adds it to those
// already indexed (one pass over status_search), and keeps the GIN index's pending list small
// (every search reads all of it). SQLite's index needs nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await addDayLexemes(db);
}

export async function down(): Promise<void> {
  // The lexeme and the smaller pending list are harmless without the search that uses them.
}
