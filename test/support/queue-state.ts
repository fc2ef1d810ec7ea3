// What a test server still has to do, read from its database: the deliveries it has not finished
// (or gave up), its jobs, and the hosts it counts as failing. A federation test that times out
// waiting for an activity prints this, so a failure in CI says where the activity stopped —
// never delivered, refused, waiting for a retry, or a job failing on the receiving side.
import type { TestServer } from "./server.ts";
import { queryRows } from "./server-db.ts";

const QUERIES = {
  deliveries: "select host, attempts, run_at, gave_up_at, last_error from deliveries order by id",
  jobs: "select queue, attempts, run_at, locked_until, last_error from jobs order by id",
  failing_hosts: "select host, consecutive_failures, paused_until, last_error from delivery_hosts order by host",
};

/** One line per row of each table (an error reading one is reported in its place). */
export async function queueState(server: TestServer): Promise<string> {
  const lines: string[] = [];
  for (const [name, query] of Object.entries(QUERIES)) {
    try {
      const rows = await queryRows(server, query);
      lines.push(`  ${name}: ${rows.length === 0 ? "none" : ""}`);
      for (const row of rows.slice(0, 20)) lines.push(`    ${JSON.stringify(row).slice(0, 400)}`);
    } catch (error) {
      lines.push(`  ${name}: could not be read (${(error as Error).message})`);
    }
  }
  return lines.join("\n");
}

/** Every server's state, named: for the message of a fleet's timed-out wait. */
export async function fleetQueueState(servers: Record<string, TestServer>): Promise<string> {
  const parts = await Promise.all(Object.entries(servers).map(async ([name, server]) => `${name}:\n${await queueState(server)}`));
  return parts.join("\n");
}
