// `./skein export USER [--out DIR]` writes a local user's CSV exports (Mastodon's formats) to DIR;
// `./skein import USER FILE --type TYPE [--overwrite] [--wait]` queues an import of a CSV file for
// that user, carried out by the running server's background work (which resolves accounts on
// other servers); --wait follows it until it has finished. Both go through services.accountData,
// as the settings pages do.
import fs from "node:fs";
import path from "node:path";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime, type Runtime } from "../../server/context.ts";
import { EXPORT_FILES } from "../../domain/account-data/exports.ts";
import { IMPORT_TYPES } from "../../domain/account-data/import-format.ts";
import { parseArgs, UsageError } from "../usage.ts";

const EXPORT_USAGE = "Usage:\n  ./skein export USER [--out DIR]   (DIR: where the CSV files go, default the current directory)";
const IMPORT_USAGE = `Usage:\n  ./skein import USER FILE --type ${IMPORT_TYPES.join("|")} [--overwrite] [--wait]`;

async function localAccount(runtime: Runtime, handle: string) {
  const target = await runtime.services.moderation.accounts.byHandle(handle);
  if (target.account.domain !== null || !target.user) throw new UsageError(`${handle} is not a local account`);
  return target.account;
}

export async function exportData(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, [], EXPORT_USAGE);
  if (positional.length !== 1) throw new UsageError(`a USER is needed\n${EXPORT_USAGE}`);
  if (options.out !== undefined && typeof options.out !== "string") throw new UsageError(`--out needs a directory\n${EXPORT_USAGE}`);
  const out = path.resolve((options.out as string | undefined) ?? ".");
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const account = await localAccount(runtime, positional[0]);
    fs.mkdirSync(out, { recursive: true });
    for (const name of EXPORT_FILES) {
      const body = await runtime.services.accountData.exports.csv(account.id, name);
      const file = path.join(out, `${name}.csv`);
      fs.writeFileSync(file, body, { mode: 0o600 });
      const lines = body.split("\n").filter(Boolean).length;
      process.stdout.write(`${file}: ${lines} line${lines === 1 ? "" : "s"}\n`);
    }
  } finally {
    await runtime.close();
  }
  return 0;
}

export async function importData(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ["overwrite", "wait"], IMPORT_USAGE);
  if (positional.length !== 2) throw new UsageError(`USER and FILE are needed\n${IMPORT_USAGE}`);
  if (typeof options.type !== "string" || !(IMPORT_TYPES as readonly string[]).includes(options.type)) throw new UsageError(`--type is one of ${IMPORT_TYPES.join(", ")}\n${IMPORT_USAGE}`);
  let data: Uint8Array;
  try {
    data = fs.readFileSync(positional[1]);
  } catch (error) {
    throw new UsageError(`cannot read ${positional[1]}: ${(error as Error).message}`);
  }
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const account = await localAccount(runtime, positional[0]);
    const imports = runtime.services.accountData.imports;
    let row = await imports.create(account.id, { type: options.type, mode: options.overwrite ? "overwrite" : "merge", filename: path.basename(positional[1]), data });
    process.stdout.write(`Import ${row.id}: ${row.total_rows} rows queued (${row.type}, ${row.mode}); the server's background work carries it out\n`);
    if (options.wait) {
      while (row.state !== "finished" && row.state !== "failed") {
        await new Promise((r) => setTimeout(r, 1000));
        row = await imports.get(account.id, row.id);
      }
      process.stdout.write(`Import ${row.id}: ${row.state}, ${row.imported_rows} imported, ${row.failed_rows} failed of ${row.total_rows}\n`);
      if (row.state === "failed") return 1;
    }
  } finally {
    await runtime.close();
  }
  return 0;
}
