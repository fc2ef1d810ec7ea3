// Mastodon's cursor pagination over a time-sortable id column: max_id (older than), since_id
// (newer than, newest first), min_id (newer than, oldest first — "the next page up"), limit.
import { sql, type SelectQueryBuilder } from "kysely";

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
  return pageOrder(await pageQuery(query, column, page).execute(), page);
}

/** `query` with the cursors, order and limit of `page` (for a query template: db/query-templates.ts); pageOrder puts its rows in Mastodon's order. */
export function pageQuery<O>(query: SelectQueryBuilder<any, any, O>, column: string, page: PageRequest, options: { literalLimit?: boolean } = {}): SelectQueryBuilder<any, any, O> {
  let q = query;
  if (page.maxId) q = q.where(column, "<", page.maxId);
  if (page.sinceId) q = q.where(column, ">", page.sinceId);
  if (page.minId) q = q.where(column, ">", page.minId);
  // A literal LIMIT for a statement kept prepared on PostgreSQL (db/query-templates.ts, inline): its generic plan then costs what the custom ones do.
  return q.orderBy(column, ascending(page) ? "asc" : "desc").limit(options.literalLimit ? sql.lit(Math.trunc(page.limit)) : page.limit);
}

/** Rows of pageQuery newest first, as Mastodon returns them (min_id makes the query walk forwards). */
export function pageOrder<O>(rows: O[], page: PageRequest): O[] {
  if (ascending(page)) rows.reverse();
  return rows;
}

function ascending(page: PageRequest): boolean {
  return Boolean(page.minId) && !page.sinceId;
}
