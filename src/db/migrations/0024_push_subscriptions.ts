import type { Kysely } from "kysely";

// Web Push subscriptions (issue 14). One row per access token (token_id unique: a new POST
// replaces it); deleting the token (its app, its user) or the account deletes the row. A revoked
// token's row stops being used at once (queries join on live tokens) and is swept.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("push_subscriptions")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("token_id", "bigint", (c) => c.notNull().unique().references("oauth_access_tokens.id").onDelete("cascade"))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("key_p256dh", "text", (c) => c.notNull())
    .addColumn("key_auth", "text", (c) => c.notNull())
    .addColumn("alerts", "text", (c) => c.notNull())
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("standard", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sealed_token", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  // A notification looks up its recipient's subscriptions.
  await db.schema.createIndex("push_subscriptions_account").on("push_subscriptions").column("account_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("push_subscriptions").execute();
}
