import type { Kysely } from "kysely";

// Filters (Mastodon's v2 filters: a titled set of keywords and statuses, per context, with an
// action), polls (options, votes, and the expiry notice the background sweep sends), dismissed
// follow suggestions, and the poll as it was in each recorded edit of a status.
export async function up(db: Kysely<any>): Promise<void> {
  const id = "bigint";

  await db.schema
    .createTable("filters")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    // JSON array of contexts: home, notifications, public, thread, account.
    .addColumn("context", "text", (c) => c.notNull())
    .addColumn("filter_action", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("filters_account").on("filters").columns(["account_id", "id"]).execute();

  await db.schema
    .createTable("filter_keywords")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("filter_id", id, (c) => c.notNull().references("filters.id").onDelete("cascade"))
    .addColumn("keyword", "text", (c) => c.notNull())
    .addColumn("whole_word", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("filter_keywords_filter").on("filter_keywords").columns(["filter_id", "id"]).execute();

  await db.schema
    .createTable("filter_statuses")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("filter_id", id, (c) => c.notNull().references("filters.id").onDelete("cascade"))
    .addColumn("status_id", id, (c) => c.notNull().references("statuses.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("filter_statuses_pair", ["filter_id", "status_id"])
    .execute();
  await db.schema.createIndex("filter_statuses_status").on("filter_statuses").column("status_id").execute();

  await db.schema
    .createTable("polls")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("status_id", id, (c) => c.notNull().unique().references("statuses.id").onDelete("cascade"))
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("multiple", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("hide_totals", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("votes_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("voters_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "text")
    // Set once voters and the author have been told the poll ended (see domain/polls).
    .addColumn("expiry_notified_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("polls_expiry").on("polls").columns(["expiry_notified_at", "expires_at"]).execute();

  await db.schema
    .createTable("poll_options")
    .addColumn("poll_id", id, (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("votes_count", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("poll_options_pk", ["poll_id", "position"])
    .execute();

  await db.schema
    .createTable("poll_votes")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("poll_id", id, (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("choice", "integer", (c) => c.notNull())
    .addColumn("uri", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("poll_votes_choice", ["poll_id", "account_id", "choice"])
    .execute();
  await db.schema.createIndex("poll_votes_account").on("poll_votes").columns(["account_id", "poll_id"]).execute();

  await db.schema
    .createTable("suggestion_dismissals")
    .addColumn("account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("target_account_id", id, (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("suggestion_dismissals_pk", ["account_id", "target_account_id"])
    .execute();

  // The poll's options at each recorded edit (JSON array of titles), for the edit history.
  await db.schema.alterTable("status_edits").addColumn("poll_options", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("status_edits").dropColumn("poll_options").execute();
  for (const table of ["suggestion_dismissals", "poll_votes", "poll_options", "polls", "filter_statuses", "filter_keywords", "filters"]) {
    await db.schema.dropTable(table).execute();
  }
}
