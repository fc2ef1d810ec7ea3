// Data access for an account's filters, their keywords and their statuses.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { DB, FiltersTable, FilterKeywordsTable, FilterStatusesTable } from "../db/schema.ts";
import { queryTemplate } from "../db/query-templates.ts";

export type FilterRow = Selectable<FiltersTable>;
export type FilterKeywordRow = Selectable<FilterKeywordsTable>;
export type FilterStatusRow = Selectable<FilterStatusesTable>;

/** A filter with everything it matches on. */
export interface FilterWithRules {
  filter: FilterRow;
  keywords: FilterKeywordRow[];
  statuses: FilterStatusRow[];
}

// Every page of statuses reads its reader's active filters: compiled once (db/query-templates.ts).
const filtersOf = queryTemplate((db: Kysely<DB>, p: { accountId: string; filterId: string | null; activeAt: string | null }) => {
  let q = db.selectFrom("filters").selectAll().where("account_id", "=", p.accountId);
  if (p.filterId) q = q.where("id", "=", p.filterId);
  const at = p.activeAt;
  if (at) q = q.where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", at)]));
  return q.orderBy("id");
}, { keepPrepared: true });

export class FilterStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<FiltersTable>): Promise<void> {
    await this.db.insertInto("filters").values(row).execute();
  }

  async update(id: string, changes: Updateable<FiltersTable>): Promise<void> {
    await this.db.updateTable("filters").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("filters").where("id", "=", id).execute();
  }

  /** The filter if it belongs to `accountId`. */
  async owned(accountId: string, id: string): Promise<FilterRow | undefined> {
    return this.db.selectFrom("filters").selectAll().where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
  }

  async countOf(accountId: string): Promise<number> {
    const row = await this.db.selectFrom("filters").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The account's filters with their keywords and statuses, oldest first. `activeAt` leaves out
   * filters that had expired by then.
   */
  async withRules(accountId: string, options: { activeAt?: string; filterId?: string } = {}): Promise<FilterWithRules[]> {
    const filters = await filtersOf(this.db, { accountId, filterId: options.filterId || null, activeAt: options.activeAt || null });
    if (filters.length === 0) return [];
    const ids = filters.map((f) => f.id);
    const [keywords, statuses] = await Promise.all([
      this.db.selectFrom("filter_keywords").selectAll().where("filter_id", "in", ids).orderBy("id").execute(),
      this.db.selectFrom("filter_statuses").selectAll().where("filter_id", "in", ids).orderBy("id").execute(),
    ]);
    return filters.map((filter) => ({
      filter,
      keywords: keywords.filter((k) => k.filter_id === filter.id),
      statuses: statuses.filter((s) => s.filter_id === filter.id),
    }));
  }

  // --- keywords ---------------------------------------------------------------------------

  async insertKeyword(row: Insertable<FilterKeywordsTable>): Promise<void> {
    await this.db.insertInto("filter_keywords").values(row).execute();
  }

  async updateKeyword(id: string, changes: Updateable<FilterKeywordsTable>): Promise<void> {
    await this.db.updateTable("filter_keywords").set(changes).where("id", "=", id).execute();
  }

  async deleteKeyword(id: string): Promise<void> {
    await this.db.deleteFrom("filter_keywords").where("id", "=", id).execute();
  }

  async keywordsOf(filterId: string): Promise<FilterKeywordRow[]> {
    return this.db.selectFrom("filter_keywords").selectAll().where("filter_id", "=", filterId).orderBy("id").execute();
  }

  /** The keyword if its filter belongs to `accountId`. */
  async ownedKeyword(accountId: string, id: string): Promise<FilterKeywordRow | undefined> {
    return this.db
      .selectFrom("filter_keywords")
      .innerJoin("filters", "filters.id", "filter_keywords.filter_id")
      .selectAll("filter_keywords")
      .where("filter_keywords.id", "=", id)
      .where("filters.account_id", "=", accountId)
      .executeTakeFirst();
  }

  // --- statuses ---------------------------------------------------------------------------

  /** Adds the status to the filter; false if it was there already. */
  async insertStatus(row: Insertable<FilterStatusesTable>): Promise<boolean> {
    const inserted = await this.db
      .insertInto("filter_statuses")
      .values(row)
      .onConflict((oc) => oc.columns(["filter_id", "status_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async deleteStatus(id: string): Promise<void> {
    await this.db.deleteFrom("filter_statuses").where("id", "=", id).execute();
  }

  async statusesOf(filterId: string): Promise<FilterStatusRow[]> {
    return this.db.selectFrom("filter_statuses").selectAll().where("filter_id", "=", filterId).orderBy("id").execute();
  }

  /** The filter status if its filter belongs to `accountId`. */
  async ownedStatus(accountId: string, id: string): Promise<FilterStatusRow | undefined> {
    return this.db
      .selectFrom("filter_statuses")
      .innerJoin("filters", "filters.id", "filter_statuses.filter_id")
      .selectAll("filter_statuses")
      .where("filter_statuses.id", "=", id)
      .where("filters.account_id", "=", accountId)
      .executeTakeFirst();
  }
}
