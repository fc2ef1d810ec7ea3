// `./skein media`: what media take and keeping the remote cache honest.
//   usage            bytes and files per kind, measured in the storage (local originals and
//                    previews, the remote cache's originals and previews, emojis, avatars, headers)
//   prune [--dry-run]  unattached uploads older than a day and their files, files no row names,
//                    cache files without a cache row; prints what it removed (or would)
//   check [--repair] the cache's accounting against the storage; exit 1 on a mismatch
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { mediaUsageReport, pruneMedia } from "../../domain/media/housekeeping.ts";
import { checkRemoteCache } from "../../domain/media/cache-check.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = "Usage: ./skein media usage [--json] | ./skein media prune [--dry-run] | ./skein media check [--repair] [--json]";

/** 1234567 → "1.23 MB" (decimal units, as storage is billed). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

export async function media(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ["dry-run", "repair", "json"], USAGE);
  const sub = positional[0];
  if (!sub || !["usage", "prune", "check"].includes(sub) || positional.length > 1) throw new UsageError(USAGE);
  loadDotEnv();
  const config = loadConfig();
  const runtime = await openRuntime(config);
  const out = (text: string) => process.stdout.write(text);
  try {
    const { stores, services } = runtime;
    const storage = services.mediaStorage;
    const budget = config.media.remoteCacheMaxBytes;
    if (sub === "usage") {
      const report = await mediaUsageReport(stores, storage, budget);
      if (options.json) {
        out(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
      }
      out(`Media storage (${report.driver === "s3" ? `S3 bucket ${config.media.s3?.bucket}` : "local folder DATA_DIR/media"}), measured file by file:\n\n`);
      out(`  ${"kind".padEnd(26)} ${"files".padStart(9)} ${"bytes".padStart(10)}\n`);
      for (const k of report.kinds) out(`  ${k.label.padEnd(26)} ${String(k.files).padStart(9)} ${formatBytes(k.bytes).padStart(10)}\n`);
      out(`  ${"total".padEnd(26)} ${String(report.totalFiles).padStart(9)} ${formatBytes(report.totalBytes).padStart(10)}\n\n`);
      const pct = budget > 0 ? Math.round((report.cache.accountedBytes / budget) * 100) : 0;
      out(`Remote cache: ${formatBytes(report.cache.accountedBytes)} of its ${formatBytes(budget)} budget (${pct}%, REMOTE_MEDIA_CACHE_MAX); the least recently viewed files make room for new ones.\n`);
      const r = report.rows;
      out(`Rows naming media: ${r.attachmentsLocal} local attachments, ${r.attachmentsRemote} remote attachments (fetched when viewed), ${r.emojisLocal} local and ${r.emojisRemote} remote emojis, ${r.remoteAvatars} remote avatars, ${r.remoteHeaders} remote headers.\n`);
      return 0;
    }
    if (sub === "prune") {
      const dryRun = options["dry-run"] === true;
      const report = await pruneMedia(stores, storage, services.media, { dryRun });
      const verb = dryRun ? "Would remove" : "Removed";
      for (const u of report.unattached) out(`${verb} unattached upload ${u.id}${u.keys.length ? ` (${u.keys.join(", ")})` : ""}\n`);
      for (const o of report.orphans) out(`${verb} orphan file ${o.key} (${formatBytes(o.size)})\n`);
      for (const o of report.cacheOrphans) out(`${verb} cache file without a row ${o.key} (${formatBytes(o.size)})\n`);
      out(
        `${verb} ${report.unattached.length} unattached uploads, ${report.orphans.length} orphan files and ${report.cacheOrphans.length} cache files (${formatBytes(report.bytes)} of files no row named).${dryRun ? " Nothing was removed (--dry-run)." : ""}\n`,
      );
      return 0;
    }
    // check
    const report = await checkRemoteCache(stores, storage, { budget, repair: options.repair === true });
    if (options.json) {
      out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      out(`Remote cache: ${report.rows} rows (${formatBytes(report.rowBytes)}), ${report.files} files under cache/ (${formatBytes(report.fileBytes)}), accounted ${formatBytes(report.accountedBytes)} of ${formatBytes(report.budget)}.\n`);
      const list = (title: string, keys: string[]) => {
        if (keys.length === 0) return;
        out(`${title} (${keys.length}):\n`);
        for (const key of keys.slice(0, 20)) out(`  ${key}\n`);
        if (keys.length > 20) out(`  … and ${keys.length - 20} more\n`);
      };
      list("Rows whose file is missing", report.missingFiles);
      list("Files no row names", report.unknownFiles);
      list("Files whose size differs from their row", report.sizeMismatches.map((m) => `${m.key}: row ${m.rowBytes}, file ${m.fileBytes}`));
      list("Copies left half-stored", report.stalePending);
      if (report.accountedBytes !== report.rowBytes) out(`The accounting row says ${report.accountedBytes} bytes; the rows add up to ${report.rowBytes}.\n`);
      if (report.fileBytes > report.budget) out(`The files take more than the budget (${report.fileBytes} > ${report.budget}).\n`);
      if (report.ok) out("OK: the accounting matches the storage.\n");
      else if (report.repaired) out("Repaired: rows of missing files and half-stored copies removed, unknown files deleted, the accounting set to the rows' sum. Run the check again to confirm.\n");
      else out("MISMATCH: run ./skein media check --repair to make them agree (best on an idle server).\n");
    }
    return report.ok || report.repaired ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
