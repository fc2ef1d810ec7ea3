// Data access for Web Push subscriptions. Every read that decides whether to push joins the
// token that made the subscription and keeps only live ones, so a revoked token stops pushing
// at once; sweepRevoked() then deletes those rows.
import type { Kysely, Selectable } from "kysely";
import type { DB, PushSubscriptionsTable, PushPolicy } from "../db/schema.ts";

export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;

export class PushSubscriptionStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Stores `row` as its token's subscription, replacing the one the token had (one per token). */
  async replaceForToken(row: PushSubscriptionRow): Promise<void> {
    await this.db.deleteFrom("push_subscriptions").where("token_id", "=", row.token_id).execute();
    await this.db.insertInto("push_subscriptions").values(row).execute();
  }

  async byToken(tokenId: string): Promise<PushSubscriptionRow | undefined> {
    return this.db.selectFrom("push_subscriptions").selectAll().where("token_id", "=", tokenId).executeTakeFirst();
  }

  async updateData(tokenId: string, alerts: string, policy: PushPolicy, now: string): Promise<void> {
    await this.db.updateTable("push_subscriptions").set({ alerts, policy, updated_at: now }).where("token_id", "=", tokenId).execute();
  }

  async deleteByToken(tokenId: string): Promise<void> {
    await this.db.deleteFrom("push_subscriptions").where("token_id", "=", tokenId).execute();
  }

  async deleteById(id: string): Promise<void> {
    await this.db.deleteFrom("push_subscriptions").where("id", "=", id).execute();
  }

  /** A subscription whose token is still live, with its user's locale and role (what a push needs). */
  async liveById(id: string) {
    return this.live().where("p.id", "=", id).executeTakeFirst();
  }

  /** The live subscriptions of an account (at most one per token; a user has few). */
  async liveForAccount(accountId: string, limit = 100) {
    return this.live().where("p.account_id", "=", accountId).orderBy("p.id").limit(limit).execute();
  }

  /** Deletes subscriptions whose token was revoked or whose user can no longer sign in; how many. */
  async sweepRevoked(): Promise<number> {
    const result = await this.db
      .deleteFrom("push_subscriptions")
      .where((eb) =>
        eb("token_id", "in", eb.selectFrom("oauth_access_tokens as t").innerJoin("users as u", "u.id", "t.user_id").select("t.id").where((w) => w.or([w("t.revoked_at", "is not", null), w("u.disabled", "=", 1)]))),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private live() {
    return this.db
      .selectFrom("push_subscriptions as p")
      .innerJoin("oauth_access_tokens as t", "t.id", "p.token_id")
      .innerJoin("users as u", "u.id", "t.user_id")
      .selectAll("p")
      .select(["u.locale as user_locale", "u.role as user_role"])
      .where("t.revoked_at", "is", null)
      .where("u.disabled", "=", 0);
  }
}
