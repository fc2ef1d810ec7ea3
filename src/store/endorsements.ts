// Accounts an account endorses ("features on its profile"; Mastodon's account pins).
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";
import { paginate, type PageRequest } from "./pagination.ts";

export class EndorsementStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Of `targetIds`, those `accountId` endorses. */
  async amongTargets(accountId: string, targetIds: readonly string[]): Promise<Set<string>> {
    if (targetIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("account_endorsements")
      .select("target_account_id")
      .where("account_id", "=", accountId)
      .where("target_account_id", "in", targetIds)
      .execute();
    return new Set(rows.map((r) => r.target_account_id));
  }

  async add(row: { id: string; account_id: string; target_account_id: string; created_at: string }): Promise<void> {
    await this.db.insertInto("account_endorsements").values(row).onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing()).execute();
  }

  /** Ends an endorsement; also called when the follow behind it ends (unfollow, block). */
  async remove(accountId: string, targetId: string): Promise<void> {
    await this.db.deleteFrom("account_endorsements").where("account_id", "=", accountId).where("target_account_id", "=", targetId).execute();
  }

  /** The endorsed accounts, newest endorsement first, without suspended ones; the cursor is the endorsement's id. */
  async endorsedBy(accountId: string, page: PageRequest): Promise<{ relationId: string; account: AccountRow }[]> {
    const q = this.db
      .selectFrom("account_endorsements")
      .innerJoin("accounts", "accounts.id", "account_endorsements.target_account_id")
      .selectAll("accounts")
      .select("account_endorsements.id as relation_id")
      .where("account_endorsements.account_id", "=", accountId)
      .where("accounts.suspended_at", "is", null);
    const rows = (await paginate(q, "account_endorsements.id", page)) as unknown as (AccountRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...account }) => ({ relationId: String(relation_id), account }));
  }
}
