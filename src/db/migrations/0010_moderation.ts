import { sql, type Kysely } from "kysely";

// Moderation: what moderators decide about accounts, reports and other servers, and the record
// of it. Account states live on the rows they govern (accounts: silenced, sensitized, suspended;
// users: approved, disabled), so every query that already reads an account can honour them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("silenced_at", "text").execute();
  await db.schema.alterTable("accounts").addColumn("sensitized_at", "text").execute();
  // "local" when a moderator here suspended the account, "remote" when its own server did.
  await db.schema.alterTable("accounts").addColumn("suspension_origin", "text").execute();
  await db.schema.createIndex("accounts_domain").on("accounts").column("domain").execute();

  await db.schema.alterTable("users").addColumn("confirmed_at", "text").execute();
  await sql`update users set confirmed_at = created_at`.execute(db);
  await db.schema.alterTable("users").addColumn("sign_up_reason", "text").execute();
  await db.schema.alterTable("users").addColumn("sign_up_ip", "text").execute();
  await db.schema.alterTable("users").addColumn("last_sign_in_ip", "text").execute();
  await db.schema.alterTable("users").addColumn("invited_by_account_id", "bigint").execute();
  await db.schema.alterTable("users").addColumn("locale", "text").execute();

  // Reports: Mastodon's fields for triage.
  await db.schema.alterTable("reports").addColumn("category", "text", (c) => c.notNull().defaultTo("other")).execute();
  await db.schema.alterTable("reports").addColumn("rule_ids", "text", (c) => c.notNull().defaultTo("[]")).execute();
  await db.schema.alterTable("reports").addColumn("forwarded", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("reports").addColumn("assigned_account_id", "bigint").execute();
  await db.schema.alterTable("reports").addColumn("action_taken_at", "text").execute();
  await db.schema.alterTable("reports").addColumn("action_taken_by_account_id", "bigint").execute();
  await db.schema.alterTable("reports").addColumn("updated_at", "text").execute();
  await sql`update reports set updated_at = created_at`.execute(db);
  await db.schema.createIndex("reports_target").on("reports").column("target_account_id").execute();

  // Server-wide domain policy. `domain` is normalised (lower case, punycode); a block of
  // "example.com" also covers its subdomains, as in Mastodon.
  await db.schema
    .createTable("domain_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("domain", "text", (c) => c.notNull().unique())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("reject_media", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reject_reports", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("private_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("public_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("obfuscate", "integer", (c) => c.notNull().defaultTo(0))
    // The blocklist subscription that created the block (null: a moderator did).
    .addColumn("subscription_id", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("domain_allows")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("domain", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // A user's own domain blocks (POST /api/v1/domain_blocks).
  await db.schema
    .createTable("account_domain_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("account_domain_blocks_unique", ["account_id", "domain"])
    .execute();

  // Sign-up brakes, shared with registration.
  await db.schema
    .createTable("email_domain_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("domain", "text", (c) => c.notNull().unique())
    .addColumn("allow_with_approval", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("parent_id", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("canonical_email_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    // SHA-256 (hex) of the canonical address: lower case, dots and +tags removed from the local part.
    .addColumn("canonical_email_hash", "text", (c) => c.notNull().unique())
    .addColumn("reference_account_id", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ip_blocks")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    // CIDR notation, normalised ("192.0.2.0/24", "2001:db8::/32"; a single address has /32 or /128).
    .addColumn("ip", "text", (c) => c.notNull().unique())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // The audit log: every moderation action, who did it, to what, and why.
  await db.schema
    .createTable("admin_action_logs")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    // The moderator's account; null for the command line and for automatic changes (subscriptions).
    .addColumn("account_id", "bigint")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    // What the target was called when it was acted on (a username, a domain), kept after purges.
    .addColumn("human_identifier", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("admin_action_logs_target").on("admin_action_logs").columns(["target_type", "target_id"]).execute();
  // Warnings and strikes sent to an account by a moderator action.
  await db.schema
    .createTable("account_warnings")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint")
    .addColumn("target_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("report_id", "bigint")
    .addColumn("status_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("account_warnings_target").on("account_warnings").column("target_account_id").execute();

  // Follows cut by a domain block or a suspension, kept so the local users affected can see and
  // export them (Mastodon's severed_relationships notification).
  await db.schema
    .createTable("relationship_severance_events")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("target_name", "text", (c) => c.notNull())
    .addColumn("purged", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("severed_relationships")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("relationship_severance_event_id", "bigint", (c) => c.notNull().references("relationship_severance_events.id").onDelete("cascade"))
    .addColumn("local_account_id", "bigint", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // The other side, by address: its account row is removed with its server.
    .addColumn("remote_account_acct", "text", (c) => c.notNull())
    // "active": the local account followed the remote one; "passive": it was followed by it.
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("show_reblogs", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("notify", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("severed_relationships_local").on("severed_relationships").columns(["local_account_id", "relationship_severance_event_id"]).execute();

  // Notifications about moderation point at what they are about.
  await db.schema.alterTable("notifications").addColumn("report_id", "bigint").execute();
  await db.schema.alterTable("notifications").addColumn("relationship_severance_event_id", "bigint").execute();
  await db.schema.alterTable("notifications").addColumn("account_warning_id", "bigint").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["account_warning_id", "relationship_severance_event_id", "report_id"]) {
    await db.schema.alterTable("notifications").dropColumn(column).execute();
  }
  for (const table of [
    "severed_relationships", "relationship_severance_events", "account_warnings", "admin_action_logs", "ip_blocks",
    "canonical_email_blocks", "email_domain_blocks", "account_domain_blocks", "domain_allows", "domain_blocks",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex("reports_target").execute();
  for (const column of ["updated_at", "action_taken_by_account_id", "action_taken_at", "assigned_account_id", "forwarded", "rule_ids", "category"]) {
    await db.schema.alterTable("reports").dropColumn(column).execute();
  }
  for (const column of ["locale", "invited_by_account_id", "last_sign_in_ip", "sign_up_ip", "sign_up_reason", "confirmed_at"]) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
  await db.schema.dropIndex("accounts_domain").execute();
  for (const column of ["suspension_origin", "sensitized_at", "silenced_at"]) {
    await db.schema.alterTable("accounts").dropColumn(column).execute();
  }
}
