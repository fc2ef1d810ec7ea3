// `./skein cost [--json]`: what this server's media cost — storage measured by kind, egress and
// requests counted as files were served (last 30 days), and a month projected in USD at
// COST_STORAGE_GB_MONTH / COST_EGRESS_GB / COST_REQUESTS_10K (domain/media/cost-report.ts).
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { costReport } from "../../domain/media/cost-report.ts";
import { parseArgs, UsageError } from "../usage.ts";
import { formatBytes } from "./media.ts";

const USAGE = "Usage: ./skein cost [--json]";

/** A total: cents, or whole dollars above 100; a non-zero amount under a cent says so. */
const usd = (value: number) => (value > 0 && value < 0.005 ? "<$0.01" : `$${value < 100 ? value.toFixed(2) : value.toFixed(0)}`);
/** A unit price as configured (0.023, 0.0004 …). */
const price = (value: number) => `$${Number(value.toPrecision(6))}`;

export async function cost(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ["json"], USAGE);
  if (positional.length) throw new UsageError(USAGE);
  loadDotEnv();
  const config = loadConfig();
  const runtime = await openRuntime(config);
  try {
    const report = await costReport(runtime.stores, runtime.services.mediaStorage, config.media.prices);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const out = (text = "") => process.stdout.write(`${text}\n`);
    const { storage, egress, projection: p, prices } = report;
    out(`Media cost report for ${config.origin} (${report.generatedAt.slice(0, 16).replace("T", " ")} UTC)`);
    out();
    out(`Storage now (${storage.driver === "s3" ? "S3 bucket" : "local folder"}), measured file by file:`);
    for (const k of storage.kinds) out(`  ${k.label.padEnd(26)} ${String(k.files).padStart(8)} files ${formatBytes(k.bytes).padStart(10)}`);
    out(`  ${"total".padEnd(26)} ${String(storage.totalFiles).padStart(8)} files ${formatBytes(storage.totalBytes).padStart(10)}`);
    out();
    out(`Served ${egress.fromDay} … ${egress.toDay} (${egress.daysCounted} day${egress.daysCounted === 1 ? "" : "s"} counted), as counted by Skein when it served files:`);
    if (egress.kinds.length === 0) out("  nothing served yet");
    for (const k of egress.kinds) {
      out(`  ${k.label.padEnd(26)} ${formatBytes(k.bytes).padStart(10)} in ${String(k.requests).padStart(8)} requests  (${formatBytes(k.bytes / egress.daysCounted)}/day)`);
    }
    if (egress.days.length > 1) {
      out("  per day:");
      for (const d of egress.days.slice(-14)) out(`    ${d.day}  ${formatBytes(d.bytes).padStart(10)}  ${String(d.requests).padStart(8)} requests`);
    }
    out();
    out("Projected month at these prices (USD):");
    out(`  storage   ${p.storageGb.toFixed(3).padStart(12)} GB          × ${price(prices.storageGbMonth)}/GB-month = ${usd(p.storageUsd)}`);
    out(`  egress    ${p.egressGbPerMonth.toFixed(3).padStart(12)} GB/month    × ${price(prices.egressGb)}/GB = ${usd(p.egressUsd)}`);
    out(`  requests  ${Math.round(p.requestsPerMonth).toString().padStart(12)} per month   × ${price(prices.requestsPer10k)}/10k requests = ${usd(p.requestsUsd)}`);
    out(`  total     ${usd(p.totalUsd)} per month`);
    out();
    out("How to read it: storage is what the files take now; egress and requests are this server's own daily average");
    out("over the days counted, times a month. Files a CDN or nginx serves without asking Skein are not counted.");
    out("The remote cache is held to REMOTE_MEDIA_CACHE_MAX, so its storage cannot grow past it.");
    out("Prices: COST_STORAGE_GB_MONTH, COST_EGRESS_GB, COST_REQUESTS_10K (defaults: AWS S3 Standard, us-east-1).");
    return 0;
  } finally {
    await runtime.close();
  }
}
