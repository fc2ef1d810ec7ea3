// `./skein bench fanout`'s report: the RSA yardstick CPU figures are expressed in, and the table
// printed on stdout (every other figure of a workload listed under it).
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { round } from "./measure.ts";
import type { WorkloadResult } from "./fanout.ts";

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
