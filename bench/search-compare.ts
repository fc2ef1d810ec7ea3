// The search of two versions of Skein on one kept seed, in one process, query by query in turns
// (docs/performance/search.md): when other work shares the machine, both versions bear it alike,
// which two benchmark runs one after the other cannot promise. No HTTP, no server: the domain's
// searchStatuses as the endpoint calls it, for the benchmark's signed-in reader, limit 20.
//
//   git worktree add /tmp/skein-before <commit> && ln -s "$PWD/node_modules" /tmp/skein-before/
//   ./skein bench search --db postgres --keep --rounds 0          # the seed, kept and migrated
//   node bench/search-compare.ts --before /tmp/skein-before --db postgres [--rounds 10] [--json FILE]
//
// Neither version migrates the database (the kept seed is at this version's schema); PostgreSQL is
// the kept cluster in bench-data/, started here unless DATABASE_URL names one.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "../src/cli/usage.ts";
import { findPostgresBin, startPostgresCluster, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { alternate, loadAverage } from "./alternate.ts";

const { options } = parseArgs(process.argv.slice(2));
const before = typeof options.before === "string" ? path.resolve(options.before) : null;
const database = options.db === "postgres" ? "postgres" : "sqlite";
const rounds = Number(options.rounds ?? 10);
if (!before) throw new Error("--before DIR: a checkout of the version to compare with");
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", `search-${database}-${Number(options.statuses ?? 1_000_000)}`);
if (!fs.existsSync(path.join(dataDir, "seeded.json"))) throw new Error(`no kept seed in ${dataDir}: run ./skein bench search --db ${database} --keep --rounds 0 first`);

const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", LOCAL_DOMAIN: "127.0.0.1:1" };
let cluster: PostgresCluster | null = null;
if (database === "postgres") {
  if (process.env.DATABASE_URL?.startsWith("postgres")) env.DATABASE_URL = process.env.DATABASE_URL;
  else {
    cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"));
    env.DATABASE_URL = cluster.url;
  }
}

interface Side {
  search(q: string): Promise<number>;
  close(): Promise<void>;
}
const sides: Record<"before" | "after", Side> = {} as never;
try {
  for (const [name, dir] of [["before", before], ["after", root]] as const) {
    const { loadConfig } = await import(`${dir}/src/config/config.ts`);
    const { openDatabase } = await import(`${dir}/src/db/database.ts`);
    const { createStores } = await import(`${dir}/src/store/stores.ts`);
    const { searchStatuses } = await import(`${dir}/src/domain/search/status-search.ts`);
    const opened = await openDatabase(loadConfig(env).database);
    const stores = createStores(opened.db);
    const reader = await stores.accounts.byUsername("reader", null);
    sides[name] = {
      search: async (q) => (await searchStatuses(stores, q, { viewerId: reader.id, localDomain: "127.0.0.1:1", limit: 20, offset: 0 })).length,
      close: () => opened.close(),
    };
  }
  const summary: Record<string, unknown> = { benchmark: "search-compare", database, before, rounds, load_average_at_start: loadAverage() };
  Object.assign(summary, await alternate({ before: sides.before.search, after: sides.after.search }, rounds));
  summary.load_average_at_end = loadAverage();
  if (typeof options.json === "string") fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
  else process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
} finally {
  for (const side of Object.values(sides)) await side.close();
  await cluster?.stop();
}
