// `./skein bench timeline`: GET /api/v1/timelines/home under concurrent load, against a real
// server process and a seeded database (default: 10k accounts, 1M statuses, a reader following
// 2k of them). It also times, in the same run, the query a pull design would need (statuses of
// followed accounts, privacy-filtered) against the materialized feed's query, to show why Skein
// materializes home feeds.
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime } from "../src/server/context.ts";
import { readableWithBoostBy, notMutedBy } from "../src/store/visibility-sql.ts";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { seed, type SeedSize } from "./seed.ts";
import { signIn, startBenchServer } from "./bench-server.ts";
import { percentile, processUsage, round } from "./measure.ts";
import { postgresCpuSeconds } from "./postgres-cpu.ts";

const root = path.resolve(import.meta.dirname, "..");

export interface TimelineBenchOptions extends SeedSize {
  database: "sqlite" | "postgres";
  concurrency: number;
  seconds: number;
  json: string | null;
}

const READER = { username: "reader", email: "reader@bench.invalid", password: "bench-password-1" };

export async function timelineBench(options: TimelineBenchOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const tag = `${options.database}-${options.accounts}-${options.statuses}-${options.following}`;
  const dataDir = path.join(root, "bench-data", `timeline-${tag}`);
  let cluster: PostgresCluster | null = null;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development" };
  if (options.database === "postgres") {
    ({ url: env.DATABASE_URL, cluster } = await benchPostgres());
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  try {
    const port = await freePort();
    Object.assign(env, { PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` });
    const config = loadConfig(env);
    const stamp = path.join(dataDir, "seeded");
    const seedStarted = performance.now();
    let pullVsFeed: Record<string, number>;
    {
      const runtime = await openRuntime(config);
      try {
        if (!fs.existsSync(stamp)) {
          log(`seeding ${options.accounts} accounts, ${options.statuses} statuses, following ${options.following} (${options.database})`);
          const { account } = await runtime.services.accounts.createLocal(READER);
          await seed(runtime.database.db, config.origin, options, account.id, log);
          if (options.database === "postgres") await sql`analyze`.execute(runtime.database.db);
          else await sql`analyze`.execute(runtime.database.db);
          fs.mkdirSync(dataDir, { recursive: true });
          fs.writeFileSync(stamp, new Date().toISOString());
          log(`seeded in ${round((performance.now() - seedStarted) / 1000)} s`);
        } else {
          log(`reusing the seeded database in ${path.relative(root, dataDir)}`);
        }
        pullVsFeed = await compareDesigns(runtime, READER.username);
      } finally {
        await runtime.close();
      }
    }

    const server = await startBenchServer(env, port, { wrapper: true });
    try {
      const url = server.url;
      const token = await signIn(url, READER.username, READER.password);
      log(`warming up, then ${options.concurrency} concurrent clients for ${options.seconds} s`);
      await load(url, token, Math.min(options.concurrency, 4), 2);
      const databaseCpu = () => (env.DATABASE_URL ? postgresCpuSeconds(env.DATABASE_URL) : null);
      const before = processUsage(server.process.pid!);
      const databaseBefore = databaseCpu();
      const result = await load(url, token, options.concurrency, options.seconds);
      const after = processUsage(server.process.pid!);
      const databaseAfter = databaseCpu();
      const serverCpu = after.cpuSeconds - before.cpuSeconds;
      const postgresCpu = databaseBefore !== null && databaseAfter !== null ? databaseAfter - databaseBefore : null;
      const requests = result.latencies.length;
      const summary = {
        benchmark: "timeline",
        database: options.database,
        accounts: options.accounts,
        statuses: options.statuses,
        following: options.following,
        concurrency: options.concurrency,
        seconds: options.seconds,
        requests,
        errors: result.errors,
        requests_per_second: round(result.latencies.length / options.seconds),
        p50_ms: round(percentile(result.latencies, 50), 2),
        p99_ms: round(percentile(result.latencies, 99), 2),
        deep_page_p50_ms: round(percentile(result.deepLatencies, 50), 2),
        server_cpu_seconds: round(serverCpu, 2),
        // Issue 18's figure: CPU per request, the server's and (PostgreSQL) the database's.
        server_cpu_ms_per_request: round((serverCpu * 1000) / Math.max(1, requests), 3),
        ...(postgresCpu === null
          ? {}
          : { postgres_cpu_seconds: round(postgresCpu, 2), postgres_cpu_ms_per_request: round((postgresCpu * 1000) / Math.max(1, requests), 3), total_cpu_ms_per_request: round(((serverCpu + postgresCpu) * 1000) / Math.max(1, requests), 3) }),
        server_peak_rss_mb: round(after.peakRssMb),
        ...pullVsFeed,
      };
      printTable(summary);
      if (options.json) fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
      return summary;
    } finally {
      await server.stop();
    }
  } finally {
    await cluster?.stop();
  }
}

/** Clients that each read the first page, and one in five times the page below it, as readers scroll. */
async function load(url: string, token: string, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  const deepLatencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const headers = { Authorization: `Bearer ${token}` };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let oldest: string | null = null;
      let n = 0;
      while (performance.now() < deadline) {
        const deep = oldest !== null && n++ % 5 === 4;
        const started = performance.now();
        try {
          const response = await fetch(`${url}/api/v1/timelines/home${deep ? `?max_id=${oldest}` : ""}`, { headers });
          const body = (await response.json()) as { id: string }[];
          if (!response.ok || !Array.isArray(body) || body.length === 0) errors++;
          else oldest = body[body.length - 1].id;
        } catch {
          errors++;
        }
        (deep ? deepLatencies : latencies).push(performance.now() - started);
      }
    }),
  );
  latencies.push(...deepLatencies);
  latencies.sort((a, b) => a - b);
  deepLatencies.sort((a, b) => a - b);
  return { latencies, deepLatencies, errors };
}

/** Times both designs' first-page query in-process, 30 times each, and reports the medians. */
async function compareDesigns(runtime: Awaited<ReturnType<typeof openRuntime>>, username: string): Promise<Record<string, number>> {
  const db = runtime.database.db;
  const reader = (await runtime.stores.accounts.byUsername(username, null))!;
  const time = async (query: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await query();
      samples.push(performance.now() - started);
    }
    return percentile(samples.sort((a, b) => a - b), 50);
  };
  const feed = await time(() => runtime.stores.statuses.homeTimeline(reader.id, { limit: 20 }));
  const pull = await time(() =>
    db
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "in", (eb) => eb.selectFrom("follows").select("target_account_id").where("account_id", "=", reader.id))
      .where(readableWithBoostBy(reader.id))
      .where(notMutedBy(reader.id))
      .orderBy("id", "desc")
      .limit(20)
      .execute(),
  );
  return { feed_query_p50_ms: round(feed, 2), pull_query_p50_ms: round(pull, 2) };
}

function printTable(summary: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(summary).map((k) => k.length));
  for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
