// GET /metrics: Prometheus text format. Counts only — nothing about any person.
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";
import type { DeliveryStats } from "../store/deliveries.ts";
import type { RequestGate } from "./request-gate.ts";

export interface DeliveryFigures {
  stats: DeliveryStats;
  /** Outcomes summed over every worker in the last minute (delivery_counts). */
  lastMinute: Record<string, number>;
  /** Outcomes in this process since it started. */
  process: Record<string, number>;
}

/** The delivery engine's memory: what MEMORY_TARGET allows it, what it holds, and each sending thread's heap and connections. */
export interface DeliveryMemoryFigures {
  limits: { targetBytes: number; concurrency: number; threads: number; threadHeapMb: number; claimBatch: number; keepAliveMs: number; tlsSessionBytes: number; heapGrowingPercent: number };
  engine: { allowed: number; held: number; inFlight: number; waiting: number; hostsInFlight: number };
  threads: { thread: string; heapUsed: number; heapTotal: number; heapLimit: number; connections: number; requests: number; tlsSessions: number; tlsSessionBytes: number }[];
  /** Times the main thread gave back the pages V8 kept pooled after its heap shrank. */
  releases: number;
}

export interface MetricsSource {
  queueStats(): Promise<{ queue: string; ready: number; delayed: number; running: number; oldestReadyAgeSeconds: number | null }[]>;
  deliveries?(): Promise<DeliveryFigures>;
  /** Whether this process has loaded federation's stack (Fedify) yet: it does on first use, not at start-up. */
  federationLoaded?(): boolean;
  deliveryMemory?(): Promise<DeliveryMemoryFigures>;
}

export function metricsRoutes(source: MetricsSource, gate?: RequestGate) {
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
    const deliveries = await source.deliveries?.();
    if (deliveries) {
      // Deliveries are a queue too (their own table): listed beside the job queues.
      const d = deliveries.stats;
      stats.push({ queue: "deliveries", ready: d.ready, delayed: d.delayed, running: d.running, oldestReadyAgeSeconds: d.oldestReadyAgeSeconds });
    }
    metric("skein_queue_ready_jobs", "Jobs ready to run now.", "gauge", stats.map((s) => [{ queue: s.queue }, s.ready]));
    metric("skein_queue_running_jobs", "Jobs claimed by a worker.", "gauge", stats.map((s) => [{ queue: s.queue }, s.running]));
    metric("skein_queue_delayed_jobs", "Jobs waiting for a retry or a scheduled time.", "gauge", stats.map((s) => [{ queue: s.queue }, s.delayed]));
    metric("skein_queue_oldest_ready_seconds", "Age of the oldest job ready to run.", "gauge", stats.map((s) => [{ queue: s.queue }, s.oldestReadyAgeSeconds ?? 0]));
    if (deliveries) {
      const d = deliveries.stats;
      metric("skein_deliveries_ready_retries", "Retries ready to run now (also counted in the ready deliveries).", "gauge", [[{}, d.readyRetries]]);
      metric("skein_deliveries_given_up", "Deliveries Skein stopped trying (kept a week for inspection).", "gauge", [[{}, d.gaveUp]]);
      metric("skein_deliveries_per_second", "Successful deliveries per second over the last minute, all workers.", "gauge", [[{}, Math.round(((deliveries.lastMinute.delivered ?? 0) / 60) * 100) / 100]]);
      metric("skein_deliveries_total", "Delivery outcomes in this process since it started.", "counter", Object.entries(deliveries.process).map(([outcome, n]) => [{ outcome }, n]));
      metric("skein_delivery_failing_hosts", "Remote hosts with failures and no success since.", "gauge", [[{}, d.failingHosts]]);
      metric("skein_delivery_paused_hosts", "Remote hosts paused by the circuit breaker or Retry-After.", "gauge", [[{}, d.pausedHosts]]);
      metric("skein_delivery_unavailable_hosts", "Remote hosts that failed on too many days; revived when they contact us.", "gauge", [[{}, d.unavailableHosts]]);
    }
    if (source.federationLoaded) {
      metric("skein_federation_loaded", "1 once this process has loaded federation (Fedify), which it does on the first ActivityPub request or job.", "gauge", [[{}, source.federationLoaded() ? 1 : 0]]);
    }
    const memory = process.memoryUsage();
    metric("skein_process_resident_memory_bytes", "Resident memory of this process.", "gauge", [[{}, memory.rss]]);
    metric("skein_process_heap_used_bytes", "V8 heap in use.", "gauge", [[{}, memory.heapUsed]]);
    metric("skein_process_heap_total_bytes", "V8 heap reserved (used and free).", "gauge", [[{}, memory.heapTotal]]);
    metric("skein_process_external_memory_bytes", "Memory outside the V8 heap held by JavaScript objects (Buffers, TLS), all threads.", "gauge", [[{}, memory.external]]);
    if (gate) {
      const lanes = gate.figures();
      metric("skein_http_requests_limit", "Requests handled at once, per lane (from MEMORY_TARGET); more wait their turn.", "gauge", lanes.map((l) => [{ lane: l.lane }, l.limit]));
      metric("skein_http_requests_running", "Requests being handled now, per lane.", "gauge", lanes.map((l) => [{ lane: l.lane }, l.running]));
      metric("skein_http_requests_waiting", "Requests waiting for their turn, per lane (not yet read).", "gauge", lanes.map((l) => [{ lane: l.lane }, l.waiting]));
    }
    const delivery = await source.deliveryMemory?.();
    if (delivery) {
      const { limits, engine, threads } = delivery;
      metric("skein_memory_target_bytes", "MEMORY_TARGET: what this process should stay under.", "gauge", [[{}, limits.targetBytes]]);
      metric("skein_memory_pool_releases_total", "Times the main thread gave back the pages V8 kept resident after its heap shrank (a memory-reducing collection, at most every 30 s while above three quarters of MEMORY_TARGET).", "counter", [[{}, delivery.releases]]);
      metric("skein_heap_growing_percent", "How far V8 lets a heap grow past what its last full collection kept, in percent, while the process is above half of MEMORY_TARGET (from MEMORY_TARGET; 0: V8's own choice, up to 300).", "gauge", [[{}, limits.heapGrowingPercent]]);
      metric("skein_delivery_limit", "Delivery limits derived from MEMORY_TARGET and the DELIVERY_* settings.", "gauge", [
        [{ limit: "concurrency" }, limits.concurrency],
        [{ limit: "threads" }, limits.threads],
        [{ limit: "thread_heap_mb" }, limits.threadHeapMb],
        [{ limit: "claim_batch" }, limits.claimBatch],
        [{ limit: "keep_alive_ms" }, limits.keepAliveMs],
        [{ limit: "tls_session_bytes" }, limits.tlsSessionBytes],
      ]);
      metric("skein_delivery_allowed", "Deliveries this process may hold now: its concurrency limit, fewer while its RSS is near MEMORY_TARGET.", "gauge", [[{}, engine.allowed]]);
      metric("skein_delivery_held", "Deliveries this process holds, by state: in flight, or waiting for their host.", "gauge", [
        [{ state: "in_flight" }, engine.inFlight],
        [{ state: "waiting" }, engine.waiting],
      ]);
      metric("skein_delivery_hosts_in_flight", "Remote hosts with a delivery in flight from this process.", "gauge", [[{}, engine.hostsInFlight]]);
      metric("skein_delivery_threads_running", "Sender threads running now (they start with work and end when idle).", "gauge", [[{}, threads.filter((t) => t.thread !== "main").length]]);
      metric("skein_delivery_thread_heap_used_bytes", "V8 heap in use, per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.heapUsed]));
      metric("skein_delivery_thread_heap_total_bytes", "V8 heap reserved, per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.heapTotal]));
      metric("skein_delivery_thread_heap_limit_bytes", "V8 heap cap, per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.heapLimit]));
      metric("skein_delivery_open_connections", "Connections to remote hosts open now (busy or idle in keep-alive), per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.connections]));
      metric("skein_delivery_tls_sessions", "TLS sessions kept for resumption (reconnecting to their hosts skips the full handshake), per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.tlsSessions]));
      metric("skein_delivery_tls_session_bytes", "Bytes those TLS sessions are counted at, per sending thread.", "gauge", threads.map((t) => [{ thread: t.thread }, t.tlsSessionBytes]));
    }
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(lines.join("\n") + "\n");
  });
  return routes;
}
