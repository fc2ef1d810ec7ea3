import type { Kysely } from "kysely";

// Paid registration: one row per checkout (who or what it pays for, how much, where it stands),
// and the provider's event ids already handled, so that a retried webhook changes nothing twice.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("payments")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    // The provider's checkout id (Stripe: cs_…); unique per provider.
    .addColumn("checkout_id", "text", (c) => c.notNull())
    .addColumn("checkout_url", "text", (c) => c.notNull())
    // What the payment was later known by (Stripe: the PaymentIntent pi_…), for refunds and disputes.
    .addColumn("provider_payment_id", "text")
    // "account" mode: the user it makes usable; "invite" mode: the e-mail that gets the invite.
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("email", "text")
    .addColumn("invite_id", "bigint")
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("amount", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("payments_checkout").on("payments").columns(["provider", "checkout_id"]).unique().execute();
  await db.schema.createIndex("payments_provider_payment").on("payments").columns(["provider", "provider_payment_id"]).execute();
  await db.schema.createIndex("payments_user").on("payments").columns(["user_id"]).execute();
  await db.schema.createIndex("payments_state_created").on("payments").columns(["state", "created_at"]).execute();
  await db.schema
    .createTable("payment_events")
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("payment_events_pk", ["provider", "event_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("payment_events").execute();
  await db.schema.dropTable("payments").execute();
}
