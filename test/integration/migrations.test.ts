// Migrations over the real database of the suite's kind, as a server runs them (db/migrate.ts): a
// fresh database is migrated in a child process, a database missing one migration gets that one,
// an up-to-date one gets none, and a migration that fails says which one and why.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { MIGRATIONS, migrateToLatest } from "../../src/db/migrate.ts";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An empty database, or with `migrated` a copy of the suite's migrated one (quicker). */
async function fresh(migrated = false): Promise<{ database: Database; config: ReturnType<typeof loadConfig>["database"] }> {
  const { env, drop } = await freshDatabase({ migrated });
  const config = loadConfig({ ...env, LOCAL_DOMAIN: "migrations.test" }).database;
  const database = await openDatabase(config);
  cleanups.push(drop, () => database.close());
  return { database, config };
}

test("a fresh database is migrated in a child process; the server's connection sees the schema; nothing is left to do after", async () => {
  const { database, config } = await fresh();
  assert.deepEqual(await migrateToLatest(database, { childProcess: config }), [...MIGRATIONS].sort());
  // The tables the child made, through this process's own connection.
  const accounts = await sql<{ n: number }>`select count(*) as n from accounts`.execute(database.db);
  assert.equal(Number(accounts.rows[0].n), 0);
  assert.deepEqual(await migrateToLatest(database, { childProcess: config }), []);
  assert.deepEqual(await migrateToLatest(database), []);
});

test("a database missing one migration gets that one, in a child process or in this one", async () => {
  const { database, config } = await fresh(true);
  await migrateToLatest(database);
  for (const options of [{ childProcess: config }, {}]) {
    await database.db.schema.dropTable("server_samples").execute();
    await sql`delete from kysely_migration where name = '0038_server_samples'`.execute(database.db);
    assert.deepEqual(await migrateToLatest(database, options), ["0038_server_samples"]);
    await sql`select count(*) from server_samples`.execute(database.db);
  }
});

test("a migration that fails in the child process fails the start with its name and the database's reason", async () => {
  const { database, config } = await fresh(true);
  await migrateToLatest(database);
  // Recorded as not run, while its table is there: running it again fails.
  await sql`delete from kysely_migration where name = '0038_server_samples'`.execute(database.db);
  await assert.rejects(migrateToLatest(database, { childProcess: config }), /^Error: Migration 0038_server_samples failed: .*server_samples.*already exists/);
});

test("statuses waiting to be indexed when the search queue is rebuilt (0041) are still waiting after it", async () => {
  const { database } = await fresh(true);
  await migrateToLatest(database);
  const waiting = [{ status_id: "7306263029270528001", queued_at: "2026-12-03T01:00:00.000Z" }, { status_id: "7306263029270528002", queued_at: "2026-12-03T01:00:01.000Z" }];
  await database.db.insertInto("status_search_pending").values(waiting).execute();
  await sql`delete from kysely_migration where name = '0041_search_queue_rowid'`.execute(database.db);
  assert.deepEqual(await migrateToLatest(database), ["0041_search_queue_rowid"]);
  const rows = await database.db.selectFrom("status_search_pending").selectAll().orderBy("status_id").execute();
  assert.deepEqual(rows.map((r) => ({ status_id: String(r.status_id), queued_at: r.queued_at })), waiting);
  // Still the queue's key: a status queued twice is one row.
  await database.db.insertInto("status_search_pending").values(waiting[0]!).onConflict((oc) => oc.column("status_id").doUpdateSet({ queued_at: waiting[0]!.queued_at })).execute();
  assert.equal((await database.db.selectFrom("status_search_pending").selectAll().execute()).length, 2);
});
