// `./skein prune [--older-than DAYS] [--dry-run] [--json]`: removes remote posts older than DAYS
// (else REMOTE_POST_RETENTION) that no local account has a part in, with what hangs off them and
// their cached media files; reduces remote profiles nobody here is tied to to stubs; removes
// expired tombstones. Prints rows removed per kind, the database's size before and after, and
// the time taken (domain/pruning/). Safe beside a running server: small batches, one prune at a
// time (a lease), and a rerun carries on where an interrupted one stopped.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { formatPruneReport } from "../../domain/pruning/report.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = "Usage: ./skein prune [--older-than DAYS] [--dry-run] [--json]   (DAYS defaults to REMOTE_POST_RETENTION)";

export async function prune(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ["dry-run", "json"], USAGE);
  if (positional.length > 0) throw new UsageError(USAGE);
  for (const name of Object.keys(options)) if (!["older-than", "dry-run", "json"].includes(name)) throw new UsageError(`unknown option --${name}\n${USAGE}`);
  loadDotEnv();
  const config = loadConfig();
  let days = config.pruning.remotePostRetentionDays;
  if (options["older-than"] !== undefined) {
    const text = String(options["older-than"]);
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 36500) throw new UsageError(`--older-than must be a whole number of days from 1 to 36500\n${USAGE}`);
    days = Number(text);
  }
  if (days === null) throw new UsageError(`say how old: --older-than DAYS, or set REMOTE_POST_RETENTION\n${USAGE}`);
  const runtime = await openRuntime(config);
  try {
    const report = await runtime.services.pruning.prune({ olderThanDays: days, dryRun: options["dry-run"] === true });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatPruneReport(report));
    return report.skipped ? 1 : 0;
  } finally {
    await runtime.close();
  }
}
