// Mastodon's cursor pagination over a time-sortable id column: max_id (older than), since_id
// (newer than, newest first), min_id (newer than, oldest first — "the next page up"), limit.
import type { SelectQueryBuilder } from "kysely";

export interface PageRequest {
  maxId?: string | null;
  sinceId?: string | null;
  minId?: string | null;
  limit: number;
}

/**
 * Applies the cursors to `query` on `column` and runs it. Rows come back newest first in every
 * case (Mastodon's order), even when min_id made the query walk forwards.
 */
export async function paginate<O>(query: SelectQueryBuilder<any, any, O>, column: string, page: PageRequest): Promise<O[]> {
  let q = query;
  if (page.maxId) q = q.where(column, "<", page.maxId);
  if (page.sinceId) q = q.where(column, ">", page.sinceId);
  if (page.minId) q = q.where(column, ">", page.minId);
  const ascending = Boolean(page.minId) && !page.sinceId;
  const rows = await q.orderBy(column, ascending ? "asc" : "desc").limit(page.limit).execute();
  if (ascending) rows.reverse();
  return rows;
}
