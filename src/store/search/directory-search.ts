// Accounts and hashtags by prefix, ranked (issue 15). Accounts: an exact username first, then
// accounts the reader follows, then local ones, then by followers and recent activity; never
// suspended ones nor, for a signed-in reader, accounts blocking them or blocked by them.
// Hashtags: an exact name first, then by use in the last week, then by name.
import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { AccountRow } from "../accounts.ts";
import type { TagRow } from "../statuses.ts";

const escapeLike = (text: string) => text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

/** How many prefix matches are ranked for a hashtag search. */
const TAG_CANDIDATES = 200;

export class DirectorySearchStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async accounts(query: { username: string; domain: string | null }, viewerId: string | null, options: { followingOnly: boolean; limit: number; offset: number }): Promise<AccountRow[]> {
    const prefix = `${escapeLike(query.username)}%`;
    const word = `% ${escapeLike(query.username)}%`;
    const exact = query.username.toLowerCase();
    let q = this.db
      .selectFrom("accounts as a")
      .selectAll("a")
      .where("a.suspended_at", "is", null)
      .where(sql<SqlBool>`(lower(a.username) like ${prefix} escape '\\' or lower(a.display_name) like ${prefix} escape '\\' or lower(a.display_name) like ${word} escape '\\')`);
    if (query.domain) q = q.where(sql<SqlBool>`lower(a.domain) like ${`${escapeLike(query.domain)}%`} escape '\\'`);
    if (viewerId !== null) {
      q = q.where(sql<SqlBool>`not exists (select 1 from blocks b where (b.account_id = ${viewerId} and b.target_account_id = a.id) or (b.account_id = a.id and b.target_account_id = ${viewerId}))`);
    }
    if (viewerId !== null && options.followingOnly) q = q.where(sql<SqlBool>`exists (select 1 from follows fo where fo.account_id = ${viewerId} and fo.target_account_id = a.id)`);
    q = q.orderBy(sql`case when lower(a.username) = ${exact} then 0 else 1 end`);
    if (viewerId !== null) q = q.orderBy(sql`case when exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = a.id) then 0 else 1 end`);
    return q
      .orderBy(sql`case when a.domain is null then 0 else 1 end`)
      .orderBy("a.followers_count", "desc")
      .orderBy(sql`coalesce(a.last_status_at, '')`, "desc")
      .orderBy("a.id")
      .limit(options.limit)
      .offset(options.offset)
      .execute();
  }

  async hashtags(prefix: string, since: string, limit: number, offset: number): Promise<TagRow[]> {
    const name = prefix.toLowerCase();
    const result = await sql<TagRow>`
      select c.id, c.name, c.display_name, c.created_at from (
        select t.id, t.name, t.display_name, t.created_at from tags t
        where t.name like ${`${escapeLike(prefix)}%`} escape '\\'
        order by length(t.name), t.name limit ${TAG_CANDIDATES}) c
      order by case when c.name = ${name} then 0 else 1 end,
        (select count(*) from status_tags st where st.tag_id = c.id and st.status_id >= ${since}) desc,
        length(c.name), c.name
      limit ${limit} offset ${offset}`.execute(this.db);
    return result.rows;
  }
}
