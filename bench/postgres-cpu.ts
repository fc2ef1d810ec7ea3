// The CPU a PostgreSQL cluster has used (its postmaster, every backend and helper process, and
// those that have ended), for benchmarks that count the database's share of a request: found by
// the port in the URL the benchmark gave the server, so it works for any cluster on this machine.
import fs from "node:fs";

function ticks(pid: string, withEnded: boolean): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime; cutime, cstime (children that ended and were waited for).
  return Number(fields[11]) + Number(fields[12]) + (withEnded ? Number(fields[13]) + Number(fields[14]) : 0);
}

function parentOf(pid: string): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  } catch {
    return null;
  }
}

/** The postmaster listening on `url`'s port, if it runs on this machine. */
function postmasterOf(url: string): string | null {
  const port = new URL(url).port || "5432";
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (!args[0].endsWith("/postgres")) continue;
      const p = args.indexOf("-p");
      if (p >= 0 && args[p + 1] === port) return pid;
    } catch {
      /* ended meanwhile */
    }
  }
  return null;
}

/** Milliseconds of CPU the PostgreSQL cluster behind DATABASE_URL has used so far; null without one (SQLite) or when it is not a local process. */
export function postgresCpuMs(url: string | undefined): number | null {
  const seconds = url?.startsWith("postgres") ? postgresCpuSeconds(url) : null;
  return seconds === null ? null : seconds * 1000;
}

/**
 * Milliseconds of CPU of the cluster behind `url` so far, by kind of process (backends, the WAL
 * writer, …, from their titles; the postmaster with the processes that have ended); null when it
 * is not a local process.
 */
export function postgresCpuMsByKind(url: string): Map<string, number> | null {
  const postmaster = postmasterOf(url);
  if (!postmaster) return null;
  const byKind = new Map<string, number>([["postmaster and the processes that ended", ticks(postmaster, true) * 10]]);
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || parentOf(pid) !== postmaster) continue;
    try {
      // "postgres: walwriter", "postgres: user db 127.0.0.1(5432) idle": a title with a client's address is a backend's.
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").replace(/^postgres: /, "").trim();
      const kind = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(title) ? "backends" : title;
      byKind.set(kind, (byKind.get(kind) ?? 0) + ticks(pid, false) * 10);
    } catch {
      /* ended meanwhile: counted in the postmaster's cutime from now on */
    }
  }
  return byKind;
}

/** Seconds of CPU the cluster behind `url` has used so far; null when it is not a local process. */
export function postgresCpuSeconds(url: string): number | null {
  const byKind = postgresCpuMsByKind(url);
  return byKind === null ? null : [...byKind.values()].reduce((a, b) => a + b, 0) / 1000;
}
