// Private notes an account keeps on other accounts (POST /api/v1/accounts/:id/note).
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

export class AccountNoteStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** The writer's notes on any of `targetIds`, by target id. */
  async amongTargets(accountId: string, targetIds: readonly string[]): Promise<Map<string, string>> {
    if (targetIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("account_notes")
      .select(["target_account_id", "comment"])
      .where("account_id", "=", accountId)
      .where("target_account_id", "in", targetIds)
      .execute();
    return new Map(rows.map((r) => [r.target_account_id, r.comment]));
  }

  async set(row: { id: string; account_id: string; target_account_id: string; comment: string; now: string }): Promise<void> {
    await this.db
      .insertInto("account_notes")
      .values({ id: row.id, account_id: row.account_id, target_account_id: row.target_account_id, comment: row.comment, created_at: row.now, updated_at: row.now })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ comment: row.comment, updated_at: row.now }))
      .execute();
  }

  async clear(accountId: string, targetId: string): Promise<void> {
    await this.db.deleteFrom("account_notes").where("account_id", "=", accountId).where("target_account_id", "=", targetId).execute();
  }
}
