// `./skein bench fanout`: how fast and how safely a post reaches its remote followers' servers.
// A real server process (`./skein start`, SKEIN_ENV=test) delivers to a simulated fleet of remote
// instances (bench/fleet/: a separate process serving d1.fleet.test … dN.fleet.test over HTTPS on
// loopback, verifying every delivery's HTTP signature). Every workload gets a fresh database,
// seeded in bulk (bench/fanout-seed.ts), and is measured from the fleet's records: what arrived
// where and when, valid or not, once or more. Nothing here depends on how the server delivers,
// so the same benchmark compares delivery engines.
//
// Workloads:
//   celebrity  one post by an account with F followers over D domains (Zipf); time from the API's
//              response to the last delivery, deliveries/s, per-delivery latency
//   celebrity-again  the same post twice: the second one's figures, sent once the first's
//              connections have closed, so each reconnects, resuming the fleet's TLS session
//              if the server kept it (tls_resumed_share); the first's under first_post
//   poisoned   the same with a share of the domains bad (hang / 500 / 429 + Retry-After); how
//              long the healthy ones take, against the clean run
//   crash      posts making a backlog of ≥ N deliveries; the server is killed with SIGKILL
//              mid-drain and restarted; deliveries lost and duplicated
//   sustained  R posts/s for S seconds by many accounts (200 followers over 100 domains each);
//              the age of the oldest pending delivery over time
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime } from "../src/server/context.ts";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { percentile, processUsage, resetPeakRss, round } from "./measure.ts";
import { seedFanout, type Sender } from "./fanout-seed.ts";
import { startFleetProcess, type FleetProcess, type FleetStats } from "./fleet/client.ts";
import type { Behaviour } from "./fleet/server.ts";
import { ensureFleetTls, FLEET_DOMAIN } from "./fleet/tls.ts";
import { summarizeCpuProfile } from "./cpuprofile.ts";
import { printTable, rsaSignsPerSecond, workloadResult } from "./fanout-report.ts";
import { connectionsClosed, postgresCpuSeconds, queueMetrics, startSkein, type ServerSample, type Skein } from "./fanout-server.ts";
import { Deliveries, waitFor } from "./fanout-deliveries.ts";


export const WORKLOADS = ["celebrity", "celebrity-again", "poisoned", "crash", "sustained"] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface FanoutBenchOptions {
  database: "sqlite" | "postgres";
  workloads: Workload[];
  followers: number;
  domains: number;
  /** Zipf exponent of followers per domain. */
  zipf: number;
  poisonedShare: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** crash: at least this many deliveries queued, and the share delivered when the server is killed. */
  crashDeliveries: number;
  crashKillAt: number;
  /** sustained: posts per second, for how long, by how many accounts (each 200 followers over 100 domains). */
  sustainedRate: number;
  sustainedSeconds: number;
  sustainedAccounts: number;
  sustainedFollowers: number;
  sustainedDomains: number;
  /** The fleet checks every Nth delivery's signature with Fedify's verifyRequest too (0: never). */
  crossCheckEvery: number;
  /** sustained: how long to keep watching the backlog drain after the posting stops. */
  sustainedDrainSeconds: number;
  /** The longest any workload waits for its deliveries (after the posting). */
  timeoutSeconds: number;
  /** Where databases, logs and the fleet's certificates go (default bench-data/). */
  dataDir: string;
  json: string | null;
  /** 0: one `./skein start`; N: `./skein web` and N `./skein worker` processes (PostgreSQL only). */
  workers: number;
  /** Run the server with --cpu-prof, profiles in this directory, and print where its time went. */
  cpuProf: string | null;
  /** A workload whose server process peaks above this (MB of 1024² bytes) fails the run (default: MEMORY_TARGET). */
  memoryBudgetMb: number;
}

export type WorkloadResult = Record<string, unknown> & { workload: Workload; database: string; lost: number | null; duplicated: number };

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, token: string, text: string): Promise<{ uri: string; respondedAt: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1/statuses`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status: text, visibility: "public" }),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await response.json()) as { uri?: string };
  const respondedAt = Date.now();
  if (!response.ok || !body.uri) throw new Error(`POST /api/v1/statuses: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  return { uri: body.uri, respondedAt, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------

interface Context {
  options: FanoutBenchOptions;
  fleet: FleetProcess;
  rsa: number;
  adminUrl: string | null;
  results: WorkloadResult[];
}

/** A fresh database, seeded; the server's environment; and a way to clean up. */
async function prepare(ctx: Context, workload: Workload, seedPlan: Parameters<typeof seedFanout>[1]) {
  const { options } = ctx;
  const dataDir = path.join(options.dataDir, `fanout-${options.database}-${workload}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    BIND: "127.0.0.1",
    LOCAL_DOMAIN: `127.0.0.1:${port}`,
    LOG_LEVEL: "error",
    SKEIN_ENV: "test",
    SKEIN_TEST_HOSTS: `*.${FLEET_DOMAIN}=127.0.0.1`,
    NODE_EXTRA_CA_CERTS: path.join(options.dataDir, "fleet-tls", "ca.crt"),
  };
  let dropDatabase = async () => {};
  if (options.database === "postgres") {
    const name = `bench_fanout_${workload.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ctx.adminUrl! });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(ctx.adminUrl!);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: ctx.adminUrl! });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const started = performance.now();
  const runtime = await openRuntime(loadConfig(env));
  let seeded;
  try {
    seeded = await seedFanout(runtime, seedPlan, (line) => log(`  ${line}`));
  } finally {
    await runtime.close();
  }
  log(`  seeded in ${round((performance.now() - started) / 1000)} s`);
  const cpuProfDir = options.cpuProf ? path.resolve(options.cpuProf, `${options.database}-${workload}`) : null;
  if (cpuProfDir) fs.rmSync(cpuProfDir, { recursive: true, force: true });
  return {
    env,
    seeded,
    logFile: path.join(dataDir, "server.log"),
    cpuProfDir,
    start: () => startSkein(env, path.join(dataDir, "server.log"), cpuProfDir, options.workers),
    /** Drops the database; the server's logs are kept beside it as fanout-DB-WORKLOAD.server.log(.worker-N). */
    cleanUp: async () => {
      await dropDatabase();
      for (const name of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []) {
        if (name.startsWith("server.log")) fs.renameSync(path.join(dataDir, name), `${dataDir}.${name}`);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function usageOf(ctx: Context, server: Skein, env: Record<string, string>) {
  const dbPort = env.DATABASE_URL ? Number(new URL(env.DATABASE_URL).port) : null;
  // Over all the server's processes: CPU summed, peak memory as the sum of each one's peak.
  const serverUsage = () =>
    server.pids.map((pid) => processUsage(pid)).reduce((a, b) => ({ cpuSeconds: a.cpuSeconds + b.cpuSeconds, peakRssMb: a.peakRssMb + b.peakRssMb, peakRssMbOneProcess: Math.max(a.peakRssMbOneProcess, b.peakRssMb) }), { cpuSeconds: 0, peakRssMb: 0, peakRssMbOneProcess: 0 });
  const server0 = serverUsage();
  const fleet0 = processUsage(ctx.fleet.pid);
  const db0 = dbPort ? postgresCpuSeconds(dbPort) : null;
  return () => {
    const s = serverUsage();
    const db1 = dbPort ? postgresCpuSeconds(dbPort) : null;
    return {
      serverCpu: s.cpuSeconds - server0.cpuSeconds,
      serverRss: s.peakRssMb,
      serverRssOneProcess: s.peakRssMbOneProcess,
      databaseCpu: db0 !== null && db1 !== null ? db1 - db0 : null,
      fleetCpu: processUsage(ctx.fleet.pid).cpuSeconds - fleet0.cpuSeconds,
    };
  };
}

function fleetSettings(options: FanoutBenchOptions) {
  return { latencyP50Ms: options.latencyP50Ms, latencyP99Ms: options.latencyP99Ms, crossCheckEvery: options.crossCheckEvery };
}

/** The fleet's figures once its sampled Fedify checks have finished (a few seconds at most). */
async function settledStats(fleet: FleetProcess): Promise<FleetStats> {
  for (let i = 0; ; i++) {
    const stats = await fleet.stats();
    if (stats.crossCheck.pending === 0 || i >= 40) return stats;
    await sleep(250);
  }
}

/** Fetches each sender's actor once, as any server would before trusting its posts: keys made on first use are made now. */
async function warmUp(url: string, senders: Sender[]): Promise<void> {
  for (const sender of senders) {
    await fetch(`${url}/users/${sender.username}`, { headers: { Accept: "application/activity+json" }, signal: AbortSignal.timeout(30_000) }).then((r) => r.arrayBuffer());
  }
}

function poisonedDomains(domains: string[], share: number): Record<string, Behaviour> {
  const kinds: Behaviour[] = ["hang", "error", "throttle"];
  const count = Math.round(domains.length * share);
  // Every k-th domain from a fixed offset: big and small instances alike, the same in every run.
  const behaviours: Record<string, Behaviour> = {};
  const step = domains.length / Math.max(1, count);
  for (let i = 0; i < count; i++) behaviours[domains[Math.floor(i * step + step / 2) % domains.length]] = kinds[i % kinds.length];
  return behaviours;
}

async function onePost(ctx: Context, workload: "celebrity" | "poisoned" | "celebrity-again"): Promise<WorkloadResult> {
  const { options, fleet } = ctx;
  const domains = Math.min(options.domains, options.followers);
  const run = await prepare(ctx, workload, { fleetPort: fleet.port, celebrity: { followers: options.followers, domains, zipf: options.zipf } });
  const celebrity = run.seeded.celebrity!;
  const behaviours = workload === "poisoned" ? poisonedDomains(celebrity.domains, options.poisonedShare) : {};
  const healthy = celebrity.domains.filter((d) => !behaviours[d]);
  await fleet.reset({ behaviours, ...fleetSettings(options) });
  const server = await run.start();
  try {
    await warmUp(server.url, [celebrity]);
    /** One post to every domain, measured from its API response to its last delivery. */
    const measurePost = async (text: string, from: number) => {
      const deliveries = new Deliveries(fleet, from);
      const tls0 = await fleet.stats();
      const usage = usageOf(ctx, server, run.env);
      const { uri, respondedAt, ms } = await post(server.url, celebrity.token, text);
      log(`  posted (API ${round(ms)} ms); waiting for ${healthy.length} healthy domains${workload === "poisoned" ? ` (${Object.keys(behaviours).length} poisoned)` : ""}`);
      deliveries.expect(uri, healthy, respondedAt);
      const outcome = await waitFor(deliveries, () => deliveries.undelivered === 0, { timeoutMs: options.timeoutSeconds * 1000 });
      const used = usage();
      const stats = await settledStats(fleet);
      const result = workloadResult(ctx.options, ctx.rsa, workload, deliveries, stats, {
        domains,
        startedAt: respondedAt,
        ...used,
        complete: outcome === "done",
        lost: outcome === "done" ? 0 : null,
        tls: { handshakes: stats.tlsHandshakes - tls0.tlsHandshakes, resumed: stats.tlsResumed - tls0.tlsResumed },
      });
      result.followers = options.followers;
      result.api_ms = round(ms);
      if (outcome !== "done") result.undelivered = deliveries.undelivered;
      return { result, deliveries, postedAt: respondedAt, done: outcome === "done" };
    };
    const first = await measurePost(`Hello, ${domains} instances`, 0);
    if (workload !== "celebrity-again" || !first.done) {
      if (workload === "celebrity-again") first.result.error = "the first post did not reach every domain";
      if (workload === "poisoned") poisonedFigures(ctx, first.result, first.deliveries, behaviours);
      return first.result;
    }
    // celebrity-again: the same post once more to the same domains, once the first's connections
    // have all closed (idle keep-alive): every delivery opens a connection again, which resumes
    // the TLS session the fleet issued the first time if the server kept it.
    const closedAfter = await connectionsClosed(server.url, 60_000);
    // Separate workers' connections are not in the web process's /metrics: wait out the longest keep-alive (4 s).
    if (options.workers > 0) await sleep(5_000);
    // The peak RSS measured is the second post's own (Linux: clear_refs 5 resets VmHWM).
    const peakReset = server.pids.every((pid) => resetPeakRss(pid));
    const firstDone = first.deliveries.summary().last;
    const second = await measurePost(`Hello again, ${domains} instances`, first.deliveries.seen);
    const f = first.result;
    Object.assign(second.result, {
      seconds_since_first_posts_last_delivery: round((second.postedAt - firstDone) / 1000, 1),
      // How long the first post's connections took to close after its last delivery was seen (null: some stayed open 60 s).
      seconds_waited_for_connections_to_close: closedAfter === null ? null : round(closedAfter / 1000, 1),
      peak_rss_is_second_posts_own: peakReset,
      first_post: Object.fromEntries(["seconds_to_last_delivery", "healthy_last_sent_ms", "server_cpu_seconds", "server_cpu_per_delivery_in_rsa_signs", "tls_handshakes", "tls_resumed_share", "server_peak_rss_mb", "duplicated"].map((k) => [k, f[k]])),
    });
    return second.result;
  } finally {
    await server.stop();
    await run.cleanUp();
  }
}

function poisonedFigures(ctx: Context, result: WorkloadResult, deliveries: Deliveries, behaviours: Record<string, Behaviour>): void {
  const { options } = ctx;
  result.poisoned_domains = Object.keys(behaviours).length;
  result.poisoned_share = options.poisonedShare;
  const clean = ctx.results.find((r) => r.workload === "celebrity" && r.database === options.database);
  const cleanSeconds = clean?.healthy_seconds_to_last_delivery as number | null | undefined;
  result.clean_healthy_seconds_to_last_delivery = cleanSeconds ?? null;
  result.healthy_vs_clean = cleanSeconds && result.healthy_seconds_to_last_delivery ? round((result.healthy_seconds_to_last_delivery as number) / cleanSeconds, 2) : null;
  // Requests the poisoned instances received: one post, so anything past one each is a retry or a second knock.
  result.requests_to_poisoned_domains = Object.keys(behaviours).reduce((n, d) => n + (deliveries.requestsByDomain.get(d) ?? 0), 0);
}

async function crash(ctx: Context): Promise<WorkloadResult> {
  const { options, fleet } = ctx;
  const domains = Math.min(options.domains, options.followers);
  const posts = Math.max(1, Math.ceil(options.crashDeliveries / domains));
  const run = await prepare(ctx, "crash", { fleetPort: fleet.port, celebrity: { followers: options.followers, domains, zipf: options.zipf } });
  const celebrity = run.seeded.celebrity!;
  await fleet.reset(fleetSettings(options));
  let server = await run.start();
  try {
    await warmUp(server.url, [celebrity]);
    const deliveries = new Deliveries(fleet);
    const usage = usageOf(ctx, server, run.env);
    let firstResponse = 0;
    const apiMs: number[] = [];
    for (let i = 0; i < posts; i++) {
      const { uri, respondedAt, ms } = await post(server.url, celebrity.token, `Backlog post ${i + 1} of ${posts}`);
      firstResponse ||= respondedAt;
      apiMs.push(ms);
      deliveries.expect(uri, celebrity.domains, respondedAt);
    }
    const expected = deliveries.expectedCount;
    log(`  ${posts} posts queued ${expected} deliveries; killing the server (SIGKILL) once ${Math.round(options.crashKillAt * 100)} % are delivered`);
    const killAfter = Math.floor(expected * options.crashKillAt);
    await waitFor(deliveries, () => expected - deliveries.undelivered >= killAfter, { timeoutMs: options.timeoutSeconds * 1000 });
    const queueAtKill = await queueMetrics(server.url);
    const beforeKill = usage();
    const deliveredAtKill = expected - deliveries.undelivered;
    const killedAt = Date.now();
    await server.kill();
    log(`  killed at ${deliveredAtKill}/${expected} delivered (queue: ${queueAtKill?.pending ?? "?"} jobs); restarting`);
    server = await run.start();
    const restartSeconds = (Date.now() - killedAt) / 1000;
    const usage2 = usageOf(ctx, server, run.env);
    // A killed worker's claimed jobs come back when their lease runs out: wait well past that.
    const outcome = await waitFor(deliveries, () => deliveries.undelivered === 0, { timeoutMs: options.timeoutSeconds * 1000, stallMs: 150_000 });
    const used = usage2();
    const queueAtEnd = await queueMetrics(server.url);
    const stats = await settledStats(fleet);
    const settled = outcome === "done" || queueAtEnd?.pending === 0;
    const result = workloadResult(ctx.options, ctx.rsa, "crash", deliveries, stats, {
      domains,
      startedAt: firstResponse,
      serverCpu: beforeKill.serverCpu + used.serverCpu,
      serverRss: Math.max(beforeKill.serverRss, used.serverRss),
      serverRssOneProcess: Math.max(beforeKill.serverRssOneProcess, used.serverRssOneProcess),
      databaseCpu: beforeKill.databaseCpu !== null && used.databaseCpu !== null ? beforeKill.databaseCpu + used.databaseCpu : null,
      fleetCpu: beforeKill.fleetCpu + used.fleetCpu,
      complete: outcome === "done",
      lost: settled ? deliveries.undelivered : null,
    });
    Object.assign(result, {
      followers: options.followers,
      posts,
      api_p50_ms: round(percentile([...apiMs].sort((a, b) => a - b), 50)),
      delivered_when_killed: deliveredAtKill,
      queue_jobs_when_killed: queueAtKill?.pending ?? null,
      restart_seconds: round(restartSeconds, 1),
      end: outcome,
      undelivered: deliveries.undelivered,
      queue_jobs_at_end: queueAtEnd?.pending ?? null,
    });
    return result;
  } finally {
    await server.stop();
    await run.cleanUp();
  }
}

/** Medians and maxima of the server's own figures over the posting phase: where deliveries and posts waited. */
function whilePosting(samples: (ServerSample | null)[]): Record<string, unknown> {
  const taken = samples.filter((s): s is ServerSample => s !== null);
  if (taken.length === 0) return {};
  const figure = (pick: (s: ServerSample) => number) => {
    const values = taken.map(pick).sort((a, b) => a - b);
    return { median: round(percentile(values, 50)), max: values[values.length - 1] };
  };
  const queues = [...new Set(taken.flatMap((s) => Object.keys(s.pendingByQueue)))];
  return {
    samples: taken.length,
    deliveries_in_flight: figure((s) => s.inFlight),
    deliveries_waiting_for_host: figure((s) => s.waiting),
    hosts_in_flight: figure((s) => s.hostsInFlight),
    connections_open: figure((s) => s.connections),
    api_requests_running: figure((s) => s.apiRunning),
    api_requests_waiting: figure((s) => s.apiWaiting),
    jobs_pending: Object.fromEntries(queues.map((q) => [q, figure((s) => s.pendingByQueue[q] ?? 0)])),
  };
}

async function sustained(ctx: Context): Promise<WorkloadResult> {
  const { options, fleet } = ctx;
  const run = await prepare(ctx, "sustained", {
    fleetPort: fleet.port,
    posters: { count: options.sustainedAccounts, followers: options.sustainedFollowers, domains: options.sustainedDomains, fleetDomains: options.domains, zipf: options.zipf },
  });
  const posters: Sender[] = run.seeded.posters;
  await fleet.reset(fleetSettings(options));
  const server = await run.start();
  try {
    await warmUp(server.url, posters);
    const deliveries = new Deliveries(fleet);
    const usage = usageOf(ctx, server, run.env);
    const total = Math.round(options.sustainedRate * options.sustainedSeconds);
    const apiMs: number[] = [];
    let apiErrors = 0;
    let inFlight = 0;
    let lastResponse = 0;
    const samples: { t: number; queueOldestReadySeconds: number | null; queuePending: number | null; server: ServerSample | null }[] = [];
    const startedAt = Date.now();
    let nextSample = startedAt;
    const sample = async () => {
      if (Date.now() < nextSample) return;
      nextSample += 2000;
      const m = await queueMetrics(server.url);
      samples.push({ t: Date.now(), queueOldestReadySeconds: m?.oldestReadySeconds ?? null, queuePending: m?.pending ?? null, server: m });
    };
    log(`  posting ${options.sustainedRate}/s for ${options.sustainedSeconds} s by ${posters.length} accounts (${options.sustainedDomains} domains each)`);
    const posting = (async () => {
      const pendingPosts: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = startedAt + (i * 1000) / options.sustainedRate;
        if (due > Date.now()) await sleep(due - Date.now());
        // Open loop, but never more than 500 requests waiting on the server.
        while (inFlight >= 500) await sleep(5);
        const poster = posters[i % posters.length];
        inFlight++;
        pendingPosts.push(
          post(server.url, poster.token, `Sustained post ${i}`)
            .then(({ uri, respondedAt, ms }) => {
              apiMs.push(ms);
              lastResponse = Math.max(lastResponse, respondedAt);
              deliveries.expect(uri, poster.domains, respondedAt);
            })
            .catch(() => void apiErrors++)
            .finally(() => void inFlight--),
        );
      }
      await Promise.all(pendingPosts);
    })();
    let postingDone = false;
    void posting.then(() => (postingDone = true));
    await waitFor(deliveries, () => postingDone, { timeoutMs: (options.sustainedSeconds + 120) * 1000, every: sample });
    const postingEndedAt = Date.now();
    const drainSeconds = Math.min(options.sustainedDrainSeconds, options.timeoutSeconds);
    log(`  posting done (${apiMs.length} posts, ${apiErrors} errors); watching the backlog for up to ${drainSeconds} s`);
    const outcome = await waitFor(deliveries, () => deliveries.undelivered === 0, { timeoutMs: drainSeconds * 1000, every: sample });
    const used = usage();
    const stats = await settledStats(fleet);
    const result = workloadResult(ctx.options, ctx.rsa, "sustained", deliveries, stats, {
      domains: options.domains,
      startedAt,
      ...used,
      complete: outcome === "done",
      lost: outcome === "done" ? 0 : null,
    });
    // The oldest pending delivery over time, from what the fleet received: once a second.
    const times: number[] = [];
    for (let t = startedAt + 1000; t <= Date.now(); t += 1000) times.push(t);
    const ages = deliveries.oldestPendingAt(times);
    const during = ages.slice(0, Math.max(1, Math.round((postingEndedAt - startedAt) / 1000)));
    apiMs.sort((a, b) => a - b);
    Object.assign(result, {
      posts: apiMs.length,
      post_errors: apiErrors,
      posts_per_second_target: options.sustainedRate,
      posts_per_second_achieved: round(apiMs.length / ((postingEndedAt - startedAt) / 1000), 1),
      accounts: posters.length,
      followers_per_account: options.sustainedFollowers,
      domains_per_account: options.sustainedDomains,
      api_p50_ms: round(percentile(apiMs, 50)),
      api_p99_ms: round(percentile(apiMs, 99)),
      oldest_pending_max_seconds_while_posting: round(Math.max(0, ...during), 1),
      oldest_pending_max_seconds: round(Math.max(0, ...ages), 1),
      oldest_pending_seconds_every_10s: ages.filter((_, i) => i % 10 === 9).map((a) => round(a, 1)),
      queue_oldest_ready_seconds_max_from_metrics: round(Math.max(0, ...samples.map((s) => s.queueOldestReadySeconds ?? 0)), 1),
      queue_pending_max_from_metrics: Math.max(0, ...samples.map((s) => s.queuePending ?? 0)),
      // Where deliveries and posts wait, from /metrics every 2 s while posting (medians and maxima).
      while_posting_from_metrics: whilePosting(samples.filter((s) => s.t <= postingEndedAt).map((s) => s.server)),
      undelivered: deliveries.undelivered,
    });
    // Throughput over the whole run (posting and draining), not since one post.
    const summary = deliveries.summary();
    if (summary.delivered) {
      const seconds = (summary.last - startedAt) / 1000;
      result.deliveries_per_second = round(summary.delivered / seconds);
      result.seconds_to_last_delivery = result.healthy_seconds_to_last_delivery = outcome === "done" ? round((summary.last - lastResponse) / 1000, 2) : null;
    }
    return result;
  } finally {
    await server.stop();
    await run.cleanUp();
  }
}

// ---------------------------------------------------------------------------------------------

export async function fanoutBench(options: FanoutBenchOptions): Promise<WorkloadResult[]> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const rsa = rsaSignsPerSecond();
  log(`RSA-2048 signatures per second on one core: ${round(rsa)}`);
  const tls = ensureFleetTls(path.join(options.dataDir, "fleet-tls"));
  let cluster: PostgresCluster | null = null;
  let adminUrl: string | null = null;
  if (options.database === "postgres") {
    ({ url: adminUrl, cluster } = await benchPostgres());
  }
  const fleetProfile = options.cpuProf ? path.resolve(options.cpuProf, `${options.database}-fleet`) : null;
  if (fleetProfile) fs.rmSync(fleetProfile, { recursive: true, force: true });
  const fleet = await startFleetProcess(tls, fleetProfile);
  const ctx: Context = { options, fleet, rsa, adminUrl, results: [] };
  try {
    for (const workload of options.workloads) {
      log(`${workload} on ${options.database}`);
      const started = performance.now();
      let result: WorkloadResult;
      try {
        result = workload === "crash" ? await crash(ctx) : workload === "sustained" ? await sustained(ctx) : await onePost(ctx, workload);
      } catch (error) {
        // One workload failing (the server refusing the post, say) is a result; the others still run.
        const cause = (error as Error).cause ? ` (${String((error as Error).cause)})` : "";
        log(`${workload} failed: ${(error as Error).message}${cause} (server log: ${path.join(options.dataDir, `fanout-${options.database}-${workload}.server.log`)})\n${(error as Error).stack}`);
        result = { workload, database: options.database, error: (error as Error).message, lost: null, duplicated: 0 };
      }
      result.wall_seconds = round((performance.now() - started) / 1000);
      ctx.results.push(result);
      log(`${workload}: ${result.deliveries}/${result.expected_deliveries} delivered, last after ${result.seconds_to_last_delivery ?? "-"} s, lost ${result.lost ?? "?"}, duplicated ${result.duplicated}`);
      const peak = result.server_peak_rss_mb_one_process;
      result.over_memory_budget = typeof peak === "number" && peak > options.memoryBudgetMb;
    }
  } finally {
    await fleet.stop();
    await cluster?.stop();
  }
  printTable(ctx.results, rsa);
  if (options.cpuProf) {
    for (const part of [...options.workloads, "fleet"]) {
      const dir = path.resolve(options.cpuProf, `${options.database}-${part}`);
      for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")) : []) {
        const what = part === "fleet" ? "the fleet, all workloads" : `the server, ${part}`;
        process.stdout.write(`\nCPU profile of ${what} (${path.join(dir, file)}):\n${summarizeCpuProfile(path.join(dir, file))}\n`);
      }
    }
  }
  if (options.json) fs.writeFileSync(options.json, JSON.stringify(ctx.results, null, 2) + "\n");
  // Last, where it is seen: a workload over the memory budget fails the run (the CLI exits with 1).
  for (const r of ctx.results.filter((r) => r.over_memory_budget)) {
    process.stdout.write(`\nOVER MEMORY BUDGET: ${r.workload} (${r.database}) peaked at ${r.server_peak_rss_mb_one_process} MB RSS in one server process; the budget is ${options.memoryBudgetMb} MB (--memory-budget, default MEMORY_TARGET)\n`);
  }
  return ctx.results;
}
