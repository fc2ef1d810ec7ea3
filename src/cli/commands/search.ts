// `./skein search reindex`: rebuilds the full-text index of posts (issue 15) in batches, beside
// a running server (each batch is one short write; posting goes on in between). Needed once for
// posts stored before migration 0029, and after a bulk import with SEARCH_INDEXING=off.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = `Usage:
  ./skein search reindex [--batch-size N]   (N statuses per write, 1 to 5000, default 500)`;

export async function search(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, [], USAGE);
  if (sub !== "reindex" || positional.length > 0) throw new UsageError(`unknown search command "${[sub ?? "", ...positional].join(" ")}"\n${USAGE}`);
  const batchText = options["batch-size"];
  const batchSize = batchText === undefined ? 500 : Number(batchText);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new UsageError(`--batch-size must be a whole number from 1 to 5000\n${USAGE}`);
  for (const name of Object.keys(options)) if (name !== "batch-size") throw new UsageError(`unknown option --${name}\n${USAGE}`);

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  let lastPrinted = 0;
  try {
    const indexed = await runtime.services.search.reindex({
      batchSize,
      progress: (done, total) => {
        // A line every two seconds, so a long rebuild shows it is moving without flooding.
        if (Date.now() - lastPrinted < 2000) return;
        lastPrinted = Date.now();
        out(`indexed ${done} of ${total} posts (${total ? Math.floor((done / total) * 100) : 100} %)`);
      },
    });
    out(`Indexed ${indexed} posts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  } finally {
    await runtime.close();
  }
}
