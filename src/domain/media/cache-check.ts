// `./skein media check`: does the remote-media cache's accounting match what the storage holds?
// Compares the rows of remote_media_cache with storage.list("cache/") — files a row names but
// the storage lost, files no row names, sizes that differ — and the accounting row with the
// rows' sum. `repair` makes them agree: rows of missing files go, unknown files are deleted,
// copies whose size disagrees are dropped (fetched again on their next view), copies left half-stored by a process that died are removed,
// and the accounting row is set to the rows' sum. Meant for an idle server (or run it twice):
// copies being stored at that moment look like unknown files or pending bytes.
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";

/** A copy still marked "being stored" after this long belongs to a process that died. */
const STALE_PENDING_MS = 3600_000;

export interface CacheCheckReport {
  ok: boolean;
  budget: number;
  /** The accounting row (reserved or on disk). */
  accountedBytes: number;
  rows: number;
  rowBytes: number;
  files: number;
  fileBytes: number;
  /** Rows whose file is not in the storage. */
  missingFiles: string[];
  /** Files under cache/ that no row names. */
  unknownFiles: string[];
  sizeMismatches: { key: string; rowBytes: number; fileBytes: number }[];
  stalePending: string[];
  repaired: boolean;
}

export async function checkRemoteCache(stores: Stores, storage: MediaStorage, options: { budget: number; repair?: boolean; now?: Date }): Promise<CacheCheckReport> {
  const now = options.now ?? new Date();
  const files = new Map<string, number>();
  for await (const object of storage.list("cache/")) files.set(object.key, object.size);
  const rows = new Map<string, { bytes: number; ready: boolean; createdAt: string }>();
  for (let after = ""; ; ) {
    const page = await stores.mediaCache.page(after, 1000);
    for (const row of page) rows.set(row.key, { bytes: Number(row.bytes), ready: Number(row.ready) === 1, createdAt: row.created_at });
    if (page.length < 1000) break;
    after = page[page.length - 1].key;
  }
  const staleBefore = new Date(now.getTime() - STALE_PENDING_MS).toISOString();
  const report: CacheCheckReport = {
    ok: true,
    budget: options.budget,
    accountedBytes: await stores.mediaCache.usedBytes(),
    rows: rows.size,
    rowBytes: [...rows.values()].reduce((sum, r) => sum + r.bytes, 0),
    files: files.size,
    fileBytes: [...files.values()].reduce((sum, n) => sum + n, 0),
    missingFiles: [],
    unknownFiles: [],
    sizeMismatches: [],
    stalePending: [],
    repaired: false,
  };
  for (const [key, row] of rows) {
    if (!row.ready) {
      if (row.createdAt < staleBefore) report.stalePending.push(key);
      continue;
    }
    const size = files.get(key);
    if (size === undefined) report.missingFiles.push(key);
    else if (size !== row.bytes) report.sizeMismatches.push({ key, rowBytes: row.bytes, fileBytes: size });
  }
  for (const key of files.keys()) if (!rows.has(key)) report.unknownFiles.push(key);
  report.ok =
    report.missingFiles.length === 0 &&
    report.unknownFiles.length === 0 &&
    report.sizeMismatches.length === 0 &&
    report.stalePending.length === 0 &&
    report.accountedBytes === report.rowBytes &&
    report.fileBytes <= options.budget;
  if (!options.repair || report.ok) return report;

  for (const key of [...report.missingFiles, ...report.stalePending]) await stores.mediaCache.deleteRow(key);
  for (let i = 0; i < report.unknownFiles.length; i += 500) await storage.delete(report.unknownFiles.slice(i, i + 500));
  if (report.stalePending.length) await storage.delete(report.stalePending);
  for (const m of report.sizeMismatches) await stores.mediaCache.deleteRow(m.key).then(() => storage.delete([m.key]));
  let remaining = 0;
  for (let after = ""; ; ) {
    const page = await stores.mediaCache.page(after, 1000);
    for (const row of page) remaining += Number(row.bytes);
    if (page.length < 1000) break;
    after = page[page.length - 1].key;
  }
  await stores.mediaCache.setUsedBytes(remaining);
  report.repaired = true;
  return report;
}
