// The one definition of who may read a status, written as SQL conditions so that lists of
// statuses are filtered in the database, never after loading; domain/statuses/visibility.ts asks
// the same rule about one status (what other servers' actors may interact with). The privacy
// matrix test checks every endpoint against the rules.
import { sql, type Expression, type SqlBool } from "kysely";

/**
 * `statuses` (aliased as given) is readable by `viewerId` (null: anonymous):
 * public and unlisted by anyone; private by the author, mentioned accounts and followers;
 * direct by the author and mentioned accounts. Blocks either way hide everything.
 */
export function readableBy(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  const s = sql.ref(alias);
  if (viewerId === null) return sql<SqlBool>`${s}.visibility in ('public', 'unlisted')`;
  return sql<SqlBool>`(
    (${s}.visibility in ('public', 'unlisted')
      or ${s}.account_id = ${viewerId}
      or exists (select 1 from mentions m where m.status_id = ${s}.id and m.account_id = ${viewerId})
      or (${s}.visibility = 'private' and exists (
        select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = ${s}.account_id)))
    and not exists (
      select 1 from blocks b
      where (b.account_id = ${viewerId} and b.target_account_id = ${s}.account_id)
         or (b.account_id = ${s}.account_id and b.target_account_id = ${viewerId}))
  )`;
}

/** Hides authors the viewer muted (timelines and notifications; not profiles or threads). */
export function notMutedBy(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  if (viewerId === null) return sql<SqlBool>`1 = 1`;
  const s = sql.ref(alias);
  return sql<SqlBool>`not exists (
    select 1 from mutes mu where mu.account_id = ${viewerId} and mu.target_account_id = ${s}.account_id
      and (mu.expires_at is null or mu.expires_at > ${new Date().toISOString()}))`;
}

/** readableBy, and for a boost, the boosted status must be readable too. */
export function readableWithBoostBy(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  const s = sql.ref(alias);
  return sql<SqlBool>`(${readableBy(viewerId, alias)} and (${s}.reblog_of_id is null or exists (
    select 1 from statuses boosted where boosted.id = ${s}.reblog_of_id and ${readableBy(viewerId, "boosted")})))`;
}
