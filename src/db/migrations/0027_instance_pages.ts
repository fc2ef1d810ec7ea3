import type { Kysely } from "kysely";

// The instance's own pages and messages (issue 14): rules (kept when removed, for the reports that
// name them), announcements by admins with reactions (one per account and emoji) and per-user
// dismissals (a removed announcement is marked until streaming clients were told, then deleted),
// and the annual reports users generated (one per account and year).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("instance_rules")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("hint", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema
    .createTable("announcements")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("starts_at", "text")
    .addColumn("ends_at", "text")
    .addColumn("all_day", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("published", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("published_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("announced_at", "text")
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema
    .createTable("announcement_reactions")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("announcement_id", "bigint", (c) => c.notNull().references("announcements.id").onDelete("cascade"))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("custom_emoji_id", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("announcement_reactions_unique", ["announcement_id", "account_id", "name"])
    .execute();
  await db.schema
    .createTable("announcement_dismissals")
    .addColumn("announcement_id", "bigint", (c) => c.notNull().references("announcements.id").onDelete("cascade"))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("announcement_dismissals_pk", ["announcement_id", "account_id"])
    .execute();
  await db.schema
    .createTable("annual_reports")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("year", "integer", (c) => c.notNull())
    .addColumn("schema_version", "integer", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("viewed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("annual_reports_unique", ["account_id", "year"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["annual_reports", "announcement_dismissals", "announcement_reactions", "announcements", "instance_rules"]) await db.schema.dropTable(table).execute();
}
