// Where the dashboard reads the delivery queue: the figures `./skein queue status` prints and
// GET /metrics serves (the job queues' and deliveries' stats, deliveries in the last minute), plus
// the failing hosts. The process that owns the queue (cli/commands/start.ts) hands them in, as it
// does for /metrics; a process without one has no queue to show.
import type { MetricsSource } from "../../metrics.ts";

/** A remote host deliveries keep failing to (delivery_hosts, as `./skein queue status` lists it). */
export interface FailingHost {
  host: string;
  consecutive_failures: number;
  failure_days: number;
  paused_until: string | null;
  unavailable_since: string | null;
  last_error: string | null;
}

export interface QueueFigures extends MetricsSource {
  /** The hosts failing most (most failure days first). */
  failingHosts?(limit: number): Promise<FailingHost[]>;
}
