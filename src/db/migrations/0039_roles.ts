import type { Kysely } from "kysely";

// Custom roles (issue 17, Mastodon's role editor): a name, a colour, permission bits, a position
// (nobody gives or edits a role at or above their own) and whether it shows as a badge. The
// built-in roles (user, moderator, admin, owner) stay in code (domain/moderation/roles.ts);
// `users.role` names either a built-in or "custom:<roles.id>", so no column changes there. A
// handful of rows at most: every process keeps them all in memory (domain/moderation/role-book.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("color", "text", (c) => c.notNull().defaultTo(""))
    // Mastodon's bits fit 21 bits today; bigint leaves room for its future flags.
    .addColumn("permissions", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("highlighted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("roles").execute();
}
