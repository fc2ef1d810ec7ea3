// Full-text search narrowed to the newest days (store/search/status-index.ts, PostgreSQL's day
// lexemes in db/dialects/full-text.ts): whatever number of days the search reads first, it finds
// exactly the newest matches the reader may find, as a search of the whole index does — a phrase
// found every day, one found every few days, one found only on the oldest day, with max_id and
// min_id — and words common enough to be looked for among the newest rows first, in a phrase that
// is common too or one that is not. 3,000 posts spread over 30 days (bench/seed.ts), 85 % public,
// by authors who opted in. On SQLite (no day lexemes) the same answers come from one query.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import type { StatusSearchFilter } from "../../src/store/search/status-index.ts";
import { seed } from "../../bench/seed.ts";
import { searchStatuses } from "../../src/domain/search/status-search.ts";
import { keptPrepared } from "../../src/db/prepared.ts";
import { PREPARED_PER_CONNECTION } from "../../src/db/dialects/postgres.ts";

const STATUSES = 3000;

let database: { env: Record<string, string>; drop: () => Promise<void> };
let runtime: Runtime;
let readerId = "";

/**
 * Every post says "common"; one in 10 "wombat stew", one in 250 "quokka picnic", the first 15
 * "ancient lore"; every other post says "alpha", right after "common" in one post in 50 only.
 */
function textOf(n: number): { text: string; language: string } {
  const words = ["common", `word${n % 97}`];
  if (n % 50 === 0) words.splice(1, 0, "alpha");
  else if (n % 2 === 0) words.push("alpha");
  if (n % 10 === 3) words.push("wombat stew");
  if (n % 250 === 7) words.push("quokka picnic");
  if (n < 15) words.push("ancient lore");
  return { text: words.join(" "), language: "en" };
}

before(async () => {
  database = await freshDatabase({ migrated: true });
  runtime = await openRuntime(loadConfig({ ...database.env, SKEIN_ENV: "test", LOCAL_DOMAIN: "days.test", LOG_LEVEL: "error", SEARCH_INDEXING: "off" }));
  const { account } = await runtime.services.accounts.createLocal({ username: "reader", email: "reader@days.test", password: "reader-password-1" });
  readerId = account.id;
  await seed(runtime.database.db, "https://days.test", { accounts: 40, statuses: STATUSES, following: 5 }, readerId, () => {}, textOf);
  await runtime.services.search.reindex({});
  // PostgreSQL's statistics of common words (which pick the plan, never the result).
  await sql`analyze`.execute(runtime.database.db);
});

after(async () => {
  await runtime?.close();
  await database?.drop();
});

function filter(phrase: string, window: number, range: { minId?: string; maxId?: string } = {}): StatusSearchFilter {
  return {
    viewerId: readerId, text: { terms: [{ text: phrase, prefix: false }], excluded: [], language: null }, scope: "all", authorIs: [], authorIsNot: [],
    followingOnly: false, has: { include: [], exclude: [] }, is: { include: [], exclude: [] }, language: { include: [], exclude: [] },
    since: null, until: null, minId: range.minId ?? null, maxId: range.maxId ?? null, window, matches: window * 4,
  };
}

/** The newest `limit` public posts holding the phrase (what the reader may find here), straight from the statuses. */
async function expected(phrase: string, limit: number, range: { minId?: string; maxId?: string } = {}): Promise<string[]> {
  const db = runtime.database.db;
  let q = db.selectFrom("statuses").select("id").where("visibility", "=", "public").where("text", "like", `%${phrase}%`);
  if (range.minId) q = q.where(sql<boolean>`id > ${range.minId}`);
  if (range.maxId) q = q.where(sql<boolean>`id < ${range.maxId}`);
  const rows = await q.orderBy(sql`id`, "desc").limit(limit).execute();
  return rows.map((r) => String(r.id));
}

async function searched(phrase: string, window: number, range: { minId?: string; maxId?: string } = {}): Promise<string[]> {
  // Newest first, as the store gives them (the ranking is the caller's).
  return (await runtime.stores.statusIndex.search(filter(phrase, window, range))).map((h) => h.id);
}

test("a phrase found every day: the newest matches", async () => {
  for (const window of [5, 40]) assert.deepEqual(await searched("wombat stew", window), await expected("wombat stew", window));
});

test("a phrase found every few days, and one found only on the oldest day: still the newest matches", async () => {
  const picnics = await expected("quokka picnic", 50);
  assert.ok(picnics.length >= 8, "the seed plants about a dozen");
  assert.deepEqual(await searched("quokka picnic", 5), picnics.slice(0, 5));
  assert.deepEqual(await searched("quokka picnic", 50), picnics, "fewer than the window: every one of them");
  assert.deepEqual(await searched("ancient lore", 5), await expected("ancient lore", 5));
});

test("max_id and min_id: the newest matches below max_id, above min_id", async () => {
  const all = await expected("wombat stew", 1000);
  const maxId = all[Math.floor(all.length / 2)]!;
  assert.deepEqual(await searched("wombat stew", 10, { maxId }), await expected("wombat stew", 10, { maxId }));
  const minId = all[20]!;
  assert.deepEqual(await searched("wombat stew", 10, { minId }), await expected("wombat stew", 10, { minId }));
  const tight = { minId: all[30]!, maxId: all[10]! };
  assert.deepEqual(await searched("wombat stew", 50, tight), await expected("wombat stew", 50, tight));
});

test("common words: the newest matches, whether their phrase is common or rare", async () => {
  for (const window of [5, 60]) {
    assert.deepEqual(await searched("common", window), await expected("common", window));
    assert.deepEqual(await searched("common alpha", window), await expected("common alpha", window));
  }
});

test("the newest matches all out of the reader's reach: an older one is still found", async () => {
  // Every post says "common": all of them but the oldest public one made private, the reader
  // may find only that one, behind 2,999 newer matches (a search first reads the newest 2,000).
  const db = runtime.database.db;
  const publicIds = (await db.selectFrom("statuses").select("id").where("visibility", "=", "public").orderBy(sql`id`).execute()).map((r) => String(r.id));
  const oldest = publicIds[0]!;
  await sql`update statuses set visibility = 'private' where visibility = 'public' and id <> ${oldest}`.execute(db);
  try {
    const found = await searchStatuses(runtime.stores, "common", { viewerId: readerId, localDomain: "days.test", limit: 20, offset: 0 });
    assert.deepEqual(found.map((s) => s.id), [oldest]);
    // The work is bounded: a window of 5 reads the newest 20 matches, then 40, 80 and 60 more
    // (ten times 20 in all), and stops there, 2,800 matches short of that post.
    assert.deepEqual(await searched("common", 5), []);
    assert.deepEqual(await searched("common", 500), [oldest]);
  } finally {
    await sql`update statuses set visibility = 'public' where id in (${sql.join(publicIds)})`.execute(db);
  }
});

test("statements kept prepared: the same answers from a kept plan, and a connection keeps at most 64 of them", async () => {
  // The walk of the newest rows and a rare word's sort are kept prepared (db/prepared.ts): after
  // five executions on a connection PostgreSQL may answer from a generic plan. Run each often
  // enough on every connection of the pool that it does, the answers unchanged.
  const runs = await Promise.all(Array.from({ length: 24 }, () => searched("common", 5)));
  for (const found of runs) assert.deepEqual(found, await expected("common", 5));
  for (let i = 0; i < 12; i++) assert.deepEqual(await searched("quokka picnic", 5), await expected("quokka picnic", 5));
  // One connection given 80 different statements to keep, some at once: each answers for itself,
  // those past the limit run unprepared, and the first ones are still kept when they come back.
  await runtime.database.db.connection().execute(async (db) => {
    const value = async (n: number) => Number((await keptPrepared(sql<{ n: number }>`select ${sql.raw(String(n))} + ${1} as n`).execute(db)).rows[0]!.n);
    for (let n = 0; n < 80; n++) assert.equal(await value(n), n + 1);
    assert.deepEqual(await Promise.all([0, 70, 0, 71, 1].map(value)), [1, 71, 1, 72, 2]);
    if (runtime.database.kind === "postgres") {
      const kept = await sql<{ n: number | string }>`select count(*) as n from pg_prepared_statements where name like 'kept_%'`.execute(db);
      assert.ok(Number(kept.rows[0]!.n) <= PREPARED_PER_CONNECTION, `${kept.rows[0]!.n} statements kept`);
    }
  });
});

test("PostgreSQL: every connection runs without JIT and parallel workers, which a search's plan could otherwise start", async (t) => {
  if (runtime.database.kind !== "postgres") return t.skip("PostgreSQL's settings");
  // Set when each connection opens (db/dialects/postgres.ts), no longer around each search: ten at
  // once from the shared pool, and the delivery engine's own.
  const setting = (db: typeof runtime.database.db) =>
    sql<{ jit: string; workers: string }>`select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers, pg_sleep(0.02)`.execute(db).then((r) => r.rows[0]!);
  const shared = await Promise.all(Array.from({ length: 10 }, () => setting(runtime.database.db)));
  const own = await setting(runtime.database.ownPool(1, "test"));
  for (const s of [...shared, own]) assert.deepEqual({ jit: s.jit, workers: s.workers }, { jit: "off", workers: "0" });
});
