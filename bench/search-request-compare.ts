// The whole search request (the app in process: authentication, the search, the statuses'
// rendering, JSON) of two versions on one kept seed, alternated request by request so that a
// shared machine's load falls on both alike, with each side's CPU time a request: the process's
// and its PostgreSQL backends' (each side has its own pool; read from /proc). Usage (from the
// "after" checkout; DIR a copy of the version before, e.g. `git archive <commit> src | tar -x -C
// bench-data/before`, under the repository so that it finds node_modules):
//   node bench/search-request-compare.ts --before DIR --db postgres [--rounds 5]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "../src/cli/usage.ts";
import { findPostgresBin, startPostgresCluster } from "../test/support/postgres-cluster.ts";
import { benchQueries } from "./search-corpus.ts";
import { alternate, loadAverage } from "./alternate.ts";

const { options } = parseArgs(process.argv.slice(2));
const before = path.resolve(String(options.before));
const rounds = Number(options.rounds ?? 5);
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", "search-postgres-1000000");
const cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"));
const env = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", LOCAL_DOMAIN: "127.0.0.1:1", DATABASE_URL: cluster.url };
const sides: Record<string, { request(q: string): Promise<number>; close(): Promise<void> }> = {};
const cpu: Record<string, { process: number; requests: number }> = { before: { process: 0, requests: 0 }, after: { process: 0, requests: 0 } };
try {
  let token = "";
  for (const [name, dir] of [["before", before], ["after", root]] as const) {
    const { loadConfig } = await import(`${dir}/src/config/config.ts`);
    const { openRuntime } = await import(`${dir}/src/server/context.ts`);
    const { createApp } = await import(`${dir}/src/http/app.ts`);
    // Each side's connections named, so that their backends' CPU time can be told apart.
    const runtime = await openRuntime(loadConfig({ ...env, DATABASE_URL: `${env.DATABASE_URL}?application_name=compare_${name}` }));
    const app = createApp(runtime.services, {});
    if (!token) {
      const a = await (await app.request("/api/v1/apps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "compare", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }) })).json();
      const t = await (await app.request("/oauth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "password", client_id: a.client_id, client_secret: a.client_secret, username: "reader", password: "bench-password-1", scope: "read" }) })).json();
      token = t.access_token;
    }
    sides[name] = {
      request: async (q) => {
        const started = process.cpuUsage();
        const res = await app.request(`/api/v2/search?type=statuses&limit=20&q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${token}` } });
        const body = await res.json();
        const used = process.cpuUsage(started);
        cpu[name]!.process += (used.user + used.system) / 1000;
        cpu[name]!.requests++;
        return body.statuses.length;
      },
      close: () => runtime.close(),
    };
  }
  // The posts of earlier posting rounds (by the writer, who did not opt in) are the newest matches
  // of every common word: first what each version finds behind them, then back to the seed.
  const { sql } = await import("kysely");
  const { openDatabase } = await import("../src/db/database.ts");
  const { loadConfig } = await import("../src/config/config.ts");
  const opened = await openDatabase(loadConfig(env).database);
  const writer = await sql<{ n: string }>`select count(*)::text as n from statuses s inner join accounts a on a.id = s.account_id where a.username = 'writer' and a.domain is null`.execute(opened.db);
  const starved: Record<string, unknown> = { writer_posts: Number(writer.rows[0]?.n ?? 0) };
  for (const side of ["before", "after"]) starved[`${side}_results_for_${benchQueries().common[0]}`] = await sides[side]!.request(benchQueries().common[0]!).catch(() => -1);
  process.stderr.write(`behind the writer's posts: ${JSON.stringify(starved)}\n`);
  await sql`delete from statuses where account_id = (select id from accounts where username = 'writer' and domain is null)`.execute(opened.db);
  await sql`delete from status_search_pending`.execute(opened.db);
  await opened.close();
  const summary: Record<string, unknown> = { benchmark: "search-request-compare", starved, database: "postgres", before, rounds, load_average_at_start: loadAverage() };
  const monitor = await openDatabase(loadConfig(env).database);
  const backendsBefore = await backendCpuMs(monitor.db, sql);
  for (const side of Object.values(cpu)) Object.assign(side, { process: 0, requests: 0 });
  Object.assign(summary, await alternate({ before: sides.before!.request, after: sides.after!.request }, rounds));
  const backendsAfter = await backendCpuMs(monitor.db, sql);
  await monitor.close();
  for (const side of ["before", "after"]) {
    summary[`${side}_process_cpu_ms_per_request`] = Math.round((cpu[side]!.process / cpu[side]!.requests) * 100) / 100;
    // Backends opened during the run count from 0: their start-up and first plans are in it.
    const backends = (backendsAfter[side] ?? 0) - (backendsBefore[side] ?? 0);
    summary[`${side}_postgres_cpu_ms_per_request`] = Math.round((backends / cpu[side]!.requests) * 100) / 100;
  }
  summary.load_average_at_end = loadAverage();
  if (typeof options.json === "string") fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
  else process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
} finally {
  for (const side of Object.values(sides)) await side.close();
  await cluster.stop();
}

/** CPU time (ms) of each side's PostgreSQL backends so far, by application_name, from /proc (the cluster runs here). */
async function backendCpuMs(db: import("kysely").Kysely<any>, sqlTag: typeof import("kysely").sql): Promise<Record<string, number>> {
  const rows = await sqlTag<{ pid: number; application_name: string }>`select pid, application_name from pg_stat_activity where application_name like 'compare_%'`.execute(db);
  const out: Record<string, number> = {};
  for (const row of rows.rows) {
    try {
      const fields = fs.readFileSync(`/proc/${row.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      const side = row.application_name.slice("compare_".length);
      out[side] = (out[side] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 ticks a second
    } catch {
      // The backend ended meanwhile.
    }
  }
  return out;
}
