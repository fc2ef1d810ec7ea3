// PostgreSQL's GIN index takes new documents into a pending list that every search reads whole;
// the indexer merges it itself (domain/search/indexer.ts): at once while posts come slowly, and
// only every MERGE_EVERY documents while they come fast — what is waiting is found all the same.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { databaseKind } from "../support/server.ts";
import { inProcessRuntime } from "../support/runtime.ts";
import type { Runtime } from "../../src/server/context.ts";
import type { AccountRow } from "../../src/store/accounts.ts";

let runtime: Runtime;
let close: () => Promise<void>;
let author: AccountRow;

before(async () => {
  ({ runtime, close } = await inProcessRuntime());
  ({ account: author } = await runtime.services.accounts.createLocal({ username: "poster", email: "poster@example.test", password: "correct horse battery" }));
});

after(async () => {
  await close?.();
});

const post = async (count: number, word: string) => {
  for (let i = 0; i < count; i++) await runtime.services.statuses.create(author, { text: `${word} number ${i} of a burst` }, null, { visibility: "public", sensitive: false, language: "en" });
};
/** Pages merged now: what the pending list held (a merge leaves it empty). */
const pendingPagesMerged = async () => Number((await sql<{ n: number }>`select gin_clean_pending_list('status_search_document'::regclass) as n`.execute(runtime.database.db)).rows[0]!.n);
const found = async (word: string) => Number((await sql<{ n: number }>`select count(*) as n from status_search where document @@ to_tsquery('simple', ${word})`.execute(runtime.database.db)).rows[0]!.n);

test("PostgreSQL: a busy sweep leaves its documents in the pending list, findable; a quiet one merges them", async (t) => {
  if (databaseKind !== "postgres") return t.skip("SQLite's FTS5 merges its own segments");
  const indexer = runtime.services.search.indexer;

  // A burst: one sweep indexes fifty posts and does not merge them yet; they are found.
  await post(50, "pelican");
  assert.equal(await indexer.indexPending(), 50);
  assert.equal(await found("pelican"), 50);
  assert.ok((await pendingPagesMerged()) > 0, "the burst's documents were waiting in the pending list");

  // A burst, then quiet: the next sweep has nothing to index and merges what the burst left.
  // (A sweep within a second of a busy one only gathers: the clock must pass it first.)
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await post(50, "heron");
  assert.equal(await indexer.indexPending(), 50);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal(await indexer.indexPending(), 0);
  assert.equal(await pendingPagesMerged(), 0, "nothing was left to merge");
  assert.equal(await found("heron"), 50);

  // A post or two at a time: merged by the sweep that indexes them.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await post(2, "egret");
  assert.equal(await indexer.indexPending(), 2);
  assert.equal(await pendingPagesMerged(), 0);
  assert.equal(await found("egret"), 2);
});

test("SQLite: FTS5 is set to merge sixteen segments at a time, and every sweep's posts are found through its merges", async (t) => {
  if (databaseKind !== "sqlite") return t.skip("PostgreSQL's GIN index has no segments");
  const db = runtime.database.db;
  const option = await sql<{ v: number }>`select v from status_search_fts_config where k = 'automerge'`.execute(db);
  assert.equal(Number(option.rows[0]?.v), 16);
  const segments = async () => Number((await sql<{ n: number }>`select count(distinct segid) as n from status_search_fts_idx`.execute(db)).rows[0]!.n);
  const matches = async (word: string) => Number((await sql<{ n: number }>`select count(*) as n from status_search_fts where status_search_fts match ${word}`.execute(db)).rows[0]!.n);

  // Forty sweeps, each its own transaction and so its own segment: FTS5 merges them as they come.
  for (let sweep = 0; sweep < 40; sweep++) {
    await post(3, `kestrel${sweep}`);
    assert.equal(await runtime.services.search.indexer.indexPending({ drain: true }), 3);
  }
  assert.ok((await segments()) < 40, "the segments were merged");
  for (let sweep = 0; sweep < 40; sweep++) assert.equal(await matches(`kestrel${sweep}`), 3, `sweep ${sweep}'s posts`);
  assert.equal(await matches("burst"), 120);
  await sql`insert into status_search_fts(status_search_fts) values ('integrity-check')`.execute(db);
});
