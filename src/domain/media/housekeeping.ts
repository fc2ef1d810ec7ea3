// What media take and what can go: `./skein media usage` (bytes and files per kind, measured in
// the storage itself) and `./skein media prune` (unattached uploads older than a day, files no
// row names, cache files without a cache row). Kinds are the storage keys' first segments
// (storage/media-storage.ts): attachments/original, attachments/small, avatars, headers,
// emojis, cache/original, cache/small, uploads.
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import { usageKindOfKey } from "./usage.ts";
import type { MediaService, PrunedUpload } from "./media-service.ts";

/** Kinds in the order reports show them, with what an admin calls them. */
export const MEDIA_KINDS: readonly { kind: string; label: string }[] = [
  { kind: "attachments/original", label: "local originals" },
  { kind: "attachments/small", label: "local previews" },
  { kind: "cache/original", label: "remote cache: originals" },
  { kind: "cache/small", label: "remote cache: previews" },
  { kind: "emojis", label: "custom emojis" },
  { kind: "avatars", label: "avatars" },
  { kind: "headers", label: "headers" },
  { kind: "uploads", label: "uploads being processed" },
  { kind: "other", label: "other" },
];

export const labelOfKind = (kind: string) => MEDIA_KINDS.find((k) => k.kind === kind)?.label ?? kind;

/** Prefixes the prune looks for orphans under (files whose row is gone). */
const ORPHAN_PREFIXES = ["attachments/", "avatars/", "headers/", "emojis/", "uploads/"];
/** A file younger than this may belong to a row not yet written (uploads store the file first). */
const ORPHAN_MIN_AGE_MS = 3600_000;
/** Uploads never attached to a post go after a day (as in Mastodon); the hourly sweep uses it too. */
export const UNATTACHED_AGE_MS = 24 * 3600_000;
/** A run of the CLI removes (or with --dry-run lists) at most this many unattached uploads. */
const MAX_UNATTACHED_PER_RUN = 500_000;

export interface StorageUsage {
  driver: "local" | "s3";
  kinds: { kind: string; label: string; files: number; bytes: number }[];
  totalFiles: number;
  totalBytes: number;
}

/** Bytes and files per kind, listed from the storage (what is really there, and billed). */
export async function measureStorage(storage: MediaStorage): Promise<StorageUsage> {
  const totals = new Map<string, { files: number; bytes: number }>();
  for await (const object of storage.list("")) {
    const kind = usageKindOfKey(object.key);
    const entry = totals.get(kind) ?? { files: 0, bytes: 0 };
    entry.files++;
    entry.bytes += object.size;
    totals.set(kind, entry);
  }
  const kinds = MEDIA_KINDS.map(({ kind, label }) => ({ kind, label, ...(totals.get(kind) ?? { files: 0, bytes: 0 }) })).filter(
    (k) => k.files > 0 || k.kind !== "other",
  );
  return { driver: storage.driver, kinds, totalFiles: kinds.reduce((s, k) => s + k.files, 0), totalBytes: kinds.reduce((s, k) => s + k.bytes, 0) };
}

export interface MediaUsageReport extends StorageUsage {
  /** The remote cache as its rows and accounting see it, against its budget. */
  cache: { budget: number; accountedBytes: number; rows: { variant: string; files: number; bytes: number }[] };
  /** Rows that name media (remote files are fetched only when viewed). */
  rows: Awaited<ReturnType<Stores["mediaUsage"]["rowCounts"]>>;
}

export async function mediaUsageReport(stores: Stores, storage: MediaStorage, budget: number): Promise<MediaUsageReport> {
  const [measured, accountedBytes, cacheRows, rows] = await Promise.all([
    measureStorage(storage),
    stores.mediaCache.usedBytes(),
    stores.mediaCache.totals(),
    stores.mediaUsage.rowCounts(),
  ]);
  return { ...measured, cache: { budget, accountedBytes, rows: cacheRows }, rows };
}

export interface PruneReport {
  dryRun: boolean;
  unattached: PrunedUpload[];
  orphans: { key: string; size: number }[];
  cacheOrphans: { key: string; size: number }[];
  bytes: number;
}

/**
 * Removes (or with dryRun lists) what nothing uses: uploads never attached to a post after a day,
 * with their files; files under attachments/ avatars/ headers/ emojis/ uploads/ that no row names
 * (older than an hour, so an upload between its file and its row is left alone); files under
 * cache/ without a cache row (the check's "unknown files", same age rule).
 */
export async function pruneMedia(stores: Stores, storage: MediaStorage, media: Pick<MediaService, "pruneUnattached">, options: { dryRun: boolean; now?: Date }): Promise<PruneReport> {
  const now = options.now ?? new Date();
  const report: PruneReport = { dryRun: options.dryRun, unattached: [], orphans: [], cacheOrphans: [], bytes: 0 };
  const unattachedCutoff = new Date(now.getTime() - UNATTACHED_AGE_MS).toISOString();
  report.unattached = await media.pruneUnattached(unattachedCutoff, { dryRun: options.dryRun, limit: MAX_UNATTACHED_PER_RUN });
  const prunedKeys = new Set(report.unattached.flatMap((u) => u.keys));

  const oldEnough = async (key: string) => {
    const info = await storage.head(key);
    return info !== null && now.getTime() - info.lastModified.getTime() >= ORPHAN_MIN_AGE_MS;
  };
  const sweep = async (prefix: string, known: (keys: string[]) => Promise<Set<string>>, into: { key: string; size: number }[]) => {
    let batch: { key: string; size: number }[] = [];
    const judge = async () => {
      const named = await known(batch.map((o) => o.key));
      const orphans: { key: string; size: number }[] = [];
      for (const object of batch) if (!named.has(object.key) && !prunedKeys.has(object.key) && (await oldEnough(object.key))) orphans.push(object);
      into.push(...orphans);
      if (!options.dryRun && orphans.length) await storage.delete(orphans.map((o) => o.key));
      batch = [];
    };
    for await (const object of storage.list(prefix)) {
      batch.push(object);
      if (batch.length === 500) await judge();
    }
    if (batch.length) await judge();
  };
  for (const prefix of ORPHAN_PREFIXES) await sweep(prefix, (keys) => stores.mediaUsage.referencedKeys(keys), report.orphans);
  await sweep("cache/", (keys) => stores.mediaCache.existingKeys(keys), report.cacheOrphans);
  report.bytes = [...report.orphans, ...report.cacheOrphans].reduce((s, o) => s + o.size, 0);
  return report;
}
