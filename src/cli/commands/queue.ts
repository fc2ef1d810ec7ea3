// `./skein queue status`: what waits in the durable job queue (deliveries, inbox jobs), how old
// the oldest ready job is, and what was parked after too many failures (`dead:` queues).
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { JobQueue } from "../../queue/job-queue.ts";
import { UsageError } from "../usage.ts";

export async function queue(args: string[]): Promise<number> {
  if (args[0] !== "status" || args.length > 1) throw new UsageError("Usage: ./skein queue status");
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const stats = await new JobQueue(runtime.database.db, runtime.database.kind).stats();
    if (stats.length === 0) {
      process.stdout.write("The queue is empty\n");
      return 0;
    }
    const header = ["QUEUE", "READY", "RUNNING", "DELAYED", "OLDEST READY"];
    const rows = stats.map((s) => [s.queue, String(s.ready), String(s.running), String(s.delayed), s.oldestReadyAgeSeconds === null ? "-" : `${Math.round(s.oldestReadyAgeSeconds)} s`]);
    const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
    for (const row of [header, ...rows]) process.stdout.write(row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n");
  } finally {
    await runtime.close();
  }
  return 0;
}
