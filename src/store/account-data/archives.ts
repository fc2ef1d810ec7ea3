// Data access for account archives (account_archives): requests, their state, and the expired
// ones the sweep removes.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { AccountArchivesTable, DB } from "../../db/schema.ts";

export type AccountArchiveRow = Selectable<AccountArchivesTable>;

export class AccountArchiveStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<AccountArchivesTable>): Promise<void> {
    await this.db.insertInto("account_archives").values(row).execute();
  }

  byId(id: string): Promise<AccountArchiveRow | undefined> {
    return this.db.selectFrom("account_archives").selectAll().where("id", "=", id).executeTakeFirst();
  }

  recent(accountId: string, limit: number): Promise<AccountArchiveRow[]> {
    return this.db.selectFrom("account_archives").selectAll().where("account_id", "=", accountId).orderBy("id", "desc").limit(limit).execute();
  }

  /** The newest request made at or after `since` (failed ones do not count against the weekly allowance). */
  latestSince(accountId: string, since: string): Promise<AccountArchiveRow | undefined> {
    return this.db
      .selectFrom("account_archives")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("created_at", ">=", since)
      .where("state", "!=", "failed")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  async update(id: string, changes: Updateable<AccountArchivesTable>): Promise<void> {
    await this.db.updateTable("account_archives").set(changes).where("id", "=", id).execute();
  }

  expired(now: string, limit: number): Promise<AccountArchiveRow[]> {
    return this.db.selectFrom("account_archives").selectAll().where("expires_at", "<=", now).orderBy("expires_at").limit(limit).execute();
  }

  ofAccount(accountId: string): Promise<AccountArchiveRow[]> {
    return this.db.selectFrom("account_archives").selectAll().where("account_id", "=", accountId).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("account_archives").where("id", "=", id).execute();
  }
}
