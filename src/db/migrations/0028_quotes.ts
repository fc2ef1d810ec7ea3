import type { Kysely } from "kysely";

// Quote posts (Mastodon 4.5, FEP-044f) and interaction policies (GoToSocial's vocabulary).
// `quotes`: one row per quoting status — what it quotes (by URI, and by id once the quoted post is
// stored), the authorization's state and, once accepted, the QuoteAuthorization's URI.
// `status_interaction_policies`: who may quote and reply to a local status; for a remote status,
// the interactionPolicy its server announced (JSON), enforced on local accounts' attempts.
export async function up(db: Kysely<any>): Promise<void> {
  const id = "bigint";
  await db.schema
    .createTable("quotes")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("status_id", id, (c) => c.notNull().unique().references("statuses.id").onDelete("cascade"))
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // No foreign key: a quoted post that goes leaves the quote behind, shown as `deleted`.
    .addColumn("quoted_status_id", id)
    .addColumn("quoted_account_id", id)
    .addColumn("quoted_uri", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("authorization_uri", "text")
    .addColumn("request_uri", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("quotes_quoted_status_id").on("quotes").columns(["quoted_status_id", "id"]).execute();
  await db.schema.createIndex("quotes_request_uri").on("quotes").column("request_uri").execute();
  await db.schema.createIndex("quotes_authorization_uri").on("quotes").column("authorization_uri").execute();
  await db.schema
    .createTable("status_interaction_policies")
    .addColumn("status_id", id, (c) => c.primaryKey().references("statuses.id").onDelete("cascade"))
    .addColumn("quote_policy", "text", (c) => c.notNull())
    .addColumn("reply_policy", "text", (c) => c.notNull())
    .addColumn("remote_policy", "text")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("status_interaction_policies").execute();
  await db.schema.dropTable("quotes").execute();
}
