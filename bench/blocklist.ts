// `./skein bench blocklist`: what a 10,000-domain blocklist costs. Generates a Mastodon CSV of
// N domains (most suspended, some silenced, some rejecting media, with comments) and measures,
// each on a fresh database and repeated --runs times (medians reported):
//
//   baseline    `./skein blocklist subscriptions` on the empty database: what any command costs
//   import      `./skein blocklist import FILE` as its own process: wall time and peak RSS
//   subscribe   `./skein blocklist subscribe URL` of the same list served on loopback (the
//               first refresh: fetch, parse, merge, N creates), then a refresh after 1% of
//               the list changed, then one answered 304
//   decide      DomainPolicy.decide() in-process with N blocks loaded: a blocked host, a
//               subdomain of one, an unblocked host (ns per call)
//   inbox POST  a real server with N blocks, POSTs to /inbox signed with a key of a blocked
//               host: status, round trip and the server's CPU time per request (from /proc)
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime } from "../src/server/context.ts";
import { percentile, processUsage, round } from "./measure.ts";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "src/cli/main.ts");

export interface BlocklistBenchOptions {
  database: "sqlite" | "postgres";
  domains: number;
  runs: number;
  requests: number;
  json: string | null;
}

/** A Mastodon CSV of `count` domains: 80% suspend, 20% silence, every 10th rejecting media. */
export function generateList(count: number, salt = ""): string {
  const lines = ["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"];
  for (let i = 0; i < count; i++) {
    const severity = i % 5 === 4 ? "silence" : "suspend";
    lines.push(`bad-${i}${salt}.example,${severity},${i % 10 === 0},false,"spam, harassment (#${i})",${i % 50 === 0}`);
  }
  return lines.join("\n") + "\n";
}

interface Measured {
  wallMs: number;
  peakRssMb: number;
  stdout: string;
}

/** Runs `./skein ARGS` and samples its peak RSS (VmHWM is a high-water mark: the last sample holds the peak). */
function runCli(args: string[], env: Record<string, string>): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setInterval(() => {
      try {
        peak = Math.max(peak, processUsage(child.pid!).peakRssMb);
      } catch {
        /* exited */
      }
    }, 10);
    child.once("exit", (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`./skein ${args.join(" ")} failed (${code}): ${stderr}${stdout}`));
      resolve({ wallMs, peakRssMb: peak, stdout });
    });
  });
}

const median = (values: number[]) => round(percentile([...values].sort((a, b) => a - b), 50));

export async function blocklistBench(options: BlocklistBenchOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-blocklist-"));
  const file = path.join(work, "list.csv");
  const text = generateList(options.domains);
  fs.writeFileSync(file, text);
  log(`list: ${options.domains} domains, ${(text.length / 1024).toFixed(0)} KiB; ${options.runs} runs on ${options.database}`);

  // The list's server: the same file, with an ETag; /changed is the list after 1% of it changed.
  const changed = generateList(options.domains - Math.ceil(options.domains / 100)) + generateList(Math.ceil(options.domains / 100), "-new").split("\n").slice(1).join("\n");
  const lists = http.createServer((req, res) => {
    const body = req.url === "/changed.csv" ? changed : text;
    const etag = req.url === "/changed.csv" ? '"changed"' : '"v1"';
    if (req.headers["if-none-match"] === etag) return res.writeHead(304).end();
    res.writeHead(200, { "content-type": "text/csv", etag }).end(body);
  });
  await new Promise<void>((resolve) => lists.listen(0, "127.0.0.1", resolve));
  const listsUrl = `http://127.0.0.1:${(lists.address() as AddressInfo).port}`;

  let cluster: PostgresCluster | null = null;
  let adminUrl: string | null = null;
  if (options.database === "postgres") {
    ({ url: adminUrl, cluster } = await benchPostgres());
  }
  /** A fresh, empty database (SQLite file or PostgreSQL database) for one measurement. */
  let counter = 0;
  const freshEnv = async (): Promise<Record<string, string>> => {
    const dataDir = path.join(work, `db-${++counter}`);
    fs.mkdirSync(dataDir);
    // SKEIN_ENV=test: the list's server is on loopback, which production refuses to fetch from.
    const env: Record<string, string> = { DATA_DIR: dataDir, LOCAL_DOMAIN: "bench.test", LOG_LEVEL: "error", SKEIN_ENV: "test" };
    if (adminUrl) {
      const name = `skein_bench_blocklist_${process.pid}_${counter}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
    }
    await runCli(["migrate"], env);
    return env;
  };

  const runs: Record<string, number[]> = {};
  const add = (name: string, value: number) => (runs[name] ??= []).push(value);
  let inbox: Record<string, unknown> = {};
  try {
    for (let run = 1; run <= options.runs; run++) {
      const importEnv = await freshEnv();
      // What any command costs before it does anything (Node, the code, the database opened).
      const baseline = await runCli(["blocklist", "subscriptions"], importEnv);
      add("baselineCommandWallMs", baseline.wallMs);
      add("baselineCommandPeakRssMb", baseline.peakRssMb);
      const imported = await runCli(["blocklist", "import", file], importEnv);
      add("importWallMs", imported.wallMs);
      add("importPeakRssMb", imported.peakRssMb);
      const created = /(\d+) created/.exec(imported.stdout)?.[1];
      log(`run ${run}: import ${round(imported.wallMs)} ms, peak RSS ${round(imported.peakRssMb)} MB (${created} created)`);

      const subEnv = await freshEnv();
      const subscribed = await runCli(["blocklist", "subscribe", `${listsUrl}/list.csv`, "--format", "csv", "--silence", "--remove-retracted"], subEnv);
      if (!/\d+ entries, \d+ changes/.test(subscribed.stdout)) throw new Error(`the subscription did not apply: ${subscribed.stdout}`);
      add("subscribeWallMs", subscribed.wallMs);
      add("subscribePeakRssMb", subscribed.peakRssMb);
      const id = /subscription (\d+)\)/.exec(subscribed.stdout)![1];
      const notModified = await runCli(["blocklist", "refresh", id], subEnv);
      add("refresh304WallMs", notModified.wallMs);
      // The same subscription, pointed at the changed list (a day's edits): edit its URL in place.
      const url = `${listsUrl}/changed.csv`;
      await retarget(subEnv, id, url);
      const delta = await runCli(["blocklist", "refresh", id], subEnv);
      add("refreshDeltaWallMs", delta.wallMs);
      log(`run ${run}: subscribe ${round(subscribed.wallMs)} ms (peak ${round(subscribed.peakRssMb)} MB), 304 refresh ${round(notModified.wallMs)} ms, 1% changed ${round(delta.wallMs)} ms: ${delta.stdout.trim()}`);

      const decide = await decideTimes(importEnv, options.domains);
      for (const [name, ns] of Object.entries(decide)) add(`decideNs_${name}`, ns);
      log(`run ${run}: decide() ${JSON.stringify(decide)} ns per call`);
      if (run === options.runs) inbox = await inboxPosts(importEnv, options.requests, log);
    }
  } finally {
    lists.close();
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const figures = Object.fromEntries(Object.entries(runs).map(([name, values]) => [name, median(values)]));
  const report = { benchmark: "blocklist", database: options.database, domains: options.domains, runs: options.runs, medians: figures, all: runs, inboxPost: inbox };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (options.json) fs.writeFileSync(options.json, JSON.stringify(report, null, 2));
  return report;
}

/** Points a subscription at another URL (the benchmark's stand-in for a list that changed). */
async function retarget(env: Record<string, string>, id: string, url: string): Promise<void> {
  const runtime = await openRuntime(loadConfig(env));
  try {
    await runtime.stores.blocklists.updateSubscription(id, { url, etag: null, last_modified: null });
  } finally {
    await runtime.close();
  }
}

/** decide() per call, in ns, with the database's blocks loaded into the policy. */
async function decideTimes(env: Record<string, string>, domains: number): Promise<Record<string, number>> {
  const runtime = await openRuntime(loadConfig(env));
  try {
    const policy = await runtime.services.moderation.policy.fresh();
    if (policy.size.blocks < domains * 0.9) throw new Error(`only ${policy.size.blocks} blocks loaded`);
    // Multiples of 5 are suspensions (generateList); the last of them, and one in the middle.
    const hosts = { blocked: `bad-${Math.floor((domains - 1) / 5) * 5}.example`, subdomain: `deep.sub.bad-${Math.floor(domains / 10) * 5}.example`, unblocked: "friendly.example" };
    const out: Record<string, number> = {};
    for (const [name, host] of Object.entries(hosts)) {
      const iterations = 200_000;
      for (let i = 0; i < 10_000; i++) policy.decide(host);
      const started = process.hrtime.bigint();
      let refused = 0;
      for (let i = 0; i < iterations; i++) if (!policy.decide(host).federates) refused++;
      out[name] = round(Number(process.hrtime.bigint() - started) / iterations);
      if ((name === "unblocked") !== (refused === 0)) throw new Error(`decide(${host}) is wrong`);
    }
    return out;
  } finally {
    await runtime.close();
  }
}

/** POSTs signed with a blocked host's key to a real server holding the blocks. */
async function inboxPosts(env: Record<string, string>, requests: number, log: (line: string) => void): Promise<Record<string, unknown>> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverEnv = { ...env, PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` };
  const spawnedAt = performance.now();
  const server = spawn(process.execPath, [cli, "start"], { cwd: root, env: { ...process.env, ...serverEnv }, stdio: ["ignore", "inherit", "inherit"] });
  try {
    for (let i = 0; !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); i++) {
      if (server.exitCode !== null || i > 600) throw new Error("the server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    // The import queued a purge job per new suspension; the server runs them first, and the
    // measurement waits for them so that their work is not counted as the inbox's.
    await drained(env);
    const purgeDrainMs = round(performance.now() - spawnedAt);
    log(`the purge jobs of the suspensions were done ${purgeDrainMs} ms after the server was started`);
    const blocked = "bad-1.example";
    const body = JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `https://${blocked}/activities/1`, type: "Create", actor: `https://${blocked}/users/spammer`, object: { type: "Note", content: "spam" } });
    const headers = {
      "content-type": "application/activity+json",
      date: new Date().toUTCString(),
      signature: `keyId="https://${blocked}/users/spammer#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2lnbmF0dXJl"`,
    };
    const post = async () => {
      const response = await fetch(`${url}/inbox`, { method: "POST", headers, body });
      await response.arrayBuffer();
      return response.status;
    };
    for (let i = 0; i < 50; i++) await post(); // warm up
    const before = processUsage(server.pid!);
    const times: number[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      statuses.add(await post());
      times.push(performance.now() - started);
    }
    const after = processUsage(server.pid!);
    times.sort((a, b) => a - b);
    const result = {
      statuses: [...statuses],
      requests,
      roundTripMs: { median: round(percentile(times, 50), 3), p99: round(percentile(times, 99), 3) },
      serverCpuMsPerRequest: round(((after.cpuSeconds - before.cpuSeconds) * 1000) / requests, 3),
      purgeJobsDoneMsAfterStart: purgeDrainMs,
    };
    log(`inbox POST from ${blocked}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

/** Waits until the moderation queue is empty (at most 10 minutes). */
async function drained(env: Record<string, string>): Promise<void> {
  const runtime = await openRuntime(loadConfig(env));
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const row = await runtime.database.db.selectFrom("jobs").select((eb) => eb.fn.countAll().as("n")).where("queue", "=", "moderation").executeTakeFirst();
      if (Number(row?.n ?? 0) === 0) return;
      if (Date.now() > deadline) throw new Error(`${row?.n} moderation jobs still queued after 10 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await runtime.close();
  }
}
