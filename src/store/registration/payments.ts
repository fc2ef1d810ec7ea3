// Registration fees (migration 0016): checkouts and the provider events already handled. Queries only.
import type { Kysely, Selectable, Insertable } from "kysely";
import type { DB, PaymentsTable } from "../../db/schema.ts";

export type PaymentRow = Selectable<PaymentsTable>;
export type PaymentState = PaymentsTable["state"];

export class PaymentStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<PaymentsTable>): Promise<void> {
    await this.db.insertInto("payments").values(row).execute();
  }

  async byCheckout(provider: string, checkoutId: string): Promise<PaymentRow | undefined> {
    return this.db.selectFrom("payments").selectAll().where("provider", "=", provider).where("checkout_id", "=", checkoutId).executeTakeFirst();
  }

  async byProviderPayment(provider: string, paymentId: string): Promise<PaymentRow | undefined> {
    return this.db.selectFrom("payments").selectAll().where("provider", "=", provider).where("provider_payment_id", "=", paymentId).executeTakeFirst();
  }

  /** The user's newest payment. */
  async latestOfUser(userId: string): Promise<PaymentRow | undefined> {
    return this.db.selectFrom("payments").selectAll().where("user_id", "=", userId).orderBy("id", "desc").limit(1).executeTakeFirst();
  }

  /**
   * Moves a payment from one of `from` to `to` (a conditional update, so two deliveries of
   * different events racing each other cannot both win); true when this call moved it.
   */
  async transition(id: string, from: readonly PaymentState[], to: PaymentState, set: { provider_payment_id?: string; invite_id?: string }, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("payments")
      .set({ state: to, updated_at: at, ...set })
      .where("id", "=", id)
      .where("state", "in", [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records a provider event id; false when it was already there (a retry or a replay). */
  async recordEvent(provider: string, eventId: string, type: string, at: string): Promise<boolean> {
    const result = await this.db
      .insertInto("payment_events")
      .values({ provider, event_id: eventId, type, received_at: at })
      .onConflict((oc) => oc.columns(["provider", "event_id"]).doNothing())
      .returning("event_id")
      .executeTakeFirst();
    return result !== undefined;
  }

  async forgetEvent(provider: string, eventId: string): Promise<void> {
    await this.db.deleteFrom("payment_events").where("provider", "=", provider).where("event_id", "=", eventId).execute();
  }

  /** Unpaid account-mode payments created before `before` (the sweep's work), bounded. */
  async unpaidBefore(before: string, limit = 500): Promise<PaymentRow[]> {
    return this.db
      .selectFrom("payments")
      .selectAll()
      .where("state", "in", ["pending", "expired"])
      .where("created_at", "<", before)
      .orderBy("created_at")
      .limit(limit)
      .execute();
  }

  /** The user who owns invites bought with a fee: the owner, else the first admin. */
  async adminUserId(): Promise<string | undefined> {
    const rows = await this.db.selectFrom("users").select(["id", "role"]).where("role", "in", ["owner", "admin"]).orderBy("id").limit(20).execute();
    return (rows.find((r) => r.role === "owner") ?? rows[0])?.id;
  }

  /** The newest payments, with the invite code each bought (if any), for the CLI. */
  async recent(limit = 100): Promise<(PaymentRow & { invite_code: string | null })[]> {
    return this.db
      .selectFrom("payments")
      .leftJoin("invites", "invites.id", "payments.invite_id")
      .selectAll("payments")
      .select("invites.code as invite_code")
      .orderBy("payments.id", "desc")
      .limit(limit)
      .execute();
  }
}
