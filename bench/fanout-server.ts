// The server a fan-out benchmark measures: `./skein start`, or `./skein web` plus workers, as
// child processes, and what /proc and /metrics say about them and their PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { skeinCommand } from "./bench-server.ts";

const root = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of a PostgreSQL cluster (postmaster, its children, and the children it reaped), found by port. */
export function postgresCpuSeconds(port: number): number | null {
  const stats: { pid: number; ppid: number; ticks: number; childTicks: number }[] = [];
  let postmaster: number | null = null;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      stats.push({ pid: Number(entry), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) });
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (path.basename(cmd[0]) === "postgres" && cmd.includes("-p") && cmd[cmd.indexOf("-p") + 1] === String(port)) postmaster = Number(entry);
    } catch {
      /* gone */
    }
  }
  if (postmaster === null) return null;
  let ticks = 0;
  for (const s of stats) {
    if (s.pid === postmaster) ticks += s.ticks + s.childTicks;
    else if (s.ppid === postmaster) ticks += s.ticks;
  }
  return ticks / 100;
}

/** What the server's /metrics says about its queues (all but parked `dead:` ones) and its delivery engine. */
export interface ServerSample {
  pending: number;
  oldestReadySeconds: number;
  /** Jobs pending per queue (ready, running or delayed). */
  pendingByQueue: Record<string, number>;
  /** The delivery engine: deliveries in flight and waiting for their host, hosts in flight, connections open. */
  inFlight: number;
  waiting: number;
  hostsInFlight: number;
  connections: number;
  /** API requests being handled and waiting at the request gate. */
  apiRunning: number;
  apiWaiting: number;
}

export async function queueMetrics(url: string): Promise<ServerSample | null> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    let pending = 0;
    let oldest = 0;
    const pendingByQueue: Record<string, number> = {};
    for (const m of text.matchAll(/^skein_queue_(ready|running|delayed)_jobs\{queue="([^"]*)"\} (\S+)$/gm)) {
      if (m[2].startsWith("dead:")) continue;
      pending += Number(m[3]);
      pendingByQueue[m[2]] = (pendingByQueue[m[2]] ?? 0) + Number(m[3]);
    }
    for (const m of text.matchAll(/^skein_queue_oldest_ready_seconds\{queue="([^"]*)"\} (\S+)$/gm)) if (!m[1].startsWith("dead:")) oldest = Math.max(oldest, Number(m[2]));
    const gauge = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0);
    return {
      pending,
      oldestReadySeconds: oldest,
      pendingByQueue,
      inFlight: gauge(/^skein_delivery_held\{state="in_flight"\} (\S+)$/gm),
      waiting: gauge(/^skein_delivery_held\{state="waiting"\} (\S+)$/gm),
      hostsInFlight: gauge(/^skein_delivery_hosts_in_flight(?:\{\})? (\S+)$/gm),
      connections: gauge(/^skein_delivery_open_connections\{[^}]*\} (\S+)$/gm),
      apiRunning: gauge(/^skein_http_requests_running\{lane="api"\} (\S+)$/gm),
      apiWaiting: gauge(/^skein_http_requests_waiting\{lane="api"\} (\S+)$/gm),
    };
  } catch {
    return null;
  }
}

/**
 * Waits until the server's sending threads have no connection open (/metrics), as after a post's
 * deliveries once idle keep-alive has closed them; how long that took (ms), or null at `timeoutMs`.
 */
export async function connectionsClosed(url: string, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text(), () => null);
    const open = text === null ? null : [...text.matchAll(/^skein_delivery_open_connections\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    if (open === 0) return Date.now() - started;
    await sleep(250);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The server under test.

export interface Skein {
  url: string;
  /** Every process of the server: one `start`, or one `web` and the `worker`s. */
  pids: number[];
  kill(): Promise<void>;
  stop(): Promise<void>;
}

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnRole(role: "start" | "web" | "worker", env: Record<string, string>, logFile: string, cpuProfDir: string | null): Started {
  // Through the wrapper, with the Node flags production runs with (young generation, malloc arenas, …).
  const { command, args, env: extra } = skeinCommand(role, { wrapper: true, nodeArgs: cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [] });
  const out = fs.openSync(logFile, "a");
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env, ...extra, SKEIN_STOP_ON_STDIN_CLOSE: "1" },
    stdio: ["pipe", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
  return { child, exited };
}

async function waitUntil(ready: () => Promise<boolean> | boolean, child: ChildProcess, what: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within 60 s; see ${logFile}`);
    if (await ready()) return;
    await sleep(100);
  }
}

/**
 * The server: `./skein start` (all in one process), or with `workers` > 0 the scaled layout —
 * `./skein web` for the API and that many `./skein worker` processes for the deliveries.
 */
export async function startSkein(env: Record<string, string>, logFile: string, cpuProfDir: string | null, workers: number): Promise<Skein> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const processes: Started[] = [];
  const web = spawnRole(workers > 0 ? "web" : "start", env, logFile, cpuProfDir);
  processes.push(web);
  await waitUntil(() => fetch(`${url}/health`).then((r) => r.ok, () => false), web.child, "the server", logFile);
  for (let i = 0; i < workers; i++) {
    const workerLog = `${logFile}.worker-${i + 1}`;
    const worker = spawnRole("worker", { ...env, LOG_LEVEL: "info" }, workerLog, cpuProfDir);
    processes.push(worker);
    await waitUntil(() => fs.existsSync(workerLog) && fs.readFileSync(workerLog, "utf8").includes("worker running"), worker.child, `worker ${i + 1}`, workerLog);
  }
  const end = async (graceMs: number) => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
    await Promise.race([Promise.all(processes.map((p) => p.exited)), sleep(graceMs)]);
    for (const p of processes) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
  };
  return {
    url,
    pids: processes.map((p) => p.child.pid!),
    kill: () => end(0),
    // A graceful stop waits for running deliveries (a hung host holds one until its timeout);
    // the database is thrown away, so only a CPU profile (written on exit) is worth waiting for.
    stop: () => end(cpuProfDir ? 30_000 : 3_000),
  };
}
