// `./skein bench <name> [options]`: benchmarks that print their figures and write JSON.
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = `Usage:
  ./skein bench timeline [--db sqlite|postgres] [--accounts N] [--statuses N] [--following N]
                         [--concurrency N] [--seconds N] [--json FILE]`;

function positiveInt(value: string | true | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number\n${USAGE}`);
  return n;
}

export async function bench(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const { options } = parseArgs(rest);
  if (name !== "timeline") throw new UsageError(`unknown benchmark "${name ?? ""}"\n${USAGE}`);
  const database = (options.db ?? "sqlite") as string;
  if (database !== "sqlite" && database !== "postgres") throw new UsageError(`--db must be sqlite or postgres\n${USAGE}`);
  const { timelineBench } = await import("../../../bench/timeline.ts");
  await timelineBench({
    database,
    accounts: positiveInt(options.accounts, 10_000, "accounts"),
    statuses: positiveInt(options.statuses, 1_000_000, "statuses"),
    following: positiveInt(options.following, 2_000, "following"),
    concurrency: positiveInt(options.concurrency, 16, "concurrency"),
    seconds: positiveInt(options.seconds, 15, "seconds"),
    json: typeof options.json === "string" ? options.json : null,
  });
  return 0;
}
