// `./skein bench <name> [options]`: benchmarks that print their figures and write JSON.
// timeline: bench/timeline.ts; fanout (delivery to a simulated fleet of instances): bench/fanout.ts;
// hostile-inbox (what a hostile inbox POST costs): bench/hostile-inbox.ts; media (Skein's media
// pipeline against Mastodon's): bench/media.ts; search (full-text search at 1M posts): bench/search.ts;
// idle (what a fresh server costs doing nothing: memory, threads, CPU, commits): bench/idle.ts.
import path from "node:path";
import { parseArgs, UsageError } from "../usage.ts";
import { DEFAULT_MEMORY_TARGET_BYTES } from "../../config/config.ts";
import { parseByteSize } from "../../config/media-config.ts";

const USAGE = `Usage:
  ./skein bench timeline [--db sqlite|postgres] [--accounts N] [--statuses N] [--following N]
                         [--concurrency N] [--seconds N] [--json FILE]
  ./skein bench fanout   [--db sqlite|postgres] [--workload celebrity,celebrity-again,poisoned,crash,sustained]
                         [--followers N] [--domains N] [--zipf S] [--poisoned-share F]
                         [--latency-p50 MS] [--latency-p99 MS] [--crash-deliveries N] [--crash-kill-at F]
                         [--sustained-rate N] [--sustained-seconds N] [--sustained-accounts N] [--sustained-drain SECONDS]
                         [--workers N] [--crosscheck-every N] [--timeout SECONDS] [--data-dir DIR] [--cpu-prof DIR] [--json FILE]
                         [--memory-budget SIZE]
    --workers N: the server as ./skein web + N ./skein worker processes (PostgreSQL only); default one ./skein start
    --memory-budget SIZE ("512MB", "1GB"; default MEMORY_TARGET): a workload whose server process peaks above it fails the run
  ./skein bench prune    [--db sqlite|postgres] [--statuses N] [--accounts N] [--following N] [--older-than DAYS] [--json FILE]
    what ./skein prune removes from the timeline dataset made 90% remote, with local interactions (bench/prune.ts): rows,
    files and bytes, database size before and after, time, home-timeline reads during it, the home timeline unchanged
  ./skein bench hostile-inbox [--requests N] [--json FILE]
  ./skein bench blocklist [--db sqlite|postgres] [--domains N] [--runs N] [--requests N] [--json FILE]
  ./skein bench media    [--scale F] [--only photo-12mp,photo-1080p,phone-screenshot,desktop-screenshot,logo-alpha,animated-gif] [--explore]
                         [--cache-budget BYTES] [--db sqlite|postgres] [--json FILE]
    Skein's media pipeline against Mastodon's reproduced (bench/media.ts), then the remote-media cache under 10× its budget
    of views (bench/media-cache.ts, on --db); --scale shrinks the corpus for a quick run; --explore measures, for each
    image that misses the target, which encoder settings would reach it
  ./skein bench search   [--db sqlite|postgres] [--statuses N] [--accounts N] [--repeats N] [--warmup N] [--posts N] [--rounds N]
                         [--http-posts N] [--http-rounds N] [--http-concurrency N] [--keep] [--shared-buffers SIZE] [--json FILE]
    full-text search (bench/search.ts): index build time and size, query p50/p99 by kind of query, posting with indexing on vs off
    in process (--posts a round, --rounds of each; 0: none) and through the HTTP API (--http-posts a round, --http-rounds of each, 0: none,
    from --http-concurrency clients at once, 8 by default); --keep: keep the seeded data (bench-data/search-DB-N, PostgreSQL's cluster too)
    and reuse it next time;
    --warmup N: passes over every query before any is counted (10);
    --shared-buffers 1GB: the bench's PostgreSQL cluster with that much shared_buffers (128MB otherwise, as the test suite's)
  ./skein bench idle     [--db sqlite|postgres] [--seconds N] [--json FILE]
    a fresh ./skein start left idle (bench/idle.ts): RSS after 10 s (anonymous / file-backed), V8 heap, threads,
    CPU time over N idle seconds (default 20) and, on PostgreSQL, the transactions committed in them`;

function positiveInt(value: string | true | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number\n${USAGE}`);
  return n;
}

function fraction(value: string | true | undefined, fallback: number, name: string, max = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value === true || !Number.isFinite(n) || n < 0 || n > max) throw new UsageError(`--${name} must be a number from 0 to ${max}\n${USAGE}`);
  return n;
}

export async function bench(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const { options } = parseArgs(rest, ["explore", "keep"]);
  if (name === "hostile-inbox") {
    const { hostileInboxBench } = await import("../../../bench/hostile-inbox.ts");
    await hostileInboxBench({ requests: positiveInt(options.requests, 50, "requests"), json: typeof options.json === "string" ? options.json : null });
    return 0;
  }
  if (name === "prune") {
    const database = (options.db ?? "sqlite") as string;
    if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
    const { pruneBench } = await import("../../../bench/prune.ts");
    await pruneBench({
      database,
      statuses: positiveInt(options.statuses, 1_000_000, "statuses"),
      accounts: positiveInt(options.accounts, 10_000, "accounts"),
      following: positiveInt(options.following, 2_000, "following"),
      olderThanDays: positiveInt(options["older-than"], 7, "older-than"),
      json: typeof options.json === "string" ? options.json : null,
    });
    return 0;
  }
  if (name === "blocklist") {
    const database = (options.db ?? "sqlite") as string;
    if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
    const { blocklistBench } = await import("../../../bench/blocklist.ts");
    await blocklistBench({
      database,
      domains: positiveInt(options.domains, 10_000, "domains"),
      runs: positiveInt(options.runs, 3, "runs"),
      requests: positiveInt(options.requests, 2_000, "requests"),
      json: typeof options.json === "string" ? options.json : null,
    });
    return 0;
  }
  if (name === "idle") {
    const database = (options.db ?? "sqlite") as string;
    if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
    const { idleBench } = await import("../../../bench/idle.ts");
    await idleBench({ database, seconds: positiveInt(options.seconds, 20, "seconds"), json: typeof options.json === "string" ? options.json : null });
    return 0;
  }
  if (name === "search") {
    const database = (options.db ?? "sqlite") as string;
    if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
    const { searchBench } = await import("../../../bench/search.ts");
    await searchBench({
      database,
      statuses: positiveInt(options.statuses, 1_000_000, "statuses"),
      accounts: positiveInt(options.accounts, 10_000, "accounts"),
      repeats: positiveInt(options.repeats, 25, "repeats"),
      warmup: options.warmup === "0" ? 0 : positiveInt(options.warmup, 10, "warmup"),
      posts: positiveInt(options.posts, 500, "posts"),
      rounds: options.rounds === "0" ? 0 : positiveInt(options.rounds, 3, "rounds"),
      httpPosts: positiveInt(options["http-posts"], 5000, "http-posts"),
      httpRounds: options["http-rounds"] === "0" ? 0 : positiveInt(options["http-rounds"], 3, "http-rounds"),
      httpConcurrency: positiveInt(options["http-concurrency"], 8, "http-concurrency"),
      keep: options.keep === true,
      sharedBuffers: sharedBuffers(options["shared-buffers"]),
      json: typeof options.json === "string" ? options.json : null,
    });
    return 0;
  }
  if (name === "media") {
    const scale = fraction(options.scale, 1, "scale");
    if (scale === 0) throw new UsageError(`--scale must be above 0\n${USAGE}`);
    const { mediaBench } = await import("../../../bench/media.ts");
    const { CORPUS_NAMES } = await import("../../../bench/media-images.ts");
    const only = typeof options.only === "string" ? options.only.split(",").map((n) => n.trim()) : null;
    for (const n of only ?? []) if (!(CORPUS_NAMES as readonly string[]).includes(n)) throw new UsageError(`--only takes ${CORPUS_NAMES.join(", ")}\n${USAGE}`);
    const database = (options.db ?? "sqlite") as string;
    if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
    await mediaBench({
      scale,
      only,
      json: typeof options.json === "string" ? options.json : null,
      explore: options.explore === true,
      cacheBudget: positiveInt(options["cache-budget"], 8_000_000, "cache-budget"),
      database,
    });
    return 0;
  }
  if (name !== "timeline" && name !== "fanout") throw new UsageError(`unknown benchmark "${name ?? ""}"\n${USAGE}`);
  const database = (options.db ?? "sqlite") as string;
  if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
  if (name === "fanout") return fanout(database, options);
  const { timelineBench } = await import("../../../bench/timeline.ts");
  await timelineBench({
    database,
    accounts: positiveInt(options.accounts, 10_000, "accounts"),
    statuses: positiveInt(options.statuses, 1_000_000, "statuses"),
    following: positiveInt(options.following, 2_000, "following"),
    concurrency: positiveInt(options.concurrency, 16, "concurrency"),
    seconds: positiveInt(options.seconds, 15, "seconds"),
    json: typeof options.json === "string" ? options.json : null,
  });
  return 0;
}

async function fanout(database: "sqlite" | "postgres", options: Record<string, string | true>): Promise<number> {
  const { fanoutBench, WORKLOADS } = await import("../../../bench/fanout.ts");
  const workloads = typeof options.workload === "string" ? options.workload.split(",").map((w) => w.trim()) : [...WORKLOADS];
  for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new UsageError(`--workload must be one or more of ${WORKLOADS.join(", ")}\n${USAGE}`);
  const followers = positiveInt(options.followers, 50_000, "followers");
  const workers = options.workers === undefined || options.workers === "0" ? 0 : positiveInt(options.workers, 0, "workers");
  if (workers > 0 && database !== "postgres") throw new UsageError(`--workers needs --db postgres: separate worker processes share the queue through PostgreSQL\n${USAGE}`);
  const results = await fanoutBench({
    database,
    workloads: workloads as (typeof WORKLOADS)[number][],
    followers,
    domains: Math.min(followers, positiveInt(options.domains, 5_000, "domains")),
    zipf: fraction(options.zipf, 1, "zipf", 4),
    poisonedShare: fraction(options["poisoned-share"], 0.2, "poisoned-share"),
    latencyP50Ms: fraction(options["latency-p50"], 50, "latency-p50", 60_000),
    latencyP99Ms: fraction(options["latency-p99"], 2_000, "latency-p99", 60_000),
    crashDeliveries: positiveInt(options["crash-deliveries"], 100_000, "crash-deliveries"),
    crashKillAt: fraction(options["crash-kill-at"], 0.3, "crash-kill-at"),
    sustainedRate: positiveInt(options["sustained-rate"], 50, "sustained-rate"),
    sustainedSeconds: positiveInt(options["sustained-seconds"], 60, "sustained-seconds"),
    sustainedAccounts: positiveInt(options["sustained-accounts"], 50, "sustained-accounts"),
    sustainedFollowers: positiveInt(options["sustained-followers"], 200, "sustained-followers"),
    sustainedDomains: positiveInt(options["sustained-domains"], 100, "sustained-domains"),
    sustainedDrainSeconds: positiveInt(options["sustained-drain"], 60, "sustained-drain"),
    crossCheckEvery: options["crosscheck-every"] === "0" ? 0 : positiveInt(options["crosscheck-every"], 50, "crosscheck-every"),
    timeoutSeconds: positiveInt(options.timeout, 600, "timeout"),
    dataDir: path.resolve(typeof options["data-dir"] === "string" ? options["data-dir"] : "bench-data"),
    json: typeof options.json === "string" ? options.json : null,
    cpuProf: typeof options["cpu-prof"] === "string" ? options["cpu-prof"] : null,
    workers,
    memoryBudgetMb: memoryBudgetMb(options["memory-budget"]),
  });
  return results.some((r) => r.over_memory_budget) ? 1 : 0;
}

/** --memory-budget, else MEMORY_TARGET (as the server reads it), else its default; in MB of 1024² bytes, as RSS is reported. */
function memoryBudgetMb(option: string | true | undefined): number {
  const text = typeof option === "string" ? option : process.env.MEMORY_TARGET?.trim() || null;
  if (option === true) throw new UsageError(`--memory-budget takes a size like 512MB\n${USAGE}`);
  if (text === null) return DEFAULT_MEMORY_TARGET_BYTES / 1024 ** 2;
  const bytes = parseByteSize(text);
  if (typeof bytes === "string") throw new UsageError(`--memory-budget (or MEMORY_TARGET): ${bytes}\n${USAGE}`);
  return Math.round((bytes / 1024 ** 2) * 10) / 10;
}

/** A PostgreSQL size for shared_buffers (`1GB`, `768MB`), or undefined for the cluster's own. */
function sharedBuffers(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[1-9][0-9]*(kB|MB|GB)$/.test(value)) throw new UsageError(`--shared-buffers must be a size such as 1GB or 768MB\n${USAGE}`);
  return value;
}
