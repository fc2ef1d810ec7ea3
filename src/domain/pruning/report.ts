// What a prune did (or, dry, would do): rows per kind, files, the database's size before and
// after, the time taken; and how `./skein prune` prints it.
import type { RemovedRows } from "../../store/pruning/remote-posts.ts";

export interface DatabaseSizeFigure {
  bytes: number;
  /** SQLite only: free pages inside the file (reused by later writes; VACUUM would return them). */
  freeBytes: number | null;
}

export interface PruneReport {
  dryRun: boolean;
  /** Set when nothing ran: another prune holds the lease. */
  skipped: string | null;
  olderThanDays: number;
  /** Remote posts created before this were looked at. */
  cutoff: string;
  /** Remote posts looked at, and kept because a local account has a part in them. */
  examined: number;
  kept: number;
  removed: RemovedRows & { accountsStubbed: number; tombstonesExpired: number; cacheFiles: number; cacheBytes: number };
  sizeBefore: DatabaseSizeFigure | null;
  sizeAfter: DatabaseSizeFigure | null;
  seconds: number;
}

const LABELS: [keyof PruneReport["removed"], string][] = [
  ["statuses", "remote posts"],
  ["boosts", "boosts of them (and old remote boosts)"],
  ["edits", "edits"],
  ["polls", "polls"],
  ["media", "media attachments"],
  ["mentions", "mentions"],
  ["tags", "hashtag links"],
  ["feedEntries", "home and list feed entries"],
  ["accountsStubbed", "remote profiles reduced to stubs"],
  ["tombstonesExpired", "expired tombstones"],
  ["cacheFiles", "cached remote media files"],
];

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatPruneReport(report: PruneReport): string {
  if (report.skipped) return `Nothing done: ${report.skipped}\n`;
  const verb = report.dryRun ? "Would remove" : "Removed";
  const lines = [
    `Remote posts older than ${report.olderThanDays} days (before ${report.cutoff}): ${report.examined} looked at, ${report.kept} kept (a local account has a part in them).`,
    `${verb} (rows):`,
    ...LABELS.map(([key, label]) => `  ${label.padEnd(40)} ${String(report.removed[key]).padStart(10)}`),
    `  ${"cached remote media bytes".padEnd(40)} ${mb(report.removed.cacheBytes).padStart(10)}`,
  ];
  const size = (s: DatabaseSizeFigure | null) => (s ? `${mb(s.bytes)}${s.freeBytes !== null ? ` (${mb(s.freeBytes)} free inside the file)` : ""}` : "unknown");
  lines.push(`Database size: ${size(report.sizeBefore)} before, ${size(report.sizeAfter)} after${report.sizeAfter?.freeBytes !== null && report.sizeAfter?.freeBytes !== undefined ? " (SQLite: freed pages stay in the file for reuse; no VACUUM is run)" : ""}.`);
  lines.push(`Took ${report.seconds.toFixed(1)} s.${report.dryRun ? " Nothing was removed (--dry-run)." : ""}`);
  return `${lines.join("\n")}\n`;
}
