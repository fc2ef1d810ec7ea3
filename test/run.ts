// `./skein test`: the whole suite, once on SQLite and once on PostgreSQL, with node's test
// runner (files marked `// skein-test: once`, which use no database, in the first run only).
// PostgreSQL comes from SKEIN_TEST_POSTGRES_URL, or a throwaway cluster started from the
// installed binaries. In CI a missing PostgreSQL is an error, never a silent skip.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findPostgresBin, startPostgresCluster, type PostgresCluster } from "./support/postgres-cluster.ts";
import { makeMigratedTemplate } from "./support/migrated-template.ts";
import { runsOnce } from "./support/run-once.ts";
import { ensureWebClientBuilt } from "../web/build.ts";

const root = path.resolve(import.meta.dirname, "..");

/**
 * Started first, longest first: the runner starts files in the order given, so a long file
 * started late ran alone at the end of a run while the other cores idled. These are the slowest
 * of a CI run (the end of each run lists its slowest files: keep this in step with them); the
 * other files follow in path order and fill the cores in between.
 */
const SLOW_FIRST = [
  "test/e2e/blocklists.test.ts",
  "test/e2e/bench-fanout.test.ts",
  "test/e2e/cli.test.ts",
  "test/e2e/admin-accounts.test.ts",
  "test/federation/account-deletion.test.ts",
  "test/e2e/web-client.test.ts",
  "test/security/fuzz-inbox.test.ts",
  "test/e2e/bench-media.test.ts",
  "test/federation/quotes.test.ts",
  "test/federation/multi-instance.test.ts",
  "test/e2e/account-data.test.ts",
  "test/security/fuzz-api.test.ts",
  "test/e2e/admin-console.test.ts",
  "test/federation/moderation-suspend.test.ts",
  "test/e2e/search.test.ts",
  "test/e2e/settings-pages.test.ts",
  "test/federation/signatures.test.ts",
  "test/e2e/two-factor.test.ts",
  "test/federation/poll-updates.test.ts",
  "test/federation/moderation-allowlist.test.ts",
  "test/e2e/registration.test.ts",
  "test/federation/profile-emoji-federation.test.ts",
  "test/federation/remote-media-proxy.test.ts",
  "test/e2e/mail.test.ts",
  "test/e2e/custom-emojis.test.ts",
  "test/e2e/user-domain-blocks.test.ts",
];

interface RunResult {
  database: string;
  passed: number;
  failed: number;
  exitCode: number;
  /** "name (file:line): error" for each failed test, so the end of a long log says what failed. */
  failures: string[];
}

function testFiles(filters: string[]): string[] {
  const all = fs
    .globSync("test/**/*.test.ts", { cwd: root })
    .sort();
  const chosen = filters.length ? all.filter((f) => filters.some((flt) => f.includes(flt))) : all;
  const rank = (f: string) => (SLOW_FIRST.includes(f) ? SLOW_FIRST.indexOf(f) : SLOW_FIRST.length);
  return chosen.sort((a, b) => rank(a) - rank(b));
}

/**
 * Test files run side by side, two per core: most of a file's time is spent waiting (servers
 * starting, federation round trips), so the cores stay busy. Every file has its own loopback
 * addresses and servers, so files never share state. SKEIN_TEST_CONCURRENCY overrides it.
 */
function concurrency(): number {
  const chosen = Number(process.env.SKEIN_TEST_CONCURRENCY ?? os.availableParallelism() * 2);
  return Number.isInteger(chosen) && chosen >= 1 ? chosen : 2;
}

async function runSuite(database: "sqlite" | "postgres", files: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<RunResult> {
  process.stdout.write(`\n=== ${database}: ${files.length} test files ===\n`);
  const template = await makeMigratedTemplate(database, env.SKEIN_TEST_POSTGRES_URL);
  try {
    return await runFiles(database, files, { ...env, ...(template.value ? { SKEIN_TEST_TEMPLATE: template.value } : {}) }, timeoutMs);
  } finally {
    await template.drop();
  }
}

async function runFiles(database: "sqlite" | "postgres", files: string[], env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  const tap = path.join(os.tmpdir(), `skein-test-${database}-${process.pid}.tap`);
  const times = path.join(os.tmpdir(), `skein-test-${database}-${process.pid}.times`);
  const args = [
    // Before each test file: a file marked to run once gets no database to ask for; each file's
    // time is written down.
    `--import=${pathToFileURL(path.join(root, "test/support/run-once-guard.ts")).href}`,
    `--import=${pathToFileURL(path.join(root, "test/support/file-times.ts")).href}`,
    "--test",
    `--test-concurrency=${concurrency()}`,
    // A file's process ends once its tests and hooks are done, even if something it started still
    // holds the event loop: a stop's pending 10 s timer kept every server-starting file alive
    // that long after its last test, its slot in the run idle (support/server.ts now unrefs it).
    "--test-force-exit",
    `--test-timeout=${timeoutMs}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...env, SKEIN_TEST_DATABASE: database, SKEIN_TEST_TIMES: times },
  });
  const exitCode: number = await new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const report = fs.existsSync(tap) ? fs.readFileSync(tap, "utf8") : "";
  fs.rmSync(tap, { force: true });
  printSlowest(database, fs.existsSync(times) ? fs.readFileSync(times, "utf8") : "");
  fs.rmSync(times, { force: true });
  // The TAP report ends with "# pass N" and "# fail N".
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(report)?.[1] ?? 0);
  const failed = count("fail");
  // A run that crashed outside any test still counts as a failure.
  return { database, passed: count("pass"), failed: failed === 0 && exitCode !== 0 ? 1 : failed, exitCode, failures: tapFailures(report) };
}

/** The run's slowest files, from support/file-times.ts's lines: what SLOW_FIRST should list. */
function printSlowest(database: string, lines: string): void {
  const rows = lines
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t"))
    .sort((a, b) => Number(b[0]) - Number(a[0]))
    .slice(0, 12);
  if (rows.length) process.stdout.write(`\nslowest files on ${database} (s): ${rows.map(([s, f]) => `${f} ${s}`).join(", ")}\n`);
}

/** Each "not ok" of a TAP report with the location and error of its YAML block. */
export function tapFailures(report: string): string[] {
  const lines = report.split("\n");
  const failures: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const failed = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!failed) continue;
    let location = "";
    let error = "";
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]); j++) {
      const field = /^\s*(location|error): (.*)$/.exec(lines[j]);
      if (field?.[1] === "location") location = field[2].replace(/^'|'$/g, "").replace(root + path.sep, "");
      else if (field?.[1] === "error" && !error) {
        // A multi-line error is a YAML block: its first line follows.
        error = /^[|>]-?$/.test(field[2]) ? (lines[j + 1] ?? "").trim() : field[2].replace(/^'|'$/g, "");
      }
    }
    failures.push(`${failed[1]}${failed[2]}${location ? ` (${location})` : ""}${error ? `: ${error.slice(0, 300)}` : ""}`);
  }
  return failures;
}

/**
 * `--fuzz N [--fuzz-seed S]`: only the fuzz files (test/security/fuzz-*), N cases each, with a new
 * seed unless one is given to replay a run; the seed is printed first. Time limits grow with N.
 */
function fuzzOptions(runs: string | null, seed: string | null): { env: Record<string, string>; timeoutMs: number } | null {
  if (runs === null) return null;
  if (!/^[1-9]\d*$/.test(runs)) throw new Error(`--fuzz needs a number of cases (got "${runs}")`);
  if (seed !== null && !/^-?\d+$/.test(seed)) throw new Error(`--fuzz-seed needs an integer (got "${seed}")`);
  const chosenSeed = seed ?? String(Math.floor(Math.random() * 2 ** 31));
  process.stdout.write(`fuzz: ${runs} cases per file, seed ${chosenSeed} (replay with --fuzz ${runs} --fuzz-seed ${chosenSeed})\n`);
  // A case takes milliseconds when all is well; a failing run may wait 10 s per case and shrink.
  const timeLimitMs = 150_000 + Number(runs) * 1_000;
  return { env: { FUZZ_RUNS: runs, FUZZ_SEED: chosenSeed, FUZZ_TIME_LIMIT_MS: String(timeLimitMs) }, timeoutMs: timeLimitMs + 120_000 };
}

export async function runTests(args: string[]): Promise<number> {
  let only: string | null = null;
  let fuzzRuns: string | null = null;
  let fuzzSeed: string | null = null;
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--db") only = args[++i];
    else if (args[i].startsWith("--db=")) only = args[i].slice(5);
    else if (args[i] === "--fuzz") fuzzRuns = args[++i] ?? "";
    else if (args[i].startsWith("--fuzz=")) fuzzRuns = args[i].slice(7);
    else if (args[i] === "--fuzz-seed") fuzzSeed = args[++i] ?? "";
    else if (args[i].startsWith("--fuzz-seed=")) fuzzSeed = args[i].slice(12);
    else filters.push(args[i]);
  }
  let fuzz: ReturnType<typeof fuzzOptions>;
  try {
    fuzz = fuzzOptions(fuzzRuns, fuzzSeed);
  } catch (error) {
    process.stderr.write(`skein test: ${(error as Error).message}\n`);
    return 1;
  }
  if (fuzzSeed !== null && !fuzz) {
    process.stderr.write("skein test: --fuzz-seed goes with --fuzz N\n");
    return 1;
  }
  // With --fuzz, the filters (if any) choose among the fuzz files.
  const files = testFiles(filters).filter((f) => !fuzz || f.startsWith("test/security/fuzz-"));
  if (files.length === 0) {
    process.stderr.write("skein test: no test files match\n");
    return 1;
  }

  // Once for the run, before any server starts: servers then find web/dist up to date.
  await ensureWebClientBuilt({ log: (message) => process.stdout.write(`${message}\n`) });

  // Files that use no database run in the first run only (test/support/run-once.ts).
  const once = new Set(files.filter((f) => runsOnce(path.join(root, f))));
  const bothRuns = files.filter((f) => !once.has(f));
  const results: RunResult[] = [];
  const extraEnv = fuzz?.env ?? {};
  const timeoutMs = fuzz?.timeoutMs;
  if (only === null || only === "sqlite") results.push(await runSuite("sqlite", files, extraEnv, timeoutMs));
  const postgresFiles = results.length ? bothRuns : files;
  if (results.length && once.size && only === null) {
    process.stdout.write(`\n${once.size} test file${once.size === 1 ? "" : "s"} marked "skein-test: once" (no database) ran on SQLite only\n`);
  }

  if ((only === null || only === "postgres") && postgresFiles.length) {
    let cluster: PostgresCluster | null = null;
    let url = process.env.SKEIN_TEST_POSTGRES_URL ?? "";
    if (!url) {
      const bin = findPostgresBin();
      if (bin) {
        cluster = await startPostgresCluster(bin);
        url = cluster.url;
      } else if (process.env.CI || only === "postgres") {
        process.stderr.write("skein test: PostgreSQL is not installed (apt-get install postgresql), and SKEIN_TEST_POSTGRES_URL is not set\n");
        results.push({ database: "postgres", passed: 0, failed: 1, exitCode: 1, failures: ["PostgreSQL is not installed"] });
      } else {
        process.stderr.write("skein test: PostgreSQL not found; running on SQLite only (install postgresql to test both)\n");
      }
    }
    if (url) {
      const stopCluster = () => cluster?.stop();
      process.once("SIGINT", () => void stopCluster()?.finally(() => process.exit(130)));
      try {
        results.push(await runSuite("postgres", postgresFiles, { ...extraEnv, SKEIN_TEST_POSTGRES_URL: url }, timeoutMs));
      } finally {
        await stopCluster();
      }
    }
  }

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  process.stdout.write("\n");
  for (const r of results) process.stdout.write(`${r.database}: ${r.passed} passed, ${r.failed} failed\n`);
  process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
  for (const r of results) {
    if (r.failures.length) process.stdout.write(`\nfailed on ${r.database}:\n${r.failures.map((f) => `  ${f}`).join("\n")}\n`);
  }
  return failed === 0 && results.every((r) => r.exitCode === 0) ? 0 : 1;
}
