// `./skein bench search`: full-text search at scale (issue 15). Seeds statuses whose words follow
// a Zipf distribution (bench/search-corpus.ts) — 1,000,000 by default, as the timeline benchmark —
// then measures, on one database:
// - the index build (`./skein search reindex`'s code): time and size on disk;
// - `GET /api/v2/search?type=statuses` against a real server process, signed in (so every
//   privacy rule applies): p50/p99 for common words, rare words, phrases, CJK and German words;
// - posting throughput (StatusService.create, in process, with the server's "search-index" sweep
//   running as in a one-process server) with indexing on and off, alternating rounds so machine
//   noise hits both alike; a round with indexing on ends when every post is indexed, so the rate
//   counts the indexing after the commit too; the cost of indexing is the ratio of the medians;
// - the same through the HTTP API against a real server (bench/search-posting-http.ts): the
//   server's CPU a post and the rate its clients saw.
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime, type Runtime } from "../src/server/context.ts";
import { backgroundTasks, startScheduler } from "../src/server/scheduler.ts";
import type { AccountRow } from "../src/store/accounts.ts";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { seed } from "./seed.ts";
import { Corpus, benchQueries } from "./search-corpus.ts";
import { median, onOffRound, percentile, round } from "./measure.ts";
import { signIn, startBenchServer } from "./bench-server.ts";
import { postgresCpuMs } from "./postgres-cpu.ts";
import { measurePostingOverHttp, writerAccounts } from "./search-posting-http.ts";

const root = path.resolve(import.meta.dirname, "..");
const READER = { username: "reader", email: "reader@bench.invalid", password: "bench-password-1" };
const WRITER = { username: "writer", email: "writer@bench.invalid", password: "bench-password-1" };

export interface SearchBenchOptions {
  database: "sqlite" | "postgres";
  statuses: number;
  accounts: number;
  /**
   * Times each query is sent (after one warm-up pass): 25 by default, 200 requests for common and
   * rare words, 100 for phrases, 150 for Japanese and German words — at 80 a kind, p99 was the
   * slowest one or two requests, and jumped by a factor of two between quiet runs.
   */
  repeats: number;
  /** Passes over every query before any is counted (10 by default; 1 before the sixth pass). */
  warmup: number;
  /** Posts per round of the posting measurement; rounds alternate indexing on and off. */
  posts: number;
  rounds: number;
  /** The same through the HTTP API (bench/search-posting-http.ts): posts a round, rounds of each, requests in flight. */
  httpPosts: number;
  httpRounds: number;
  httpConcurrency: number;
  /**
   * Keep the seeded data (SQLite's data folder; PostgreSQL's cluster, in the same folder) after the
   * run, and reuse it when a previous run left it: seeding and indexing 1M posts take minutes.
   */
  keep: boolean;
  /**
   * shared_buffers of the bench's own PostgreSQL cluster (`1GB`: the 1M seed's GIN index, 202 MB,
   * with its table); the suite's 128 MB otherwise, in which each merge of the index's pending list
   * reads and dirties pages from the operating system's cache (README, "PostgreSQL").
   */
  sharedBuffers?: string;
  json: string | null;
}

export async function searchBench(options: SearchBenchOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const dataDir = path.join(root, "bench-data", `search-${options.database}-${options.statuses}`);
  let cluster: PostgresCluster | null = null;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development" };
  // A kept seed is reused only if the run that made it finished it (the marker is written last).
  const marker = path.join(dataDir, "seeded.json");
  const reuse = options.keep && fs.existsSync(marker);
  if (!reuse) fs.rmSync(dataDir, { recursive: true, force: true });
  if (options.database === "postgres") ({ url: env.DATABASE_URL, cluster } = await benchPostgres(options.keep ? path.join(dataDir, "postgres") : undefined, options.sharedBuffers ? { shared_buffers: options.sharedBuffers } : {}));
  try {
    const port = await freePort();
    Object.assign(env, { PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` });
    const summary: Record<string, unknown> = { benchmark: "search", database: options.database, statuses: options.statuses, accounts: options.accounts };
    if (cluster) summary.shared_buffers = options.sharedBuffers ?? "128MB";

    let writer: AccountRow | null = null;
    let httpWriters: { username: string; password: string }[] = [];
    const runtime = await openRuntime(loadConfig({ ...env, SEARCH_INDEXING: "off" }));
    try {
      if (reuse) {
        log(`reusing the data seeded in ${dataDir} (--keep)`);
        summary.reused_seed = true;
        writer = (await runtime.stores.accounts.byUsername(WRITER.username, null))!;
        // The posts of earlier posting rounds (the writers did not opt in to search) would be the
        // newest matches of every common word: back to the seed, as a fresh run has it.
        await sql`delete from statuses where account_id in (select id from accounts where domain is null and username like ${"writer%"})`.execute(runtime.database.db);
        await sql`delete from status_search_pending`.execute(runtime.database.db);
        // PostgreSQL: and without their dead rows, as a fresh seed has it. They sit at the newest end
        // of the primary keys, where the planner looks up a key's actual maximum for every search
        // statement: 7,000-17,000 dead rows there cost each plan 440-2,200 buffer reads and 4-40 ms
        // (160 and 2.5-3 ms without them). Autovacuum waits for 20 % of the table, and a vacuum
        // leaves the indexes' dead entries where they are on fewer than 2 % of the table's pages
        // unless told to clean the indexes up.
        if (runtime.database.kind === "postgres") {
          for (const table of ["statuses", "status_search", "status_search_pending"]) await sql`vacuum (index_cleanup on, analyze) ${sql.table(table)}`.execute(runtime.database.db);
        }
      } else {
        // Seed with indexing off (the seeder writes rows directly), then build the index as
        // `./skein search reindex` does.
        const started = performance.now();
        log(`seeding ${options.accounts} accounts and ${options.statuses} statuses (${options.database})`);
        const { account } = await runtime.services.accounts.createLocal(READER);
        const corpus = new Corpus();
        await seed(runtime.database.db, loadConfig(env).origin, { accounts: options.accounts, statuses: options.statuses, following: Math.min(2_000, options.accounts) }, account.id, log, () => corpus.next());
        await sql`analyze`.execute(runtime.database.db);
        summary.seed_seconds = round((performance.now() - started) / 1000);
        const before = await indexBytes(runtime);
        const indexStarted = performance.now();
        let shown = 0;
        const indexed = await runtime.services.search.reindex({
          progress: (done, total) => {
            if (done < total && done < shown + total / 10) return;
            shown = done;
            log(`indexed ${done} of ${total}`);
          },
        });
        summary.index_build_seconds = round((performance.now() - indexStarted) / 1000);
        summary.indexed_statuses = indexed;
        await sql`analyze`.execute(runtime.database.db);
        summary.index_mb = round(((await indexBytes(runtime)) - before) / 1024 / 1024);
        log(`index built in ${summary.index_build_seconds} s, ${summary.index_mb} MB`);
        writer = (await runtime.services.accounts.createLocal(WRITER)).account;
        if (options.keep) fs.writeFileSync(marker, JSON.stringify(summary, null, 2) + "\n");
      }
      if (options.httpRounds > 0) httpWriters = await writerAccounts(runtime, options.httpConcurrency);
    } finally {
      await runtime.close();
    }

    Object.assign(summary, await measureQueries(env, port, options.repeats, options.warmup, log));
    if (options.rounds > 0) Object.assign(summary, await measurePosting(env, writer, options, log));
    if (options.httpRounds > 0) Object.assign(summary, await measurePostingOverHttp(env, port, { posts: options.httpPosts, rounds: options.httpRounds, writers: httpWriters }, log));
    printTable(summary);
    if (options.json) fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
    return summary;
  } finally {
    await cluster?.stop();
  }
}

/** Bytes the full-text index takes: its tables and indexes. */
async function indexBytes(runtime: Runtime): Promise<number> {
  const db = runtime.database.db;
  if (runtime.database.kind === "postgres") {
    const row = await sql<{ bytes: string | null }>`select pg_total_relation_size('status_search')::text as bytes`.execute(db);
    return Number(row.rows[0]?.bytes ?? 0);
  }
  await sql`pragma wal_checkpoint(truncate)`.execute(db);
  const row = await sql<{ bytes: bigint | number | null }>`select sum(pgsize) as bytes from dbstat where name like 'status_search%'`.execute(db);
  return Number(row.rows[0]?.bytes ?? 0);
}

async function measureQueries(env: Record<string, string>, port: number, repeats: number, warmup: number, log: (line: string) => void): Promise<Record<string, number>> {
  const server = await startBenchServer(env, port, { wrapper: true });
  try {
    const url = server.url;
    const token = await signIn(url, READER.username, READER.password);
    const headers = { Authorization: `Bearer ${token}` };
    const search = async (q: string) => {
      const started = performance.now();
      const response = await fetch(`${url}/api/v2/search?type=statuses&limit=20&q=${encodeURIComponent(q)}`, { headers });
      const body = (await response.json()) as { statuses?: unknown[] };
      const ms = performance.now() - started;
      if (!response.ok || !Array.isArray(body.statuses)) throw new Error(`search for ${q} failed: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      return { ms, found: body.statuses.length };
    };
    // Not counted: the server's one start-up collection (server/startup-memory.ts: a synchronous
    // full GC a second after start, 40-150 ms once), and `warmup` passes over every query of every
    // kind, so that what is counted is a running server's search, not its pool's first minutes: on
    // PostgreSQL each of the pool's 10 connections runs a kept statement's first execution with
    // cold catalog caches (55-110 ms at load 5) and the next five with custom plans (~4 times a
    // generic one's time) before keeping a generic plan; a request's statements spread over all
    // ten, so one pass left a quarter of the counted common-word searches among those first six
    // (docs/performance/search.md, "Sixth pass"). The warm-up's own figures are reported too.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cold: number[] = [];
    for (let pass = 0; pass < warmup; pass++) for (const queries of Object.values(benchQueries())) for (const q of queries) cold.push((await search(q)).ms);
    cold.sort((a, b) => a - b);
    const results: Record<string, number> = { warmup_passes: warmup, warmup_requests: cold.length };
    if (cold.length) Object.assign(results, { warmup_p50_ms: round(percentile(cold, 50), 2), warmup_max_ms: round(cold.at(-1)!, 2) });
    for (const [kind, queries] of Object.entries(benchQueries())) {
      const latencies: number[] = [];
      let found = 0;
      for (let round = 1; round <= repeats; round++) {
        for (const q of queries) {
          const { ms, found: n } = await search(q);
          latencies.push(ms);
          if (round === 1) found += n;
        }
      }
      latencies.sort((a, b) => a - b);
      results[`${kind}_p50_ms`] = round(percentile(latencies, 50), 2);
      results[`${kind}_p99_ms`] = round(percentile(latencies, 99), 2);
      results[`${kind}_results_per_query`] = round(found / queries.length);
      results[`${kind}_samples`] = latencies.length;
      log(`${kind}: p50 ${results[`${kind}_p50_ms`]} ms, p99 ${results[`${kind}_p99_ms`]} ms`);
    }
    return results;
  } finally {
    await server.stop();
  }
}

/**
 * Posts per second through StatusService.create, indexing on and off in alternating rounds, with
 * the search-index sweep of a server running (nudged by each post, as in `./skein start`). With
 * indexing on, a round's time runs until nothing is left to index; the rate of the posting loop
 * alone (posts queued, not all indexed yet) is reported beside it.
 */
async function measurePosting(env: Record<string, string>, writer: AccountRow, options: SearchBenchOptions, log: (line: string) => void): Promise<Record<string, number>> {
  const rates: Record<"on" | "off" | "loop", number[]> = { on: [], off: [], loop: [] };
  // CPU time of this process per post (all of the work on SQLite; PostgreSQL's own is not in it):
  // steadier than the rate when other work shares the machine.
  const cpu: Record<"on" | "off", number[]> = { on: [], off: [] };
  // PostgreSQL's CPU time per post (every process of the server: backends, autovacuum, WAL writer…),
  // when the bench can read it (a cluster on this machine): the cost that the process's CPU misses.
  const dbCpu: Record<"on" | "off", number[]> = { on: [], off: [] };
  const corpus = new Corpus(99);
  // Round -1 warms the database up (its first round ran a quarter slower than the rest) and is not
  // counted; then on, off, off, on… (onOffRound).
  for (let i = -1; i < options.rounds * 2; i++) {
    const mode = onOffRound(i);
    const counted = i >= 0;
    const runtime = await openRuntime(loadConfig({ ...env, SEARCH_INDEXING: mode }));
    const scheduler = startScheduler(backgroundTasks(runtime.services, runtime.sweeps).filter((task) => task.name === "search-index"));
    const caughtUp = () => indexEverything(runtime);
    try {
      // A fresh process: warm its code paths up before timing.
      for (let n = 0; n < 20; n++) await runtime.services.statuses.create(writer, { text: corpus.next().text }, null, { visibility: "public", sensitive: false, language: "en" });
      await caughtUp();
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const dbCpuStarted = postgresCpuMs(env.DATABASE_URL);
      for (let n = 0; n < options.posts; n++) {
        const { text, language } = corpus.next();
        await runtime.services.statuses.create(writer, { text }, null, { visibility: "public", sensitive: false, language });
        // Between two requests a server's event loop turns and its timers (the nudged sweep) run;
        // a loop of awaits alone would starve them until the end (on SQLite every query resolves
        // without I/O), and the indexing would all be done in a few big batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const loopSeconds = (performance.now() - started) / 1000;
      await caughtUp();
      const rate = options.posts / ((performance.now() - started) / 1000);
      const used = process.cpuUsage(cpuStarted);
      const dbCpuEnded = postgresCpuMs(env.DATABASE_URL);
      if (!counted) {
        log(`warm-up round (not counted): ${round(rate)} posts/s`);
        continue;
      }
      cpu[mode].push((used.user + used.system) / 1000 / options.posts);
      if (dbCpuStarted !== null && dbCpuEnded !== null) dbCpu[mode].push((dbCpuEnded - dbCpuStarted) / options.posts);
      rates[mode].push(rate);
      if (mode === "on") rates.loop.push(options.posts / loopSeconds);
      const dbShown = dbCpu[mode].length ? `, ${round(dbCpu[mode].at(-1)!, 3)} ms of PostgreSQL's` : "";
      log(`posting with indexing ${mode}: ${round(rate)} posts/s${mode === "on" ? ` indexed (${round(options.posts / loopSeconds)} posts/s posted)` : ""}, ${round(cpu[mode].at(-1)!, 3)} ms of CPU a post${dbShown}`);
    } finally {
      await scheduler.stop();
      await runtime.close();
    }
  }
  const on = median(rates.on);
  const off = median(rates.off);
  const cpuOn = median(cpu.on);
  const cpuOff = median(cpu.off);
  const both = dbCpu.on.length && dbCpu.off.length ? { on: median(cpu.on) + median(dbCpu.on), off: median(cpu.off) + median(dbCpu.off) } : null;
  return {
    ...(both
      ? {
          db_cpu_ms_per_post_indexing_on: round(median(dbCpu.on), 3), db_cpu_ms_per_post_indexing_off: round(median(dbCpu.off), 3),
          total_cpu_ms_per_post_indexing_on: round(both.on, 3), total_cpu_ms_per_post_indexing_off: round(both.off, 3), indexing_total_cpu_cost_percent: round((1 - both.off / both.on) * 100),
        }
      : {}),
    posts_per_second_indexing_on: round(on), posts_per_second_indexing_off: round(off), indexing_cost_percent: round((1 - on / off) * 100),
    posts_per_second_indexing_on_posting_alone: round(median(rates.loop)),
    cpu_ms_per_post_indexing_on: round(cpuOn, 3), cpu_ms_per_post_indexing_off: round(cpuOff, 3), indexing_cpu_cost_percent: round((1 - cpuOff / cpuOn) * 100),
  };
}

/**
 * Indexes whatever is waiting, now. Another sweep (the nudged one) may hold the rest: it waits for
 * it rather than spin. The end of a round indexes what is left at once (drain): a busy sweep's
 * wait to gather is latency, not work, and the rate counts the work.
 */
export async function indexEverything(runtime: Runtime): Promise<void> {
  while ((await runtime.stores.statusIndex.pendingCount()) > 0) {
    if ((await runtime.services.search.indexer.indexPending({ drain: true })) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function printTable(summary: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(summary).map((k) => k.length));
  for (const [key, value] of Object.entries(summary)) process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
}
