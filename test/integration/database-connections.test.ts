// A serving process's database connections (db/dialects/postgres.ts, warmConnections): opened at
// start and warmed before requests need them, then kept however long they sit idle (a server
// under SKEIN_ENV=test skips the warming: the pool's own test is below); named by what they
// serve; and a table's columns read from the catalog (db/dialects/table-columns.ts) on both engines.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { sql } from "kysely";
import { databaseKind, freshDatabase, startServer } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { POOL_APPLICATION_NAME, POOL_SIZE, warmConnections } from "../../src/db/dialects/postgres.ts";
import { tableColumns } from "../../src/db/dialects/table-columns.ts";

let fresh: { env: Record<string, string>; drop: () => Promise<void> };

before(async () => {
  fresh = await freshDatabase({ migrated: true });
});

after(async () => {
  await fresh?.drop();
});

/** Connections to the test's database, by the statement each ran last (pg_stat_activity). */
async function connections(url: string, applicationName?: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ query: string }>(
      `select query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'${applicationName ? " and application_name = $1" : ""}`,
      applicationName ? [applicationName] : [],
    );
    return result.rows.map((row) => row.query);
  } finally {
    await client.end();
  }
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("PostgreSQL: a server's connections are named by what they serve: its shared pool, the delivery engine's, the listener", async (t) => {
  if (databaseKind !== "postgres") return t.skip("SQLite has one connection");
  const server = await startServer({ env: fresh.env });
  try {
    const url = fresh.env.DATABASE_URL!;
    // No request yet: the shared pool's ten connections are open (its start-up work opens them; a
    // server not under test also warms them, which the next test checks of warmConnections).
    const shared = await waitFor("the shared pool's connections", () => connections(url, POOL_APPLICATION_NAME), (list) => list.length >= POOL_SIZE);
    assert.equal(shared.length, POOL_SIZE);
    await waitFor("the listener's connection", () => connections(url, "skein-listen"), (list) => list.length === 1);
    // The delivery engine looks for due deliveries at start, on connections of its own.
    await waitFor("the delivery engine's connections", () => connections(url, "skein-deliveries"), (list) => list.length >= 1);
    const res = await fetch(`${server.url}/api/v1/timelines/public`);
    assert.equal(res.status, 200);
    assert.equal((await connections(url, POOL_APPLICATION_NAME)).length, POOL_SIZE);
  } finally {
    await server.stop();
  }
});

test("PostgreSQL: warmed connections stay open past the pool's idle timeout; others are closed", async (t) => {
  if (databaseKind !== "postgres") return t.skip("SQLite has no pool");
  const url = fresh.env.DATABASE_URL!;
  const pool = (name: string) => new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 200, application_name: name });
  const warm = pool("warmed");
  const cold = pool("cold");
  try {
    await warmConnections(warm, 3);
    // The cold pool opens three connections for three queries at once, like a burst of requests.
    await Promise.all([1, 2, 3].map(() => cold.query("select pg_sleep(0.05)")));
    assert.equal((await connections(url, "cold")).length, 3);
    await waitFor("the cold pool's idle connections closed", () => connections(url, "cold"), (list) => list.length === 0);
    // Well past the idle timeout: the warmed ones are all there, and serve.
    assert.equal((await connections(url, "warmed")).length, 3);
    assert.deepEqual((await warm.query("select 1 as one")).rows, [{ one: 1 }]);
  } finally {
    await warm.end();
    await cold.end();
  }
});

test("a table's columns in order, without a dropped one, on either database", async (t) => {
  const database = await openDatabase(loadConfig(fresh.env).database);
  t.after(() => database.close());
  const db = database.db;
  await sql`create table column_probe (alpha integer, beta text, gamma integer)`.execute(db);
  await sql`alter table column_probe drop column beta`.execute(db);
  await sql`alter table column_probe add column delta text`.execute(db);
  assert.deepEqual(await tableColumns(db, "column_probe"), ["alpha", "gamma", "delta"]);
  await assert.rejects(tableColumns(db, "no_such_table"), /No columns for table no_such_table/);
});
