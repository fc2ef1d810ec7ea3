// Data access for lists: the lists themselves, their members, and their materialized feeds.
import { sql, type Expression, type Insertable, type Kysely, type Selectable, type SqlBool, type Updateable } from "kysely";
import type { DB, ListsTable } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";
import type { StatusRow } from "./statuses.ts";
import type { RelatedAccount } from "./relationships.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { queryTemplate } from "../db/query-templates.ts";
import { notDomainBlockedBy, notMutedBy, readableWithBoostBy } from "./visibility-sql.ts";

export type ListRow = Selectable<ListsTable>;

// Read for every post (its fan-out to lists), compiled once (db/query-templates.ts) and kept
// prepared: the account's rows of list_accounts by their index, each list by its key, whoever
// posts (the lists an account is on are few), so the generic plan is the custom one; planning it
// was 0.1 ms of PostgreSQL's time a post (docs/performance/search.md, "Tenth pass").
const listsContaining = queryTemplate(
  (db: Kysely<DB>, p: { accountId: string }) =>
    db.selectFrom("list_accounts").innerJoin("lists", "lists.id", "list_accounts.list_id").selectAll("lists").where("list_accounts.account_id", "=", p.accountId),
  { keepPrepared: true },
);

/** Rows per statement, to stay under SQLite's parameter limit. */
const BATCH = 400;

/**
 * The home timeline leaves out the authors the viewer put in an exclusive list (statuses aliased
 * as given). Checked when reading, so making a list exclusive (or not) applies at once.
 */
export function notInExclusiveListOf(viewerId: string, alias = "statuses"): Expression<SqlBool> {
  const s = sql.ref(alias);
  return sql<SqlBool>`not exists (
    select 1 from list_accounts xla inner join lists xl on xl.id = xla.list_id
    where xla.account_id = ${s}.account_id and xl.account_id = ${viewerId} and xl.exclusive = 1)`;
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class ListStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  // --- lists ----------------------------------------------------------------------------

  async insert(row: Insertable<ListsTable>): Promise<void> {
    await this.db.insertInto("lists").values(row).execute();
  }

  async byId(id: string): Promise<ListRow | undefined> {
    return this.db.selectFrom("lists").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** An owner's lists, oldest first. */
  async ofOwner(ownerId: string): Promise<ListRow[]> {
    return this.db.selectFrom("lists").selectAll().where("account_id", "=", ownerId).orderBy("id").execute();
  }

  async countOf(ownerId: string): Promise<number> {
    const row = await this.db.selectFrom("lists").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", ownerId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(id: string, changes: Updateable<ListsTable>): Promise<void> {
    await this.db.updateTable("lists").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("lists").where("id", "=", id).execute();
  }

  // --- members --------------------------------------------------------------------------

  /** Adds members; ones already there are left alone. Returns the ids that were added. */
  async addMembers(listId: string, accountIds: readonly string[], newId: () => string, now: string): Promise<string[]> {
    const added: string[] = [];
    for (const accountId of new Set(accountIds)) {
      const row = await this.db
        .insertInto("list_accounts")
        .values({ id: newId(), list_id: listId, account_id: accountId, created_at: now })
        .onConflict((oc) => oc.columns(["list_id", "account_id"]).doNothing())
        .returning("account_id")
        .executeTakeFirst();
      if (row) added.push(accountId);
    }
    return added;
  }

  /** Removes members and their statuses from the list's feed. */
  async removeMembers(listId: string, accountIds: readonly string[]): Promise<void> {
    for (const batch of chunks([...new Set(accountIds)])) {
      await this.db.deleteFrom("list_accounts").where("list_id", "=", listId).where("account_id", "in", batch).execute();
      await this.db
        .deleteFrom("list_feed")
        .where("list_id", "=", listId)
        .where("status_id", "in", (eb) => eb.selectFrom("statuses").select("statuses.id").where("statuses.account_id", "in", batch))
        .execute();
    }
  }

  /** After an unfollow or a block: the account leaves every list of the (former) follower. */
  async removeFromListsOf(ownerId: string, accountId: string): Promise<void> {
    const lists = await this.db
      .selectFrom("list_accounts")
      .innerJoin("lists", "lists.id", "list_accounts.list_id")
      .select("lists.id")
      .where("lists.account_id", "=", ownerId)
      .where("list_accounts.account_id", "=", accountId)
      .execute();
    for (const list of lists) await this.removeMembers(list.id, [accountId]);
  }

  /** The list's members, newest membership first; `page.limit` 0 means all of them. */
  async members(listId: string, page: PageRequest | null): Promise<RelatedAccount[]> {
    const q = this.db
      .selectFrom("list_accounts")
      .innerJoin("accounts", "accounts.id", "list_accounts.account_id")
      .selectAll("accounts")
      .select("list_accounts.id as relation_id")
      .where("list_accounts.list_id", "=", listId);
    const rows = (page ? await paginate(q, "list_accounts.id", page) : await q.orderBy("list_accounts.id", "desc").execute()) as (AccountRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...account }) => ({ relationId: String(relation_id), account }));
  }

  /** Of the owner's lists, those that hold `accountId`. */
  async ofOwnerContaining(ownerId: string, accountId: string): Promise<ListRow[]> {
    return this.db
      .selectFrom("lists")
      .innerJoin("list_accounts", "list_accounts.list_id", "lists.id")
      .selectAll("lists")
      .where("lists.account_id", "=", ownerId)
      .where("list_accounts.account_id", "=", accountId)
      .orderBy("lists.id")
      .execute();
  }

  /** Every list (of any owner) that holds `accountId`: where its statuses fan out to. */
  async containing(accountId: string): Promise<ListRow[]> {
    return listsContaining(this.db, { accountId });
  }

  /** (list id, account id) pairs among these lists and accounts. */
  async membershipsAmong(listIds: readonly string[], accountIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (listIds.length === 0 || accountIds.length === 0) return out;
    for (const batch of chunks([...new Set(listIds)])) {
      const rows = await this.db
        .selectFrom("list_accounts")
        .select(["list_id", "account_id"])
        .where("list_id", "in", batch)
        .where("account_id", "in", [...new Set(accountIds)])
        .execute();
      for (const r of rows) out.add(`${r.list_id}:${r.account_id}`);
    }
    return out;
  }

  /** Follows from any of `ownerIds` to any of `targetIds`, keyed "owner:target", with show_reblogs. */
  async followsAmong(ownerIds: readonly string[], targetIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (ownerIds.length === 0 || targetIds.length === 0) return out;
    for (const batch of chunks([...new Set(ownerIds)])) {
      const rows = await this.db
        .selectFrom("follows")
        .select(["account_id", "target_account_id", "show_reblogs"])
        .where("account_id", "in", batch)
        .where("target_account_id", "in", [...new Set(targetIds)])
        .execute();
      for (const r of rows) out.set(`${r.account_id}:${r.target_account_id}`, r.show_reblogs);
    }
    return out;
  }

  // --- feeds ----------------------------------------------------------------------------

  /** Puts one status into several lists' feeds. */
  async addToFeeds(statusId: string, listIds: readonly string[]): Promise<void> {
    for (const batch of chunks([...new Set(listIds)])) {
      await this.db
        .insertInto("list_feed")
        .values(batch.map((list_id) => ({ list_id, status_id: statusId })))
        .onConflict((oc) => oc.columns(["list_id", "status_id"]).doNothing())
        .execute();
    }
  }

  /** Puts several statuses into one list's feed (a new member's recent posts). */
  async backfill(listId: string, statusIds: readonly string[]): Promise<void> {
    for (const batch of chunks([...new Set(statusIds)])) {
      await this.db
        .insertInto("list_feed")
        .values(batch.map((status_id) => ({ list_id: listId, status_id })))
        .onConflict((oc) => oc.columns(["list_id", "status_id"]).doNothing())
        .execute();
    }
  }

  /** An author's latest statuses (not direct) that `viewerId` may read: a new member's backfill. */
  async recentOf(authorId: string, viewerId: string, limit: number): Promise<StatusRow[]> {
    return this.db
      .selectFrom("statuses")
      .selectAll("statuses")
      .where("statuses.account_id", "=", authorId)
      .where("statuses.visibility", "!=", "direct")
      .where(readableWithBoostBy(viewerId))
      .orderBy("statuses.id", "desc")
      .limit(limit)
      .execute();
  }

  /** The list's materialized feed, re-checked against privacy and mutes at read time. */
  async timeline(listId: string, viewerId: string, page: PageRequest): Promise<StatusRow[]> {
    const q = this.db
      .selectFrom("list_feed")
      .innerJoin("statuses", "statuses.id", "list_feed.status_id")
      .selectAll("statuses")
      .where("list_feed.list_id", "=", listId)
      .where(readableWithBoostBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId));
    return paginate(q, "list_feed.status_id", page);
  }
}
