// Queries compiled once (db/query-templates.ts), on the suite's database: each run answers what
// the same query built afresh answers, whatever its values, list lengths and optional values, in
// a transaction too; a builder that would freeze a run's value into the kept query is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sql, type Kysely } from "kysely";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { queryTemplate } from "../../src/db/query-templates.ts";
import type { DB } from "../../src/db/schema.ts";

let database: Database;
let drop: () => Promise<void>;

before(async () => {
  const fresh = await freshDatabase({ migrated: true });
  drop = fresh.drop;
  const config = loadConfig(fresh.env);
  database = await openDatabase(config.database);
  await migrateToLatest(database);
  const tags = Array.from({ length: 40 }, (_, i) => ({ id: String(1000 + i), name: `tag${i}`, display_name: `Tag${i}`, created_at: `2026-12-0${1 + (i % 2)}T00:00:00.000Z` }));
  await database.db.insertInto("tags").values(tags).execute();
});

after(async () => {
  await database?.close();
  await drop?.();
});

type Page = { names: readonly string[]; maxId: string | null; day: string; limit: number };
const built = (db: Kysely<DB>, p: Page) => {
  let q = db.selectFrom("tags").select(["id", "name"]).where("name", "in", p.names).where("created_at", "<", p.day);
  if (p.maxId) q = q.where("id", "<", p.maxId);
  return q.orderBy("id", "desc").limit(p.limit);
};
const tagPage = queryTemplate(built);

test("a template answers as the query built afresh, for any values, list lengths and optional values", async () => {
  const db = database.db;
  const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `tag${from + i}`);
  for (const page of [
    { names: names(1), maxId: null, day: "2027", limit: 20 },
    { names: names(3, 5), maxId: null, day: "2027", limit: 2 },
    { names: names(9), maxId: "1007", day: "2027", limit: 20 },
    { names: names(20, 10), maxId: null, day: "2026-12-02", limit: 20 },
    { names: names(20, 20), maxId: "1035", day: "2027", limit: 3 },
    { names: names(40), maxId: null, day: "2027", limit: 40 },
    // Longer than a kept text's lists: built as usual.
    { names: [...names(40), ...Array.from({ length: 300 }, (_, i) => `other${i}`)], maxId: null, day: "2027", limit: 40 },
    { names: ["tag1", "tag1", "nothing"], maxId: null, day: "2027", limit: 20 },
  ]) {
    assert.deepEqual(await tagPage(db, page), await built(db, page).execute(), JSON.stringify(page));
  }
  // A transaction runs the same kept query.
  const page = { names: names(12), maxId: "1010", day: "2027", limit: 5 };
  const inTransaction = await db.transaction().execute((trx) => tagPage(trx, page));
  assert.deepEqual(inTransaction.map((t) => t.name), ["tag9", "tag8", "tag7", "tag6", "tag5"]);
});

test("raw SQL templates keep their values as parameters", async () => {
  const counted = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[]; prefix: string }) => {
    const query = sql<{ n: number }>`select count(*) as n from tags where id in (${sql.join(p.ids)}) and name like ${p.prefix}`;
    return { compile: () => query.compile(db) };
  });
  assert.equal(Number((await counted(database.db, { ids: ["1001", "1002", "1011"], prefix: "tag1%" }))[0].n), 2);
  assert.equal(Number((await counted(database.db, { ids: ["1002", "1003", "1004"], prefix: "tag1%" }))[0].n), 0);
});

test("a builder that inlines or changes a value is refused, rather than keeping the first run's value", async () => {
  const inlined = queryTemplate((db: Kysely<DB>, p: { name: string }) => db.selectFrom("tags").selectAll().where("name", "=", sql.lit(p.name)));
  await assert.rejects(inlined(database.db, { name: "tag1" }), /inlined/);
  const changed = queryTemplate((db: Kysely<DB>, p: { name: string }) => db.selectFrom("tags").selectAll().where("name", "like", `${p.name}%`));
  await assert.rejects(changed(database.db, { name: "tag1" }), /changed/);
});

test("an inline value is written into the text, one kept text per value (a page's LIMIT for PostgreSQL's plans)", async () => {
  const limited = queryTemplate(
    (db: Kysely<DB>, p: { from: string; limit: number }) => db.selectFrom("tags").select("name").where("id", ">=", p.from).orderBy("id").limit(sql.lit(p.limit)),
    { inline: ["limit"], keepPrepared: true },
  );
  assert.deepEqual((await limited(database.db, { from: "1010", limit: 2 })).map((t) => t.name), ["tag10", "tag11"]);
  assert.deepEqual((await limited(database.db, { from: "1020", limit: 3 })).map((t) => t.name), ["tag20", "tag21", "tag22"]);
  assert.deepEqual((await limited(database.db, { from: "1030", limit: 2 })).map((t) => t.name), ["tag30", "tag31"]);
});
