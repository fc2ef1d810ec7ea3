import { PostgresAdapter, sql, type Kysely } from "kysely";

// Claiming deliveries must stay a short walk along an index however big the backlog grows.
// The ready index now holds only rows still being tried, so the claim's order and filter match
// it exactly; given-up rows get an index of their own for the sweep. On PostgreSQL the table is
// a queue — rows come and go by the hundred thousand — so it is vacuumed and analyzed after 1 %
// of changes rather than the default 10–20 %: with statistics from when the table was small, the
// planner sorted the whole backlog on every claim (100 ms at 200,000 rows, against 1 ms).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("deliveries_ready").execute();
  await db.schema.dropIndex("deliveries_gave_up").execute();
  await sql`create index deliveries_ready on deliveries (lane, run_at, id) where gave_up_at is null`.execute(db);
  await sql`create index deliveries_gave_up on deliveries (gave_up_at) where gave_up_at is not null`.execute(db);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table deliveries set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
      autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 1000)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("deliveries_ready").execute();
  await db.schema.dropIndex("deliveries_gave_up").execute();
  await db.schema.createIndex("deliveries_ready").on("deliveries").columns(["lane", "run_at", "id"]).execute();
  await db.schema.createIndex("deliveries_gave_up").on("deliveries").column("gave_up_at").execute();
}
