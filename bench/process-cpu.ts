// CPU time read from /proc, for the benchmarks that count the work of processes other than their
// own: a server they started, PostgreSQL's cluster. Linux only; null where it cannot be read.
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import type { Database } from "../src/db/database.ts";

/** USER_HZ: /proc counts CPU time in ticks of 1/100 s on Linux. */
const TICK_MS = 10;

/** utime + stime of `pid` in ms, with its reaped children's when `withChildren`; throws when it cannot be read. */
export function cpuMsOf(pid: number, withChildren: boolean): number {
  return ticks(pid, withChildren) * TICK_MS;
}

/** utime + stime of `pid`, with its reaped children's when `withChildren`, in ticks. */
function ticks(pid: number, withChildren: boolean): number {
  // After "pid (comm) ": state is field 0; utime 11, stime 12, cutime 13, cstime 14.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
}

/** CPU time (ms) a process has used so far, with the children it has reaped; null when it cannot be read. */
export function processCpuMs(pid: number): number | null {
  try {
    return ticks(pid, true) * TICK_MS;
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) PostgreSQL's server has used so far — the postmaster, its live processes and the
 * ones it has reaped (autovacuum workers come and go) — read from /proc; null where that cannot be
 * read (another machine, SQLite).
 */
export async function databaseCpuMs(database: Database): Promise<number | null> {
  if (database.kind !== "postgres") return null;
  try {
    const dir = await sql<{ setting: string }>`select setting from pg_settings where name = 'data_directory'`.execute(database.db);
    const postmaster = Number(fs.readFileSync(path.join(dir.rows[0]!.setting, "postmaster.pid"), "utf8").split("\n")[0]);
    let total = ticks(postmaster, true);
    for (const child of fs.readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, "utf8").trim().split(" ").filter(Boolean)) {
      try {
        total += ticks(Number(child), false);
      } catch {
        // It ended meanwhile: its time is the postmaster's reaped children's now, or soon.
      }
    }
    return total * TICK_MS;
  } catch {
    return null;
  }
}
