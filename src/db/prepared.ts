// Statements a store asks to keep prepared (the one seam for it; docs/performance/search.md, "Fifth pass").
// PostgreSQL plans an unnamed statement at every execution; a search's statement with its privacy
// rules took ~2 ms to plan (about as long as it then ran), and 0.05-0.1 ms as a kept generic plan.
// Marked statements go as named prepared statements on each pooled connection
// (dialects/postgres.ts), where PostgreSQL's own choice between a custom and a generic plan applies
// (custom for the first five executions, generic afterwards if its estimate is no dearer). Mark only
// a statement whose generic plan is known to be as good as the custom ones (check with EXPLAIN of
// both, plan_cache_mode = force_generic_plan / force_custom_plan): a statement whose best plan
// depends on its parameters' values (a tsquery's words among days of ids) must stay unmarked.
// SQLite: the mark is a comment; its driver keeps every statement prepared by its text already.
import { sql, type RawBuilder } from "kysely";

/** The comment that starts a statement to keep prepared. */
export const KEEP_PREPARED = "/* keep prepared */ ";

export function keptPrepared<T>(query: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(KEEP_PREPARED)}${query}`;
}
