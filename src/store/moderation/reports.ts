// Data access for reports (from local users, and Flag activities from other servers).
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, ReportsTable } from "../db/schema.ts";

export type ReportRow = Selectable<ReportsTable>;

export class ReportStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<ReportsTable>): Promise<void> {
    await this.db.insertInto("reports").values(row).execute();
  }

  async list(limit = 100): Promise<ReportRow[]> {
    return this.db.selectFrom("reports").selectAll().orderBy("id", "desc").limit(limit).execute();
  }
}
