import type { Kysely } from "kysely";

// Skein's delivery engine (src/federation/delivery): each outgoing activity is stored once,
// signed, and fanned out into one row per remote inbox; a host table remembers which servers
// are failing, since when and on how many days.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("outbox_activities")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("account_id", "bigint", (c) => c.notNull())
    .addColumn("uri", "text", (c) => c.notNull())
    /** The JSON-LD body, with its Object Integrity Proof and Linked Data Signature already made. */
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("outbox_activities_created").on("outbox_activities").column("created_at").execute();

  await db.schema
    .createTable("deliveries")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("activity_id", "bigint", (c) => c.notNull())
    .addColumn("inbox_url", "text", (c) => c.notNull())
    .addColumn("host", "text", (c) => c.notNull())
    // 0: first attempts, 1: retries. Claimed separately, so a backlog of retries never delays a new post.
    .addColumn("lane", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("run_at", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "text")
    .addColumn("last_error", "text")
    // Set when Skein stopped trying (permanent refusal, too many attempts, host unavailable).
    .addColumn("gave_up_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("deliveries_ready").on("deliveries").columns(["lane", "run_at", "id"]).execute();
  await db.schema.createIndex("deliveries_host").on("deliveries").columns(["host", "run_at"]).execute();
  await db.schema.createIndex("deliveries_activity").on("deliveries").column("activity_id").execute();
  await db.schema.createIndex("deliveries_gave_up").on("deliveries").column("gave_up_at").execute();

  await db.schema
    .createTable("delivery_hosts")
    .addColumn("host", "text", (c) => c.primaryKey())
    .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
    // Distinct UTC days with a failure and no success since: Mastodon's rule for "unavailable".
    .addColumn("failure_days", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_failure_day", "text")
    .addColumn("last_failure_at", "text")
    .addColumn("last_error", "text")
    // Nothing is sent before this time (circuit breaker open, or Retry-After).
    .addColumn("paused_until", "text")
    .addColumn("unavailable_since", "text")
    .execute();

  // Outcomes per minute, summed over every worker: deliveries per second for /metrics and
  // `./skein queue status`, whichever process asks.
  await db.schema
    .createTable("delivery_counts")
    .addColumn("minute", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("delivery_counts_pk", ["minute", "outcome"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("delivery_counts").execute();
  await db.schema.dropTable("delivery_hosts").execute();
  await db.schema.dropTable("deliveries").execute();
  await db.schema.dropTable("outbox_activities").execute();
}
