import type { Kysely } from "kysely";

// Two-factor sign-in (TOTP, RFC 6238) and its recovery codes, and the half-signed-in state
// between the password and the code.
//
// - two_factor_credentials: one row per user who started setting it up. `enabled_at` is null
//   while the setup waits for a first correct code. `last_used_step` is the 30-second step of the
//   last code accepted, so a code (or an earlier one) is never accepted twice.
// - two_factor_recovery_codes: ten single-use codes, only their SHA-256 kept.
// - two_factor_challenges: a password was right, a code is still owed. Its token is a cookie
//   that grants nothing else (it is not a web session); it expires in minutes and allows a few
//   attempts.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("two_factor_credentials")
    .addColumn("user_id", "bigint", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("enabled_at", "text")
    .addColumn("last_used_step", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("two_factor_recovery_codes")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("two_factor_recovery_codes_user").on("two_factor_recovery_codes").columns(["user_id", "code_hash"]).unique().execute();
  await db.schema
    .createTable("two_factor_challenges")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("user_agent", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("two_factor_challenges_user").on("two_factor_challenges").column("user_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("two_factor_challenges").execute();
  await db.schema.dropTable("two_factor_recovery_codes").execute();
  await db.schema.dropTable("two_factor_credentials").execute();
}
