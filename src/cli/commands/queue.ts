// `./skein queue status`: what waits in the durable queues — inbox jobs (and anything parked
// after too many failures in `dead:` queues) and outgoing deliveries: how many, how old the
// oldest ready one is, deliveries per second over the last minute, and the hosts failing most.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { JobQueue } from "../../queue/job-queue.ts";
import { DeliveryStore } from "../../store/deliveries.ts";
import { UsageError } from "../usage.ts";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  return [header, ...rows].map((row) => row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n").join("");
}

const age = (seconds: number | null) => (seconds === null ? "-" : `${Math.round(seconds)} s`);

export async function queue(args: string[]): Promise<number> {
  if (args[0] !== "status" || args.length > 1) throw new UsageError("Usage: ./skein queue status");
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const { db, kind } = runtime.database;
    const stats = await new JobQueue(db, kind).stats();
    const deliveries = new DeliveryStore(db, kind);
    const d = await deliveries.stats();
    const lastMinute = await deliveries.recentCounts(1);
    const rows = stats.map((s) => [s.queue, String(s.ready), String(s.running), String(s.delayed), age(s.oldestReadyAgeSeconds)]);
    rows.push(["deliveries", String(d.ready), String(d.running), String(d.delayed), age(d.oldestReadyAgeSeconds)]);
    process.stdout.write(table(["QUEUE", "READY", "RUNNING", "DELAYED", "OLDEST READY"], rows));
    const perSecond = ((lastMinute.delivered ?? 0) / 60).toFixed(1);
    process.stdout.write(
      `\nDeliveries: ${perSecond}/s over the last minute (${lastMinute.delivered ?? 0} delivered, ${lastMinute.failed ?? 0} failed, ` +
        `${lastMinute.throttled ?? 0} throttled, ${lastMinute.refused ?? 0} refused); ${d.readyRetries} retries ready; ${d.gaveUp} given up this week\n`,
    );
    process.stdout.write(`Hosts: ${d.failingHosts} failing, ${d.pausedHosts} paused, ${d.unavailableHosts} unavailable\n`);
    const failing = await deliveries.failingHosts(10);
    if (failing.length > 0) {
      process.stdout.write("\n" + table(
        ["FAILING HOST", "FAILURES", "DAYS", "PAUSED UNTIL", "STATE", "LAST ERROR"],
        failing.map((h) => [h.host, String(h.consecutive_failures), String(h.failure_days), h.paused_until ?? "-", h.unavailable_since ? "unavailable" : "failing", (h.last_error ?? "").slice(0, 60)]),
      ));
    }
  } finally {
    await runtime.close();
  }
  return 0;
}
