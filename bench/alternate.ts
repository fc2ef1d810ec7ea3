// Two versions of one call, alternated query by query on one kept seed (bench/search-compare.ts,
// bench/search-request-compare.ts): when other work shares the machine, both versions bear it
// alike, which two benchmark runs one after the other cannot promise.
import fs from "node:fs";
import { benchQueries } from "./search-corpus.ts";
import { percentile, round } from "./measure.ts";

export type SideName = "before" | "after";

/** The machine's load averages (1, 5, 15 minutes), as the summaries record them. */
export function loadAverage(): string {
  return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/**
 * Runs every benchmark query on both sides, `rounds` times plus a warm-up round that is not
 * counted, the side that goes first changing every round; each call must find 20 results. Returns
 * `<side>_<kind>_p50_ms` and `_p99_ms` for each kind of query, and prints them as it goes.
 */
export async function alternate(sides: Record<SideName, (q: string) => Promise<number>>, rounds: number): Promise<Record<string, number>> {
  const summary: Record<string, number> = {};
  for (const [kind, queries] of Object.entries(benchQueries())) {
    const ms: Record<SideName, number[]> = { before: [], after: [] };
    for (let r = 0; r <= rounds; r++) {
      for (const q of queries) {
        for (const side of r % 2 ? (["before", "after"] as const) : (["after", "before"] as const)) {
          const started = performance.now();
          const found = await sides[side](q);
          if (r > 0) ms[side].push(performance.now() - started);
          if (found !== 20) throw new Error(`${side}: ${found} results for ${q}`);
        }
      }
    }
    for (const side of ["before", "after"] as const) {
      const sorted = ms[side].sort((a, b) => a - b);
      summary[`${side}_${kind}_p50_ms`] = round(percentile(sorted, 50), 2);
      summary[`${side}_${kind}_p99_ms`] = round(percentile(sorted, 99), 2);
    }
    process.stderr.write(`${kind}: before p50 ${summary[`before_${kind}_p50_ms`]} p99 ${summary[`before_${kind}_p99_ms`]} | after p50 ${summary[`after_${kind}_p50_ms`]} p99 ${summary[`after_${kind}_p99_ms`]}\n`);
  }
  return summary;
}
