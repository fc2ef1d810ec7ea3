// What the GIN index's pending list size does to indexing's cost while posting (PostgreSQL's kept
// 1M seed of `./skein bench search --db postgres --keep`). Rounds alternate: indexing off, and on
// with the index's gin_pending_list_limit at each size asked for; each round posts N statuses
// through StatusService.create with the server's search-index sweep running (as bench/search.ts's
// posting rounds), indexes what is left, then merges the pending list (gin_clean_pending_list), so
// that a larger list's deferred merging is counted too. Reported a round: posts a second, the
// process's and PostgreSQL's CPU a post, and PostgreSQL's time in the documents' upsert and the
// final merge (pg_stat_statements). Since the indexer merges the list itself (every 2,000
// documents, or when posting is quiet), a size below what 2,000 documents take (~1.2 MB) is
// what PostgreSQL merges at, and above it the indexer's rule; the figures in the docs were taken
// before that rule, each size merged by PostgreSQL alone. The index's setting is put back to 4 MB
// (migration 0040) and the writer's posts are deleted afterwards. docs/performance/search.md,
// "Eighth pass". Usage:
//   node bench/search-pending-list.ts [N=3000] [ROUNDS=2] [SIZES_KB=256,4096]
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime } from "../src/server/context.ts";
import { backgroundTasks, startScheduler } from "../src/server/scheduler.ts";
import { benchPostgres, freePort } from "../test/support/postgres-cluster.ts";
import { Corpus } from "./search-corpus.ts";
import { round } from "./measure.ts";
import { indexEverything } from "./search.ts";
import { postgresCpuMs } from "./postgres-cpu.ts";

const posts = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 2);
const sizes = (process.argv[4] ?? "256,4096").split(",").map(Number);
const dataDir = path.resolve(import.meta.dirname, "../bench-data/search-postgres-1000000");
const INDEX = "status_search_document";

if (!fs.existsSync(path.join(dataDir, "seeded.json"))) throw new Error("run `./skein bench search --db postgres --keep` once first: this reuses its seed");
const { url, cluster } = await benchPostgres(path.join(dataDir, "postgres"), { shared_preload_libraries: "pg_stat_statements" });
const admin = new pg.Client({ connectionString: url });
const results: Record<string, unknown>[] = [];
try {
  await admin.connect();
  await admin.query("create extension if not exists pg_stat_statements");
  const port = await freePort();
  const env = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", DATABASE_URL: url!, PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` };
  const corpus = new Corpus(11);
  const plan = Array.from({ length: rounds }, () => [null, ...sizes]).flat();
  for (const size of plan) {
    await admin.query(`alter index ${INDEX} set (gin_pending_list_limit = ${size ?? 4096})`);
    const runtime = await openRuntime(loadConfig({ ...env, SEARCH_INDEXING: size === null ? "off" : "on" }));
    const scheduler = startScheduler(backgroundTasks(runtime.services, runtime.sweeps).filter((task) => task.name === "search-index"));
    try {
      const writer = (await runtime.stores.accounts.byUsername("writer", null))!;
      // A fresh process: its code paths warmed up first.
      for (let n = 0; n < 50; n++) await runtime.services.statuses.create(writer, { text: corpus.next().text }, null, { visibility: "public", sensitive: false, language: "en" });
      await indexEverything(runtime);
      await admin.query(`select gin_clean_pending_list('${INDEX}')`);
      await admin.query("select pg_stat_statements_reset()");
      const started = performance.now();
      const cpu = process.cpuUsage();
      const dbStarted = postgresCpuMs(url) ?? 0;
      for (let n = 0; n < posts; n++) {
        const { text, language } = corpus.next();
        await runtime.services.statuses.create(writer, { text }, null, { visibility: "public", sensitive: false, language });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await indexEverything(runtime);
      const mergeStarted = performance.now();
      await admin.query(`select gin_clean_pending_list('${INDEX}')`);
      const mergeMs = performance.now() - mergeStarted;
      const used = process.cpuUsage(cpu);
      const dbMs = (postgresCpuMs(url) ?? 0) - dbStarted;
      const upsert = await admin.query("select coalesce(sum(total_exec_time), 0) as ms from pg_stat_statements where query like '%insert into status_search (status_id, has_link, document)%'");
      const row = {
        pending_list_kb: size ?? "indexing off",
        posts_per_second: round(posts / ((performance.now() - started) / 1000)),
        process_cpu_ms_per_post: round((used.user + used.system) / 1000 / posts, 3),
        postgres_cpu_ms_per_post: round(dbMs / posts, 3),
        upsert_ms_per_post: round(Number(upsert.rows[0].ms) / posts, 3),
        final_merge_ms_per_post: round(mergeMs / posts, 3),
      };
      results.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await scheduler.stop();
      await runtime.close();
    }
  }
} finally {
  await admin.query(`alter index ${INDEX} set (gin_pending_list_limit = 4096)`).catch(() => {});
  await admin.query("delete from statuses where account_id = (select id from accounts where username = 'writer' and domain is null)").catch(() => {});
  await admin.query("delete from status_search_pending").catch(() => {});
  await admin.query("vacuum (index_cleanup on, analyze) status_search").catch(() => {});
  await admin.end().catch(() => {});
  await cluster?.stop();
}
fs.writeFileSync(process.env.JSON ?? "/dev/null", JSON.stringify(results, null, 2) + "\n");
