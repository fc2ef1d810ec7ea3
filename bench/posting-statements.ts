// Where PostgreSQL's time goes while posts come through the HTTP API: the kept 1M search seed's
// cluster started with pg_stat_statements (planning tracked too), a real server, eight clients
// each posting as an account of its own (bench/search-posting-http.ts's writers), then
// - the CPU a post of each kind of PostgreSQL process (backends, WAL writer…, from /proc);
// - statements, plans, execution and planning time a post, over every statement;
// - the statements that take the most, and those planned at every run.
// Usage, after `./skein bench search --db postgres --keep --http-rounds 1` has made the seed and
// its writers: node bench/posting-statements.ts [--posts 2000] [--indexing on|off]
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { parseArgs } from "../src/cli/usage.ts";
import { findPostgresBin, freePort, startPostgresCluster } from "../test/support/postgres-cluster.ts";
import { startBenchServer } from "./bench-server.ts";
import { Corpus } from "./search-corpus.ts";
import { postgresCpuMsByKind } from "./postgres-cpu.ts";
import { postOnce, signInWriters, writerCredentials } from "./search-posting-http.ts";

const { options } = parseArgs(process.argv.slice(2));
const posts = Number(options.posts ?? 2000);
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", "search-postgres-1000000");
if (!fs.existsSync(path.join(dataDir, "seeded.json"))) throw new Error(`no kept seed in ${dataDir}: run ./skein bench search --db postgres --keep --http-rounds 1 first`);

const cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"), {
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "all",
  "pg_stat_statements.track_planning": "on",
});
const client = new pg.Client(cluster.url);
try {
  await client.connect();
  await client.query("create extension if not exists pg_stat_statements");
  const port = await freePort();
  const env = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}`, SEARCH_INDEXING: String(options.indexing ?? "off"), DATABASE_URL: cluster.url };
  const server = await startBenchServer(env, port, { wrapper: true });
  try {
    const tokens = await signInWriters(server.url, writerCredentials(8));
    const corpus = new Corpus(5);
    const posters = tokens.map((token) => postOnce(server.url, token, corpus));
    let turn = 0;
    const post = () => posters[turn++ % posters.length]!();
    // Warm-up: the server's code paths and pool, and its start-up collection a second after start.
    for (let n = 0; n < 50; n++) await post();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await client.query("select pg_stat_statements_reset()");
    const before = postgresCpuMsByKind(cluster.url)!;
    let next = 0;
    const started = performance.now();
    await Promise.all(posters.map(async (postAs) => { while (next++ < posts) await postAs(); }));
    const seconds = (performance.now() - started) / 1000;
    const after = postgresCpuMsByKind(cluster.url)!;
    const out = (line: string) => process.stdout.write(line + "\n");
    out(`${posts} posts through the API, ${(posts / seconds).toFixed(1)} posts/s`);
    out("PostgreSQL's CPU a post, by process:");
    for (const [kind, ms] of after) {
      const perPost = (ms - (before.get(kind) ?? 0)) / posts;
      if (perPost >= 0.005) out(`  ${perPost.toFixed(3)} ms  ${kind}`);
    }
    const totals = (await client.query(`select sum(calls)::float8 as calls, sum(plans)::float8 as plans, sum(total_exec_time)::float8 as exec, sum(total_plan_time)::float8 as plan from pg_stat_statements`)).rows[0];
    out(`a post: ${(totals.calls / posts).toFixed(1)} statements, ${(totals.plans / posts).toFixed(1)} plans, ${(totals.exec / posts).toFixed(3)} ms executing, ${(totals.plan / posts).toFixed(3)} ms planning`);
    const show = async (title: string, order: string, where = "true") => {
      out(title);
      const rows = (await client.query(`select calls, plans, total_exec_time as exec, total_plan_time as plan, regexp_replace(query, '\\s+', ' ', 'g') as query from pg_stat_statements where ${where} order by ${order} desc limit 12`)).rows;
      for (const r of rows) out(`  ${(r.exec / posts).toFixed(3)} ms exec, ${(r.plan / posts).toFixed(3)} ms plan a post, ${r.calls} calls, ${r.plans} plans: ${r.query.slice(0, 160)}`);
    };
    await show("Statements taking the most a post (execution and planning):", "total_exec_time + total_plan_time");
    await show("Statements planned at (nearly) every run:", "total_plan_time", "plans * 2 > calls");
  } finally {
    await server.stop();
  }
} finally {
  await client.end().catch(() => {});
  await cluster.stop();
}

