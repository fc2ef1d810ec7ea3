// Remote data with limits (issue 16). Remote posts older than the retention that no local
// account has a part in are removed with what hangs off them (boosts by remote accounts, edits,
// polls, attachments; the foreign keys cascade search and link-preview rows too) and their files
// in the remote-media cache; remote profiles nobody here is tied to become stubs (identity, URI
// and inbox kept, so the actor's signatures still verify and its next Update refills it);
// expired tombstones go.
//
// What keeps a post (store/pruning/remote-posts.ts has the queries): favourited, bookmarked,
// boosted, replied to, quoted, voted in, pinned, mentioning a local account, in a local
// account's notifications or direct conversations or filters, in a thread with a local post, a
// boost of a local post, named by a report — and being among the newest HOME_FEED_DEPTH entries
// of a local reader's home feed (itself or a boost of it), so what a reader scrolls through is
// unchanged.
//
// Work goes in batches of BATCH posts, each removed in one short transaction, with a pause in
// between so a server running beside it keeps serving. One prune at a time across processes: a
// lease row in the kv table, renewed every batch (store/pruning/tombstones.ts).
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import { emptyRemovedRows, type PruneCandidate } from "../../store/pruning/remote-posts.ts";
import { idAtTime } from "../../util/ids.ts";
import type { DatabaseSizeFigure, PruneReport } from "./report.ts";

/** Posts looked at per batch (one transaction removes at most this many). */
export const BATCH = 500;
/** A reader's newest home-feed entries that stay whatever their age (Mastodon keeps 800 in a home feed). */
export const HOME_FEED_DEPTH = 800;
const LEASE_MS = 5 * 60_000;
const TOMBSTONE_BATCH = 1000;

export interface PruneOptions {
  olderThanDays: number;
  dryRun: boolean;
  now?: Date;
  /** Told after every batch of posts (a long prune's progress). */
  progress?: (report: PruneReport) => void;
}

export interface PruningPorts {
  /** The database's size (db/dialects/database-size.ts, plugged by the server or CLI); null: not measured. */
  databaseSize: (() => Promise<DatabaseSizeFigure>) | null;
}

export class PruningService {
  private readonly stores: Stores;
  private readonly storage: () => MediaStorage;
  ports: PruningPorts = { databaseSize: null };

  constructor(stores: Stores, storage: () => MediaStorage) {
    this.stores = stores;
    this.storage = storage;
  }

  async prune(options: PruneOptions): Promise<PruneReport> {
    const started = performance.now();
    const now = options.now ?? new Date();
    const cutoffDate = new Date(now.getTime() - options.olderThanDays * 86400_000);
    const report: PruneReport = {
      dryRun: options.dryRun,
      skipped: null,
      olderThanDays: options.olderThanDays,
      cutoff: cutoffDate.toISOString(),
      examined: 0,
      kept: 0,
      removed: { ...emptyRemovedRows(), accountsStubbed: 0, tombstonesExpired: 0, cacheFiles: 0, cacheBytes: 0 },
      sizeBefore: null,
      sizeAfter: null,
      seconds: 0,
    };
    const owner = `${hostname()}:${process.pid}:${randomBytes(6).toString("hex")}`;
    const lease = async () => options.dryRun || (await this.stores.tombstones.takeLease(owner, new Date().toISOString(), new Date(Date.now() + LEASE_MS).toISOString()));
    if (!(await lease())) {
      report.skipped = "another prune is running (it holds the lease)";
      return report;
    }
    try {
      report.sizeBefore = (await this.ports.databaseSize?.()) ?? null;
      await this.posts(report, idAtTime(cutoffDate), options, lease);
      await this.accounts(report, cutoffDate.toISOString(), options.dryRun, lease);
      await this.tombstones(report, now.toISOString(), options.dryRun);
      report.sizeAfter = (await this.ports.databaseSize?.()) ?? null;
    } finally {
      if (!options.dryRun) await this.stores.tombstones.releaseLease(owner);
    }
    report.seconds = (performance.now() - started) / 1000;
    return report;
  }

  private async posts(report: PruneReport, beforeId: string, options: PruneOptions, lease: () => Promise<boolean>): Promise<void> {
    const store = this.stores.prunePosts;
    const floors = await store.feedFloors(HOME_FEED_DEPTH);
    const reported = await store.reportedStatusIds();
    let cursor = "0";
    for (;;) {
      const page = await store.page(cursor, beforeId, BATCH);
      if (page.length === 0) break;
      cursor = page[page.length - 1].id;
      report.examined += page.length;
      const kept = await store.touchedLocally(page);
      for (const p of page) if (reported.has(p.id)) kept.add(p.id);
      for (const id of await this.inRecentFeeds(page, floors)) kept.add(id);
      const doomed = page.filter((p) => !kept.has(p.id));
      report.kept += page.length - doomed.length;
      if (doomed.length > 0) await this.removeBatch(report, doomed, page, options.dryRun);
      options.progress?.(report);
      if (page.length < BATCH) break;
      if (!(await lease())) throw new Error("the prune lost its lease to another process");
      await pause();
    }
  }

  /** Posts of the page that are, themselves or as a boost, among a reader's newest feed entries. */
  private async inRecentFeeds(page: readonly PruneCandidate[], floors: Map<string, string | null>): Promise<Set<string>> {
    const protectedIds = new Set<string>();
    if (floors.size === 0) return protectedIds;
    const ids = page.map((p) => p.id);
    const boosts = await this.stores.prunePosts.boostsOf(ids);
    const targetOf = new Map<string, string>(boosts.map((b) => [b.id, b.reblog_of_id!]));
    for (const row of await this.stores.prunePosts.feedRows([...ids, ...boosts.map((b) => b.id)])) {
      if (!floors.has(row.account_id)) continue;
      const floor = floors.get(row.account_id) ?? null;
      if (floor !== null && BigInt(row.status_id) < BigInt(floor)) continue;
      protectedIds.add(row.status_id);
      const target = targetOf.get(row.status_id);
      if (target) protectedIds.add(target);
    }
    return protectedIds;
  }

  private async removeBatch(report: PruneReport, doomed: PruneCandidate[], page: readonly PruneCandidate[], dryRun: boolean): Promise<void> {
    const store = this.stores.prunePosts;
    const ids = doomed.map((p) => p.id);
    const counts = await store.count(ids, page);
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) report.removed[key] += counts[key];
    const urls = await store.mediaUrls(ids);
    let gone = new Set(ids);
    if (!dryRun) {
      const removed = await store.remove(doomed);
      if (removed.length < doomed.length) {
        // Touched by a local account while the batch was judged: kept (the posts are recounted, their dependents are not).
        report.kept += doomed.length - removed.length;
        report.removed.statuses -= doomed.length - removed.length;
        gone = new Set(removed.map((p) => p.id));
      }
    }
    await this.dropCached(report, urls.filter((u) => gone.has(u.status_id)).map((u) => u.url), dryRun);
  }

  private async accounts(report: PruneReport, cutoff: string, dryRun: boolean, lease: () => Promise<boolean>): Promise<void> {
    const store = this.stores.pruneAccounts;
    let cursor = "0";
    for (;;) {
      const page = await store.page(cursor, cutoff, BATCH);
      if (page.length === 0) break;
      cursor = page[page.length - 1].id;
      const tied = await store.tiedLocally(page.map((a) => a.id));
      const stubs = page.filter((a) => !tied.has(a.id));
      report.removed.accountsStubbed += dryRun ? stubs.length : await store.stub(stubs.map((a) => a.id));
      await this.dropCached(report, stubs.flatMap((a) => [a.avatar_url, a.header_url]).filter((u): u is string => !!u), dryRun);
      if (page.length < BATCH) break;
      if (!(await lease())) throw new Error("the prune lost its lease to another process");
      await pause();
    }
  }

  /**
   * Cached copies of these origin URLs leave the remote-media cache as an eviction does: the row
   * first (one process wins it), then the file, then the bytes go back to the budget. A copy
   * another surviving row also names is simply fetched again if that row is ever viewed.
   */
  private async dropCached(report: PruneReport, urls: string[], dryRun: boolean): Promise<void> {
    if (urls.length === 0) return;
    const rows = await this.stores.pruneAccounts.cacheRowsFor(urls);
    if (dryRun) {
      report.removed.cacheFiles += rows.length;
      report.removed.cacheBytes += rows.reduce((s, r) => s + r.bytes, 0);
      return;
    }
    const claimed: string[] = [];
    let freed = 0;
    for (const row of rows) {
      const bytes = await this.stores.mediaCache.claimForEviction(row.key);
      if (bytes === null) continue;
      claimed.push(row.key);
      freed += bytes;
    }
    if (claimed.length === 0) return;
    await this.storage().delete(claimed);
    await this.stores.mediaCache.release(freed);
    report.removed.cacheFiles += claimed.length;
    report.removed.cacheBytes += freed;
  }

  private async tombstones(report: PruneReport, now: string, dryRun: boolean): Promise<void> {
    if (dryRun) {
      report.removed.tombstonesExpired = await this.stores.tombstones.countExpired(now);
      return;
    }
    for (;;) {
      const removed = await this.stores.tombstones.deleteExpired(now, TOMBSTONE_BATCH);
      report.removed.tombstonesExpired += removed;
      if (removed < TOMBSTONE_BATCH) break;
    }
  }
}

/** Lets the event loop (a server's requests, in the same process) run between batches. */
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
