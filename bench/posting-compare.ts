// Posting in two versions of Skein on one kept seed, in one process, round by round in turns
// (docs/PERFORMANCE.md, "What a post's statements cost to build"): when other work shares the
// machine, both versions bear it alike. Each post goes through StatusService.create as the API
// calls it, by the seed's writer (followed by nobody: the post, its counts, its policy and its
// fan-out reads, no deliveries), with search indexing off; the figure is this process's CPU a post
// (the database's own is not in it).
//
//   git worktree add /tmp/skein-before <commit> && ln -s "$PWD/node_modules" /tmp/skein-before/
//   ./skein bench search --db postgres --keep --rounds 0          # the seed, kept and migrated
//   node bench/posting-compare.ts --before /tmp/skein-before [--rounds 10] [--posts 200] [--json FILE]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "../src/cli/usage.ts";
import { findPostgresBin, startPostgresCluster, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { loadAverage } from "./alternate.ts";
import { percentile, round } from "./measure.ts";
import { Corpus } from "./search-corpus.ts";

const { options } = parseArgs(process.argv.slice(2));
const before = typeof options.before === "string" ? path.resolve(options.before) : null;
const rounds = Number(options.rounds ?? 10);
const posts = Number(options.posts ?? 200);
if (!before) throw new Error("--before DIR: a checkout of the version to compare with");
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", "search-postgres-1000000");
if (!fs.existsSync(path.join(dataDir, "seeded.json"))) throw new Error(`no kept seed in ${dataDir}: run ./skein bench search --db postgres --keep --rounds 0 first`);

const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", LOCAL_DOMAIN: "127.0.0.1:1", SEARCH_INDEXING: "off" };
let cluster: PostgresCluster | null = null;
if (process.env.DATABASE_URL?.startsWith("postgres")) env.DATABASE_URL = process.env.DATABASE_URL;
else {
  cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"));
  env.DATABASE_URL = cluster.url;
}

type SideName = "before" | "after";
interface Side {
  post(text: string): Promise<void>;
  close(): Promise<void>;
}
const sides: Record<SideName, Side> = {} as never;
const corpus = new Corpus(7);
try {
  for (const [name, dir] of [["before", before], ["after", root]] as const) {
    const { loadConfig } = await import(`${dir}/src/config/config.ts`);
    const { openRuntime } = await import(`${dir}/src/server/context.ts`);
    const runtime = await openRuntime(loadConfig(env));
    const writer = await runtime.stores.accounts.byUsername("writer", null);
    sides[name] = {
      post: async (text) => {
        await runtime.services.statuses.create(writer, { text }, null, { visibility: "public", sensitive: false, language: "en" });
      },
      close: () => runtime.close(),
    };
  }
  const cpu: Record<SideName, number[]> = { before: [], after: [] };
  // Round 0 warms both up and is not counted; the side that goes first changes every round.
  for (let r = 0; r <= rounds; r++) {
    for (const side of r % 2 ? (["before", "after"] as const) : (["after", "before"] as const)) {
      const started = process.cpuUsage();
      for (let n = 0; n < posts; n++) {
        await sides[side].post(corpus.next().text);
        // A server's event loop turns between requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const used = process.cpuUsage(started);
      if (r > 0) cpu[side].push((used.user + used.system) / 1000 / posts);
    }
    if (r > 0) process.stderr.write(`round ${r}: before ${round(cpu.before.at(-1)!, 3)}, after ${round(cpu.after.at(-1)!, 3)} ms of CPU a post\n`);
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  const summary = {
    benchmark: "posting-compare", before, rounds, posts_per_round: posts,
    before_cpu_ms_per_post: round(median(cpu.before), 3), after_cpu_ms_per_post: round(median(cpu.after), 3),
    after_to_before: round(median(cpu.after) / median(cpu.before), 3),
    before_rounds: cpu.before.map((v) => round(v, 3)), after_rounds: cpu.after.map((v) => round(v, 3)),
    load_average_at_end: loadAverage(),
  };
  if (typeof options.json === "string") fs.writeFileSync(options.json, JSON.stringify([summary], null, 2) + "\n");
  process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
} finally {
  for (const side of Object.values(sides)) await side.close();
  await cluster?.stop();
}
