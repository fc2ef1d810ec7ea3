// `./skein bench fanout`'s report: the RSA yardstick CPU figures are expressed in, and the table
// printed on stdout (every other figure of a workload listed under it), and a workload's record.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { percentile, round } from "./measure.ts";
import type { FanoutBenchOptions, Workload, WorkloadResult } from "./fanout.ts";
import type { Deliveries } from "./fanout-deliveries.ts";
import type { FleetStats } from "./fleet/client.ts";

/** RSA-2048 PKCS#1 v1.5 SHA-256 signatures one core makes per second, with a parsed KeyObject. */
export function rsaSignsPerSecond(seconds = 1.5): number {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = randomBytes(400);
  for (let i = 0; i < 50; i++) sign("sha256", data, privateKey);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 20; i++) sign("sha256", data, privateKey);
    n += 20;
  }
  return n / ((performance.now() - started) / 1000);
}

const COLUMNS: [string, string][] = [
  ["workload", "workload"],
  ["database", "db"],
  ["domains", "domains"],
  ["deliveries", "delivered"],
  ["expected_deliveries", "expected"],
  ["seconds_to_last_delivery", "s to last"],
  ["healthy_seconds_to_last_delivery", "healthy s"],
  ["deliveries_per_second", "deliv/s"],
  ["healthy_p50_ms", "p50 ms"],
  ["healthy_p99_ms", "p99 ms"],
  ["server_cpu_seconds", "cpu s"],
  ["healthy_last_sent_ms", "last sent ms"],
  ["server_cpu_seconds_per_1000_deliveries", "cpu s/1k"],
  ["server_cpu_per_delivery_in_rsa_signs", "rsa/deliv"],
  ["tls_resumed_share", "resumed"],
  ["server_peak_rss_mb", "rss MB"],
  ["lost", "lost"],
  ["duplicated", "dup"],
];

export function printTable(results: WorkloadResult[], rsa: number): void {
  const rows = [COLUMNS.map(([, h]) => h), ...results.map((r) => COLUMNS.map(([k]) => String(r[k] ?? "-")))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) process.stdout.write(row.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ") + "\n");
  process.stdout.write(`RSA-2048 signatures per second, one core: ${round(rsa)}\n`);
  for (const r of results) {
    const extra = Object.entries(r).filter(([k]) => !COLUMNS.some(([c]) => c === k) && k !== "rsa_signs_per_second_one_core");
    process.stdout.write(`\n${r.workload} (${r.database}):\n`);
    for (const [k, v] of extra) process.stdout.write(`  ${k}: ${typeof v === "object" ? JSON.stringify(v) : v}\n`);
  }
}

/** A workload's figures, as printed and written to JSON: what the fleet saw, and what it cost. */
export function workloadResult(options: FanoutBenchOptions, rsa: number, workload: Workload, deliveries: Deliveries, fleetStats: FleetStats, figures: {
  domains: number;
  startedAt: number;
  serverCpu: number;
  serverRss: number;
  /** The highest peak of any one server process (= serverRss with one `./skein start`). */
  serverRssOneProcess: number;
  databaseCpu: number | null;
  fleetCpu: number;
  complete: boolean;
  lost: number | null;
  /** TLS handshakes the fleet saw in what is measured (default: since its reset), and how many resumed a session. */
  tls?: { handshakes: number; resumed: number };
}): WorkloadResult {
  const tls = figures.tls ?? { handshakes: fleetStats.tlsHandshakes, resumed: fleetStats.tlsResumed };
  const s = deliveries.summary();
  const seconds = s.delivered ? (s.last - figures.startedAt) / 1000 : null;
  const perDeliveryCpu = s.delivered ? figures.serverCpu / s.delivered : null;
  return {
    workload,
    database: options.database,
    layout: options.workers > 0 ? `web + ${options.workers} worker${options.workers > 1 ? "s" : ""}` : "start",
    domains: figures.domains,
    expected_deliveries: deliveries.expectedCount,
    deliveries: s.delivered,
    complete: figures.complete,
    seconds_to_last_delivery: seconds === null ? null : round(seconds, 2),
    healthy_seconds_to_last_delivery: seconds === null ? null : round(seconds, 2),
    deliveries_per_second: seconds ? round(s.delivered / seconds) : null,
    healthy_p50_ms: s.delivered ? round(percentile(s.latencies, 50)) : null,
    healthy_p99_ms: s.delivered ? round(percentile(s.latencies, 99)) : null,
    // When the fleet first got each delivered one (before its simulated latency): how fast the server sends.
    healthy_sent_p50_ms: s.delivered ? round(percentile(s.sent, 50)) : null,
    healthy_sent_p99_ms: s.delivered ? round(percentile(s.sent, 99)) : null,
    healthy_last_sent_ms: s.delivered ? round(s.sent[s.sent.length - 1]) : null,
    requests_seen_by_fleet: deliveries.records,
    responses_by_status: deliveries.byStatus,
    invalid_signatures: deliveries.invalidSignatures,
    signature_crosscheck_with_fedify: { checked: fleetStats.crossCheck.checked, disagreements: fleetStats.crossCheck.disagreements, examples: fleetStats.crossCheck.examples },
    server_cpu_seconds: round(figures.serverCpu, 2),
    server_cpu_seconds_per_1000_deliveries: perDeliveryCpu === null ? null : round(perDeliveryCpu * 1000, 2),
    server_peak_rss_mb: round(figures.serverRss),
    server_peak_rss_mb_one_process: round(figures.serverRssOneProcess),
    memory_budget_mb: options.memoryBudgetMb,
    database_cpu_seconds: figures.databaseCpu === null ? null : round(figures.databaseCpu, 2),
    fleet_cpu_seconds: round(figures.fleetCpu, 2),
    rsa_signs_per_second_one_core: round(rsa),
    server_cpu_per_delivery_in_rsa_signs: perDeliveryCpu === null ? null : round(perDeliveryCpu * rsa, 2),
    deliveries_per_second_vs_one_core_rsa_limit: seconds ? round(s.delivered / seconds / rsa, 4) : null,
    tls_handshakes: tls.handshakes,
    // Of the fleet's TLS handshakes, the share that resumed a session (no certificate sent or checked).
    tls_resumed_share: tls.handshakes ? round(tls.resumed / tls.handshakes, 3) : null,
    lost: figures.lost,
    duplicated: s.duplicated,
  };
}
