import type { Kysely } from "kysely";

// Blocklist subscriptions: lists of domains published at a URL (Mastodon CSV or JSON,
// RapidBlock, plain text), fetched on a schedule and merged into the server's domain blocks.
// Each subscription keeps the entries it last fetched, so lists can be merged with each other
// (priority, severity) at any time without fetching again, and what a list created can be undone.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("blocklist_subscriptions")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("url", "text", (c) => c.notNull().unique())
    // "csv" | "json" | "rapidblock" | "text"
    .addColumn("format", "text", (c) => c.notNull())
    // 0–255; the higher wins when two lists disagree about a domain.
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    // Changes are proposed as drafts a moderator approves, instead of applied.
    .addColumn("create_as_drafts", "integer", (c) => c.notNull().defaultTo(0))
    // A moderator's block identical to an entry becomes the list's (and goes when the list retracts it).
    .addColumn("adopt_existing", "integer", (c) => c.notNull().defaultTo(0))
    // A block the list created is removed when the list no longer has the entry.
    .addColumn("remove_retracted", "integer", (c) => c.notNull().defaultTo(0))
    // Silence (and noop entries with options) are applied too; by default only suspend is.
    .addColumn("apply_silence", "integer", (c) => c.notNull().defaultTo(0))
    // Entries stricter than this are applied at this severity.
    .addColumn("max_severity", "text", (c) => c.notNull().defaultTo("suspend"))
    // Domains this list never blocks (newline-separated, normalised; subdomains included).
    .addColumn("excludes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    // Conditional requests: what the server last answered.
    .addColumn("etag", "text")
    .addColumn("last_modified", "text")
    .addColumn("last_fetched_at", "text")
    .addColumn("last_success_at", "text")
    .addColumn("last_error", "text")
    .addColumn("entries_count", "integer", (c) => c.notNull().defaultTo(0))
    // Changes made to domain blocks (or drafts proposed) by the last successful refresh.
    .addColumn("changes_applied", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // What each list said at its last successful fetch (normalised domains, one row per domain).
  await db.schema
    .createTable("blocklist_entries")
    .addColumn("subscription_id", "bigint", (c) => c.notNull().references("blocklist_subscriptions.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("reject_media", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reject_reports", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("public_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("obfuscate", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("blocklist_entries_pk", ["subscription_id", "domain"])
    .execute();
  await db.schema.createIndex("blocklist_entries_domain").on("blocklist_entries").column("domain").execute();

  // Changes a list proposes when it is set to create drafts: one per domain, approved or
  // rejected by a moderator. A rejected draft stays (status "rejected") so the same proposal
  // is not made again at every refresh.
  await db.schema
    .createTable("blocklist_drafts")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("subscription_id", "bigint", (c) => c.notNull().references("blocklist_subscriptions.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull().unique())
    // "create" | "update" | "remove"
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("reject_media", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reject_reports", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("public_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("obfuscate", "integer", (c) => c.notNull().defaultTo(0))
    // "pending" | "rejected"
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // Moderators' blocks a list took over (adopt existing): given back, not deleted, on undo.
  await db.schema
    .createTable("blocklist_adoptions")
    .addColumn("domain_block_id", "bigint", (c) => c.primaryKey().references("domain_blocks.id").onDelete("cascade"))
    .addColumn("subscription_id", "bigint", (c) => c.notNull().references("blocklist_subscriptions.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("domain_blocks_subscription").on("domain_blocks").column("subscription_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("domain_blocks_subscription").execute();
  for (const table of ["blocklist_adoptions", "blocklist_drafts", "blocklist_entries", "blocklist_subscriptions"]) {
    await db.schema.dropTable(table).execute();
  }
}
