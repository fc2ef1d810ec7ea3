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
  if (viewerId === null) return sql<SqlBool>`(${s}.visibility in ('public', 'unlisted') and ${authorNotSuspended(alias)})`;
  return sql<SqlBool>`(
    ${authorNotSuspended(alias)}
    and (${s}.visibility in ('public', 'unlisted')
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

/**
 * A suspended author's statuses are nobody's to read: a moderator here suspended the account (or
 * its server), or the actor deleted itself. Unsuspending brings them back until they are purged.
 */
function authorNotSuspended(alias: string): Expression<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from accounts sus where sus.id = ${sql.ref(alias)}.account_id and sus.suspended_at is not null)`;
}

/**
 * Hides authors the viewer muted (timelines and notifications; not profiles or threads). `now`:
 * when mutes with an end are compared (a query template passes it as a parameter).
 */
export function notMutedBy(viewerId: string | null, alias = "statuses", now: string = new Date().toISOString()): Expression<SqlBool> {
  if (viewerId === null) return sql<SqlBool>`1 = 1`;
  const s = sql.ref(alias);
  return sql<SqlBool>`not exists (
    select 1 from mutes mu where mu.account_id = ${viewerId} and mu.target_account_id = ${s}.account_id
      and (mu.expires_at is null or mu.expires_at > ${now}))`;
}

/** readableBy, and for a boost, the boosted status must be readable too. */
export function readableWithBoostBy(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  const s = sql.ref(alias);
  return sql<SqlBool>`(${readableBy(viewerId, alias)} and (${s}.reblog_of_id is null or exists (
    select 1 from statuses boosted where boosted.id = ${s}.reblog_of_id and ${readableBy(viewerId, "boosted")})))`;
}

/**
 * Hides statuses from a domain the viewer blocked (POST /api/v1/domain_blocks), and boosts of
 * them: timelines, lists, conversations. The author's domain is compared exactly, as Mastodon
 * compares a user's domain blocks (a block of "example.com" does not cover "sub.example.com").
 */
export function notDomainBlockedBy(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  if (viewerId === null) return sql<SqlBool>`1 = 1`;
  const s = sql.ref(alias);
  const blockedAuthor = (accountId: Expression<unknown>) => sql<SqlBool>`exists (
    select 1 from accounts dba inner join account_domain_blocks adb on adb.domain = dba.domain
    where dba.id = ${accountId} and adb.account_id = ${viewerId})`;
  return sql<SqlBool>`(not ${blockedAuthor(sql`${s}.account_id`)} and (${s}.reblog_of_id is null or not exists (
    select 1 from statuses dbb where dbb.id = ${s}.reblog_of_id and ${blockedAuthor(sql`dbb.account_id`)})))`;
}

/**
 * Leaves out statuses of limited (silenced) authors — an account a moderator limited, or one on
 * a limited domain (accounts.silenced_at is kept in step with domain silences, see
 * domain/moderation/limited-accounts.ts) — unless the viewer is the author or follows them.
 * For the public and hashtag timelines, trends and their streams, as in Mastodon.
 */
export function notLimitedFor(viewerId: string | null, alias = "statuses"): Expression<SqlBool> {
  const s = sql.ref(alias);
  const exempt =
    viewerId === null
      ? sql``
      : sql`and lim.id <> ${viewerId} and not exists (
          select 1 from follows limf where limf.account_id = ${viewerId} and limf.target_account_id = lim.id)`;
  return sql<SqlBool>`not exists (
    select 1 from accounts lim where lim.id = ${s}.account_id and lim.silenced_at is not null ${exempt})`;
}

/** The account in `accountColumn` (e.g. notifications.from_account_id) is not on a domain `viewerId` blocked. */
export function accountNotDomainBlockedBy(viewerId: string, accountColumn: string): Expression<SqlBool> {
  return sql<SqlBool>`not exists (
    select 1 from accounts dba inner join account_domain_blocks adb on adb.domain = dba.domain
    where dba.id = ${sql.ref(accountColumn)} and adb.account_id = ${viewerId})`;
}
