import { sql, type Kysely } from "kysely";

// Column types are chosen to mean the same on SQLite and PostgreSQL: bigint ids, integer flags,
// text timestamps (ISO-8601 UTC). See db/schema.ts.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("accounts")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("domain", "text")
    .addColumn("display_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("fields", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("locked", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("bot", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("discoverable", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("indexable", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("uri", "text", (c) => c.notNull().unique())
    .addColumn("url", "text")
    .addColumn("avatar_url", "text")
    .addColumn("header_url", "text")
    .addColumn("followers_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("following_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("statuses_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_status_at", "text")
    .addColumn("suspended_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  // Usernames are unique per domain regardless of case, as on Mastodon.
  await db.schema
    .createIndex("accounts_username_domain")
    .on("accounts")
    .unique()
    .expression(sql`lower(username), coalesce(lower(domain), '')`)
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull().unique().references("accounts.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("user"))
    .addColumn("note_source", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("approved", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_sign_in_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_email").on("users").unique().expression(sql`lower(email)`).execute();

  await db.schema
    .createTable("oauth_applications")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("website", "text")
    .addColumn("redirect_uris", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull().unique())
    .addColumn("client_secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("oauth_authorization_codes")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("code_hash", "text", (c) => c.notNull().unique())
    .addColumn("application_id", "bigint", (c) => c.notNull().references("oauth_applications.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text")
    .addColumn("code_challenge_method", "text")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("oauth_access_tokens")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("application_id", "bigint", (c) => c.notNull().references("oauth_applications.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .addColumn("last_used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("oauth_access_tokens_user").on("oauth_access_tokens").column("user_id").execute();

  await db.schema
    .createTable("web_sessions")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("user_agent", "text")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["web_sessions", "oauth_access_tokens", "oauth_authorization_codes", "oauth_applications", "users", "accounts", "settings"]) {
    await db.schema.dropTable(table).execute();
  }
}
