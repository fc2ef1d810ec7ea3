import type { Kysely } from "kysely";

// Single-use links sent by e-mail: confirming an address (at sign-up, or a new address before it
// replaces the old one) and resetting a password. Only the SHA-256 of a token is kept, so a copy
// of the database confirms nothing and resets no password. `email` is the address the link was
// sent to (the new one, for a change), so a link confirms exactly what it was mailed to.
// A row is made when the mail is asked for (token_hash null); the token itself is drawn when the
// mail queue hands the mail to the transport, so no live token waits in the jobs table either.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("email_tokens")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.unique())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  // A new link of a kind replaces the user's earlier ones; per-address limits count recent links.
  await db.schema.createIndex("email_tokens_user_kind").on("email_tokens").columns(["user_id", "kind"]).execute();
  await db.schema.createIndex("email_tokens_email_created").on("email_tokens").columns(["email", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("email_tokens").execute();
}
