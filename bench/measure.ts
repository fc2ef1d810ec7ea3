// Small measuring tools shared by the benchmarks.
import fs from "node:fs";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** CPU seconds (user + system) and peak resident memory (MB) of a process, from /proc. */
export function processUsage(pid: number): { cpuSeconds: number; peakRssMb: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, peakRssMb: kb("VmHWM") / 1024, rssMb: kb("VmRSS") / 1024 };
}

/** Resets a process's peak RSS (VmHWM) to its current RSS, so a later peak is that of what follows; false where Linux does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The median of unsorted values (NaN for none). */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/**
 * Whether round `i` of an on/off comparison runs with the thing measured on: round -1 (a warm-up,
 * not counted) on, then on, off, off, on, on, off… — caches keep warming over the rounds, and with
 * a fixed order that drift would count against whichever mode comes first.
 */
export function onOffRound(i: number): "on" | "off" {
  return i === -1 || i % 4 === 0 || i % 4 === 3 ? "on" : "off";
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
