// `./skein bench idle`: what an embedded server costs when nobody uses it (issue 18's "Idle"
// target, ≤ 100 MB RSS). It starts `./skein start` (through the wrapper, so its Node flags count)
// on a fresh data directory, waits for /health and then 10 s, and reads the process from /proc:
// RSS split into anonymous memory (heaps, native allocations) and file-backed pages (the node
// binary, shared libraries, native addons), threads, and then the CPU time it spends over an idle
// window — plus, on PostgreSQL, the transactions it commits in that window (its polling).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { startBenchServer } from "./bench-server.ts";
import { round } from "./measure.ts";

const root = path.resolve(import.meta.dirname, "..");

export interface IdleBenchOptions {
  database: "sqlite" | "postgres";
  /** The idle window CPU time (and PostgreSQL transactions) are counted over. */
  seconds: number;
  json: string | null;
}

/** Start-up is over, the idle window begins: the issue measures RSS after this long. */
const SETTLE_MS = 10_000;

export async function idleBench(options: IdleBenchOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-idle-"));
  let cluster: PostgresCluster | null = null;
  let admin: pg.Client | null = null;
  let serverDatabase: string | null = null;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development" };
  try {
    if (options.database === "postgres") {
      // A database of its own, so a fresh server migrates an empty one and its commits are the
      // only ones counted; the bench reads the statistics from the cluster's `postgres` database.
      let url: string;
      ({ url, cluster } = await benchPostgres());
      serverDatabase = `skein_idle_${process.pid}`;
      admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${serverDatabase}`);
      const serverUrl = new URL(url);
      serverUrl.pathname = `/${serverDatabase}`;
      env.DATABASE_URL = serverUrl.toString();
    }
    const port = await freePort();
    Object.assign(env, { PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` });
    const startedAt = performance.now();
    const server = await startBenchServer(env, port, { wrapper: true });
    const startupMs = performance.now() - startedAt;
    const pid = server.process.pid!;
    try {
      log(`server up in ${Math.round(startupMs)} ms (pid ${pid}); idle ${SETTLE_MS / 1000} s, then a ${options.seconds} s window`);
      await sleep(SETTLE_MS);
      const settled = readStatus(pid);
      const cpuBefore = cpuSeconds(pid);
      const commitsBefore = admin ? await commits(admin, serverDatabase!) : null;
      await sleep(options.seconds * 1000);
      const cpuAfter = cpuSeconds(pid);
      const commitsAfter = admin ? await commits(admin, serverDatabase!) : null;
      const end = readStatus(pid);
      // Read last: answering /metrics is work of its own (queries, allocations).
      const heap = await metricsHeap(server.url);
      const summary = {
        benchmark: "idle",
        database: options.database,
        node: process.version,
        startup_ms: Math.round(startupMs),
        settle_seconds: SETTLE_MS / 1000,
        rss_mb: round(settled.rssMb),
        rss_anon_mb: round(settled.anonMb),
        rss_file_mb: round(settled.fileMb),
        rss_mb_after_window: round(end.rssMb),
        peak_rss_mb: round(end.peakMb),
        heap_used_mb: heap ? round(heap.used / 2 ** 20) : null,
        heap_total_mb: heap?.total ? round(heap.total / 2 ** 20) : null,
        threads: settled.threads,
        window_seconds: options.seconds,
        idle_cpu_ms: Math.round((cpuAfter - cpuBefore) * 1000),
        idle_cpu_percent: round(((cpuAfter - cpuBefore) / options.seconds) * 100, 2),
        // pg_stat_database is flushed by each backend at most once a second (10 s when idle),
        // so a window's count can be off by what was pending at either end.
        pg_commits: commitsBefore !== null && commitsAfter !== null ? commitsAfter - commitsBefore : null,
        pg_commits_per_second: commitsBefore !== null && commitsAfter !== null ? round((commitsAfter - commitsBefore) / options.seconds, 2) : null,
      };
      printTable(summary);
      if (options.json) {
        fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
        fs.writeFileSync(options.json, JSON.stringify(summary, null, 2) + "\n");
        log(`wrote ${options.json}`);
      }
      return summary;
    } finally {
      await server.stop();
    }
  } finally {
    if (admin) {
      await admin.query(`drop database if exists ${serverDatabase} with (force)`).catch(() => {});
      await admin.end();
    }
    await cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function readStatus(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return {
    rssMb: field("VmRSS") / 1024,
    anonMb: field("RssAnon") / 1024,
    // Shared memory (RssShmem) is file-backed in all but name; it is ~0 here.
    fileMb: (field("RssFile") + field("RssShmem")) / 1024,
    peakMb: field("VmHWM") / 1024,
    threads: field("Threads"),
  };
}

/** User + system CPU seconds of the process and all its threads. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function commits(client: pg.Client, database: string): Promise<number> {
  // Counted in the `postgres` database's session: its own statements are not the server's.
  const { rows } = await client.query("select xact_commit::text as n from pg_stat_database where datname = $1", [database]);
  return Number(rows[0]?.n ?? 0);
}

async function metricsHeap(url: string): Promise<{ used: number; total: number | null } | null> {
  const response = await fetch(`${url}/metrics`).catch(() => null);
  if (!response?.ok) return null;
  const text = await response.text();
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\d+)`, "m").exec(text);
    return m ? Number(m[1]) : null;
  };
  const used = value("skein_process_heap_used_bytes");
  return used === null ? null : { used, total: value("skein_process_heap_total_bytes") };
}

function printTable(s: Record<string, unknown>): void {
  const rows: [string, unknown, string][] = [
    ["start-up", s.startup_ms, "ms"],
    [`RSS after ${s.settle_seconds} s idle`, s.rss_mb, "MB"],
    ["  anonymous (heaps, native)", s.rss_anon_mb, "MB"],
    ["  file-backed (code, libraries)", s.rss_file_mb, "MB"],
    [`RSS after the window`, s.rss_mb_after_window, "MB"],
    ["peak RSS", s.peak_rss_mb, "MB"],
    ["V8 heap used", s.heap_used_mb ?? "–", "MB"],
    ["V8 heap total", s.heap_total_mb ?? "–", "MB"],
    ["threads", s.threads, ""],
    [`CPU over ${s.window_seconds} s idle`, s.idle_cpu_ms, `ms (${s.idle_cpu_percent} %)`],
  ];
  if (s.pg_commits !== null) rows.push([`PostgreSQL commits over ${s.window_seconds} s`, s.pg_commits, `(${s.pg_commits_per_second}/s)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`idle (${s.database}, ${s.node})\n`);
  for (const [k, v, unit] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${String(v).padStart(7)} ${unit}\n`);
}
