// GET /metrics: Prometheus text format. Counts only — nothing about any person.
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";

export interface MetricsSource {
  queueStats(): Promise<{ queue: string; ready: number; delayed: number; running: number; oldestReadyAgeSeconds: number | null }[]>;
}

export function metricsRoutes(source: MetricsSource) {
  const routes = new Hono<AppEnv>();
  routes.get("/", async (c) => {
    const lines: string[] = [];
    const metric = (name: string, help: string, type: "gauge" | "counter", samples: [Record<string, string>, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`).join(",");
        lines.push(`${name}${l ? `{${l}}` : ""} ${value}`);
      }
    };
    const stats = await source.queueStats();
    metric("skein_queue_ready_jobs", "Jobs ready to run now.", "gauge", stats.map((s) => [{ queue: s.queue }, s.ready]));
    metric("skein_queue_running_jobs", "Jobs claimed by a worker.", "gauge", stats.map((s) => [{ queue: s.queue }, s.running]));
    metric("skein_queue_delayed_jobs", "Jobs waiting for a retry or a scheduled time.", "gauge", stats.map((s) => [{ queue: s.queue }, s.delayed]));
    metric("skein_queue_oldest_ready_seconds", "Age of the oldest job ready to run.", "gauge", stats.map((s) => [{ queue: s.queue }, s.oldestReadyAgeSeconds ?? 0]));
    const memory = process.memoryUsage();
    metric("skein_process_resident_memory_bytes", "Resident memory of this process.", "gauge", [[{}, memory.rss]]);
    metric("skein_process_heap_used_bytes", "V8 heap in use.", "gauge", [[{}, memory.heapUsed]]);
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(lines.join("\n") + "\n");
  });
  return routes;
}
