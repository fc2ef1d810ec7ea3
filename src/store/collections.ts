// Collections of accounts (Mastodon 4.6, FEP-7aa9) and their items.
import type { Kysely, Selectable, Updateable } from "kysely";
import type { TagRow } from "./statuses.ts";
import type { DB, CollectionsTable, CollectionItemsTable, CollectionItemState } from "../db/schema.ts";

export type CollectionRow = Selectable<CollectionsTable>;
export type CollectionItemRow = Selectable<CollectionItemsTable>;

export class CollectionStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async byId(id: string): Promise<CollectionRow | undefined> {
    return this.db.selectFrom("collections").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async insert(row: CollectionRow): Promise<void> {
    await this.db.insertInto("collections").values(row).execute();
  }

  async update(id: string, changes: Updateable<CollectionsTable>): Promise<void> {
    await this.db.updateTable("collections").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("collection_items").where("collection_id", "=", id).execute();
    await this.db.deleteFrom("collections").where("id", "=", id).execute();
  }

  async countOf(accountId: string): Promise<number> {
    const row = await this.db.selectFrom("collections").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** An account's collections, newest first (only discoverable ones unless `all`). */
  async ofAccount(accountId: string, all: boolean, page: { limit: number; offset: number }): Promise<CollectionRow[]> {
    let q = this.db.selectFrom("collections").selectAll().where("account_id", "=", accountId);
    if (!all) q = q.where("discoverable", "=", 1);
    return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(page.limit).offset(page.offset).execute();
  }

  /** Collections in which `accountId` is an accepted item, newest first. */
  async featuring(accountId: string, page: { limit: number; offset: number }): Promise<CollectionRow[]> {
    return this.db
      .selectFrom("collections")
      .selectAll("collections")
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("collection_items")
            .select("collection_items.id")
            .whereRef("collection_items.collection_id", "=", "collections.id")
            .where("collection_items.account_id", "=", accountId)
            .where("collection_items.state", "=", "accepted"),
        ),
      )
      .orderBy("collections.created_at", "desc")
      .orderBy("collections.id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  /** The items of some collections, oldest first, with `states` only. */
  async items(collectionIds: readonly string[], states: readonly CollectionItemState[]): Promise<CollectionItemRow[]> {
    if (collectionIds.length === 0) return [];
    return this.db
      .selectFrom("collection_items")
      .selectAll()
      .where("collection_id", "in", collectionIds)
      .where("state", "in", states)
      .orderBy("id", "asc")
      .execute();
  }

  async item(collectionId: string, itemId: string): Promise<CollectionItemRow | undefined> {
    return this.db.selectFrom("collection_items").selectAll().where("collection_id", "=", collectionId).where("id", "=", itemId).executeTakeFirst();
  }

  async itemFor(collectionId: string, accountId: string): Promise<CollectionItemRow | undefined> {
    return this.db.selectFrom("collection_items").selectAll().where("collection_id", "=", collectionId).where("account_id", "=", accountId).executeTakeFirst();
  }

  async insertItem(row: CollectionItemRow): Promise<void> {
    await this.db.insertInto("collection_items").values(row).execute();
  }

  async setItemState(id: string, state: CollectionItemState): Promise<void> {
    await this.db.updateTable("collection_items").set({ state }).where("id", "=", id).execute();
  }

  /** The hashtags collections are described by. */
  async tagsByIds(ids: readonly string[]): Promise<TagRow[]> {
    return this.db.selectFrom("tags").selectAll().where("id", "in", ids).execute();
  }

  async deleteItem(id: string): Promise<void> {
    await this.db.deleteFrom("collection_items").where("id", "=", id).execute();
  }
}
