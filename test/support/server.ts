// Starts real Skein server processes for end-to-end tests, on a free loopback port, against a
// fresh database of the suite's kind (SKEIN_TEST_DATABASE): a new SQLite DATA_DIR, or a new
// PostgreSQL database created on the suite's cluster. Servers stop when the test process ends.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { freePort } from "./postgres-cluster.ts";
import { NO_DATABASE } from "./run-once.ts";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "src/cli/main.ts");

export const databaseKind = (process.env.SKEIN_TEST_DATABASE ?? "sqlite") as "sqlite" | "postgres";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  /** Base URL clients use, e.g. http://127.0.0.1:43121 */
  url: string;
  /** The server process's id (for watching its memory in /proc). */
  pid: number;
  env: Record<string, string>;
  /** Runs `./skein ARGS` against this server's configuration. */
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Creates a local account (as `./skein accounts create` does); returns its generated password. */
  createAccount(username: string, options?: { admin?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * A fresh database for one server; returns its env and a cleanup. Empty, or with `migrated` a
 * copy of the suite's migrated template when `./skein test` made one (SKEIN_TEST_TEMPLATE): a
 * server then starts without running every migration again, which the suite would otherwise
 * pay for each of its hundred-odd servers. Starting from empty is the same schema, only slower.
 */
export async function freshDatabase(
  options: { migrated?: boolean; kind?: "sqlite" | "postgres"; postgresUrl?: string } = {},
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (process.env.SKEIN_TEST_DATABASE === NO_DATABASE) {
    throw new Error(`${path.relative(root, process.argv[1] ?? "")} is marked "// skein-test: once" (it uses no database) but asked for one: remove the mark, and it runs on both databases`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-test-"));
  const template = options.migrated ? process.env.SKEIN_TEST_TEMPLATE : undefined;
  if ((options.kind ?? databaseKind) === "sqlite") {
    if (template) fs.copyFileSync(template, path.join(dataDir, "skein.sqlite"));
    return { env: { DATA_DIR: dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = options.postgresUrl ?? process.env.SKEIN_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error("SKEIN_TEST_DATABASE=postgres needs SKEIN_TEST_POSTGRES_URL (./skein test sets it)");
  const name = `skein_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // PostgreSQL 15 copies a template through its write-ahead log by default, block by block; a
  // plain file copy of the 11 MB template took half the time and CPU (both databases dropped after).
  const fileCopy = template && Number((await admin.query("show server_version_num")).rows[0].server_version_num) >= 150000;
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}${fileCopy ? " STRATEGY FILE_COPY" : ""}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    drop: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * `sameDatabaseAs`: another process of that server (PostgreSQL only: same database and
 * LOCAL_DOMAIN, its own port); stopping it leaves the database to the first one.
 */
export async function startServer(options: { env?: Record<string, string>; sameDatabaseAs?: TestServer; url?: string } = {}): Promise<TestServer> {
  const shared = options.sameDatabaseAs?.env;
  const database = shared
    ? { env: { DATA_DIR: shared.DATA_DIR, ...(shared.DATABASE_URL ? { DATABASE_URL: shared.DATABASE_URL } : {}) }, drop: async () => {} }
    : await freshDatabase({ migrated: true });
  const port = await freePort();
  const env: Record<string, string> = {
    ...database.env,
    PORT: String(port),
    BIND: "127.0.0.1",
    LOCAL_DOMAIN: shared?.LOCAL_DOMAIN ?? `127.0.0.1:${port}`,
    LOG_LEVEL: "warning",
    SKEIN_ENV: "test",
    SKEIN_STOP_ON_STDIN_CLOSE: "1",
    ...options.env,
  };
  const child = spawn(process.execPath, [cli, "start"], { cwd: root, env: { ...process.env, ...env }, stdio: ["pipe", "inherit", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  // Servers of a test federation are reached by name over HTTPS (see federation-fleet.ts).
  const url = options.url ?? `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`The server did not answer within 60 s: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const cliWithEnv = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { ...env, ...extraEnv });
  return {
    url,
    pid: child.pid!,
    env,
    cli: cliWithEnv,
    // Loaded on first use: only test files that make accounts pay for loading Skein's domain.
    createAccount: async (username, opts = {}) => (await import("./accounts.ts")).createLocalAccount(env, username, opts.admin ? "admin" : "user"),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        // Unref'd: a timer still pending kept the test file's process alive 10 s after its last
        // test, holding one of the run's concurrent slots while doing nothing.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      running.delete(child);
      await database.drop();
    },
  };
}
