// The whole search request (the app in process: authentication, the search, the statuses'
// rendering, JSON) of two versions on one kept seed, alternated request by request so that a
// shared machine's load falls on both alike. Usage (from the "after" checkout):
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
try {
  let token = "";
  for (const [name, dir] of [["before", before], ["after", root]] as const) {
    const { loadConfig } = await import(`${dir}/src/config/config.ts`);
    const { openRuntime } = await import(`${dir}/src/server/context.ts`);
    const { createApp } = await import(`${dir}/src/http/app.ts`);
    const runtime = await openRuntime(loadConfig(env));
    const app = createApp(runtime.services, {});
    if (!token) {
      const a = await (await app.request("/api/v1/apps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "compare", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }) })).json();
      const t = await (await app.request("/oauth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "password", client_id: a.client_id, client_secret: a.client_secret, username: "reader", password: "bench-password-1", scope: "read" }) })).json();
      token = t.access_token;
    }
    sides[name] = {
      request: async (q) => {
        const res = await app.request(`/api/v2/search?type=statuses&limit=20&q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${token}` } });
        const body = await res.json();
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
  Object.assign(summary, await alternate({ before: sides.before!.request, after: sides.after!.request }, rounds));
  summary.load_average_at_end = loadAverage();
  if (typeof options.json === "string") fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
  else process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
} finally {
  for (const side of Object.values(sides)) await side.close();
  await cluster.stop();
}
