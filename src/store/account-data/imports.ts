// Data access for CSV imports (account_imports): the upload, its progress, the list a user sees.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { AccountImportsTable, DB } from "../../db/schema.ts";

export type AccountImportRow = Selectable<AccountImportsTable>;
/** What lists and progress show: everything but the rows themselves. */
export type AccountImportSummary = Omit<AccountImportRow, "rows">;

const SUMMARY = ["id", "account_id", "type", "mode", "state", "filename", "total_rows", "processed_rows", "imported_rows", "failed_rows", "created_at", "finished_at"] as const;

export class AccountImportStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<AccountImportsTable>): Promise<void> {
    await this.db.insertInto("account_imports").values(row).execute();
  }

  /** The whole import, rows included (for the job). */
  byId(id: string): Promise<AccountImportRow | undefined> {
    return this.db.selectFrom("account_imports").selectAll().where("id", "=", id).executeTakeFirst();
  }

  summary(accountId: string, id: string): Promise<AccountImportSummary | undefined> {
    return this.db.selectFrom("account_imports").select(SUMMARY).where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
  }

  recent(accountId: string, limit: number): Promise<AccountImportSummary[]> {
    return this.db.selectFrom("account_imports").select(SUMMARY).where("account_id", "=", accountId).orderBy("id", "desc").limit(limit).execute();
  }

  /** Imports of this account not finished yet (at most a few may wait at once). */
  async unfinishedCount(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("account_imports")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", accountId)
      .where("state", "in", ["queued", "running"])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(id: string, changes: Updateable<AccountImportsTable>): Promise<void> {
    await this.db.updateTable("account_imports").set(changes).where("id", "=", id).execute();
  }

  async deleteOf(accountId: string): Promise<void> {
    await this.db.deleteFrom("account_imports").where("account_id", "=", accountId).execute();
  }
}
