// A throwaway PostgreSQL server for the test suite: initdb into a temporary folder, run
// `postgres` on a free loopback port as a plain child process, delete everything afterwards.
// Uses Debian's binaries (/usr/lib/postgresql/N/bin); as root they run as the postgres user.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";

export interface PostgresCluster {
  url: string;
  stop(): Promise<void>;
}

export function findPostgresBin(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  try {
    const versions = fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    /* not a Debian layout */
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) candidates.push(dir);
  return candidates.find((dir) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "postgres"))) ?? null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `keepIn`: a folder the cluster lives in and is left in when stopped (a benchmark's seeded data,
 * reused by the next run: initdb only when the folder holds no cluster yet); a temporary folder,
 * deleted on stop, otherwise. `settings`: a benchmark's own server settings over the suite's
 * (`{ shared_buffers: "1GB" }`).
 */
export async function startPostgresCluster(bin: string, keepIn?: string, settings: Record<string, string> = {}): Promise<PostgresCluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = keepIn ? path.resolve(keepIn) : fs.mkdtempSync(path.join(os.tmpdir(), "skein-pg-"));
  const dataDir = path.join(dir, "data");
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  if (fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  if (asRoot) spawnSync("chown", ["-R", "postgres:postgres", dir]);
  // initdb refuses to run as root: as root, run the server as the postgres user.
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((p) => fs.existsSync(p)) ?? "runuser";
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asRoot ? [runuser, ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]);

  const [initCmd, initArgs] = wrap(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]);
  const init = fresh ? spawnSync(initCmd, initArgs, { encoding: "utf8" }) : { status: 0, error: undefined, stderr: "", stdout: "" };
  if (init.status !== 0) throw new Error(`initdb failed: ${init.error?.message ?? (init.stderr || init.stdout)}`);

  const port = await freePort();
  const [pgCmd, pgArgs] = wrap(path.join(bin, "postgres"), [
    "-D", dataDir, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
    // A test database need not survive a power cut.
    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    // Four test files at once, each with a few servers of 14 connections (README, "PostgreSQL").
    "-c", "max_connections=500", "-c", "shared_buffers=128MB",
    // The last of a setting given twice is the one the server takes.
    ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
  ]);
  // Its own process group, so signals reach postgres itself and not only runuser (which does not
  // pass them on): the server then shuts down at once instead of outliving the suite.
  const child: ChildProcess = spawn(pgCmd, pgArgs, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      child.kill(name);
    }
  };
  let log = "";
  child.stderr!.on("data", (d) => (log = (log + d).slice(-4000)));

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      signal("SIGKILL");
      if (!keepIn) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Give the server a moment past the socket opening to finish recovery.
  await new Promise((r) => setTimeout(r, 300));

  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        signal("SIGINT");
        // Unref'd: a timer still pending kept `./skein test` alive 10 s after its last line.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
        if (child.exitCode === null) signal("SIGKILL");
      }
      if (!keepIn) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * The PostgreSQL a benchmark uses: DATABASE_URL when it names one, else a throw-away cluster
 * from the installed binaries, or one kept in `keepIn` between runs (the caller stops `cluster`
 * when done).
 */
export async function benchPostgres(keepIn?: string, settings: Record<string, string> = {}): Promise<{ url: string; cluster: PostgresCluster | null }> {
  if (process.env.DATABASE_URL?.startsWith("postgres")) return { url: process.env.DATABASE_URL, cluster: null };
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed; set DATABASE_URL or install postgresql");
  const cluster = await startPostgresCluster(bin, keepIn, settings);
  return { url: cluster.url, cluster };
}
