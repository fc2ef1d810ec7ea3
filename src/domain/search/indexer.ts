// Indexing statuses for full-text search (issue 15). The transaction that writes or edits a
// status only queues its id (status_search_pending, one small row); after the commit, the
// "search-index" sweep (server/scheduler.ts: every second, and at once when this process queued
// something) indexes what is waiting in batches — the poll options and media descriptions of the
// whole batch read in one query, every document written in one statement, in the transaction that
// claimed the batch by deleting its pending rows — which costs posting far less than indexing each post in its own
// transaction (docs/performance/search.md). A post is findable a moment after it is posted. A crash
// leaves the rows pending for the next sweep; several processes claim disjoint batches
// (db/dialects/full-text.ts). Boosts are never indexed (their target is); deleting a status removes
// its index row by the foreign key's cascade, and a pending one is dropped by the sweep.
// SEARCH_INDEXING=off (config.search.indexing) queues nothing, for bulk imports; a reindex
// (`./skein search reindex`, reindexStatuses below) catches up.
import { getLogger } from "@logtape/logtape";
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { FullTextDocument, IndexSource } from "../../store/search/status-index.ts";
import { statusDocument } from "./normalize.ts";
import { nowIso } from "../../util/time.ts";

const logger = getLogger(["skein", "search"]);

/**
 * Posts arriving this fast (a sweep found at least this many waiting, about 50 posts a second
 * with the scheduler's 200 ms nudge) make the sweep gather: it indexes at most once per GATHER_MS
 * until they slow down. A lone post is indexed 0.2 s after it is posted; under load, within about
 * a second. Batches of hundreds cost far less a post than batches of tens: SQLite's FTS5 writes a
 * segment per batch and merges in proportion to the pages it wrote, and each batch repeats the
 * common words (docs/performance/search.md, "Third pass").
 */
const BUSY_BATCH = 10;
const GATHER_MS = 1000;
/**
 * PostgreSQL's GIN index takes new documents into a pending list, which every search reads whole,
 * and merges it into the index: many documents at once cost a fraction of a few at a time (each
 * lexeme's posting tree walked once for all of them: upsert and merge 0.08-0.12 ms a post with
 * 3,000 at once against 0.3-0.45 ms merged 256 kB at a time, docs/performance/search.md, "Eighth
 * pass"). So while posts arrive fast, a sweep merges only once this process has written this many
 * documents since it last did (about 1.2 MB of list: a search reads it in a few milliseconds);
 * when they come slowly, each sweep merges what it wrote, and the list stays near empty.
 */
const MERGE_EVERY = 2000;

/** Links that are not mentions or hashtags make a post match has:link. */
function hasLink(html: string): boolean {
  for (const tag of html.match(/<a\b[^>]*>/gi) ?? []) {
    const cls = /\bclass\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag);
    const classes = cls ? (cls[2] ?? cls[3] ?? "") : "";
    if (!/\b(mention|hashtag)\b/i.test(classes) && /\bhref\s*=/i.test(tag)) return true;
  }
  return false;
}

export function documentOf(source: IndexSource): FullTextDocument {
  return {
    statusId: source.id,
    document: statusDocument({ spoilerText: source.spoiler_text, contentHtml: source.content, pollOptions: source.pollOptions, mediaDescriptions: source.mediaDescriptions }),
    language: source.language,
    hasLink: hasLink(source.content),
  };
}

export class StatusIndexer {
  readonly enabled: boolean;
  private readonly stores: Stores;
  private readonly listeners = new Set<() => void>();
  /** When the last sweep of this process started, and how many statuses it indexed. */
  private lastSweep = { at: 0, handled: 0 };
  /** Documents this process wrote since it last merged the index's pending list (MERGE_EVERY). */
  private unmerged = 0;

  constructor(enabled: boolean, stores: Stores) {
    this.enabled = enabled;
    this.stores = stores;
  }

  /**
   * Queues a status to be (re)indexed, with `tx` the transaction that writes it, so that it is
   * queued if and only if it is written. Skipped for boosts and while indexing is switched off.
   * Call `committed` once the transaction has committed.
   */
  async queue(tx: Stores, status: Pick<StatusRow, "id" | "reblog_of_id">): Promise<void> {
    if (!this.enabled || status.reblog_of_id) return;
    await tx.statusIndex.queue([status.id], nowIso());
  }

  /**
   * For a new status: when to queue it (now), or null when it is not indexed (a boost, or indexing
   * switched off) — given to StatusStore.insert, which queues it with the insert itself.
   */
  queuedAt(status: Pick<StatusRow, "reblog_of_id">): string | null {
    return this.enabled && !status.reblog_of_id ? nowIso() : null;
  }

  /** After a commit that queued statuses: a sweep in this process indexes them now rather than within the second. */
  committed(): void {
    if (!this.enabled) return;
    for (const listener of this.listeners) listener();
  }

  /** `listener` is called whenever this process has queued statuses (the scheduler's nudge); returns how to stop listening. */
  onQueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Indexes the waiting statuses (queued by any process, before a crash too), `batchSize` at a
   * time, until none are left that another process has not claimed; returns how many it handled.
   * Runs whether or not indexing is switched on: what was queued is indexed. While posts arrive
   * fast, a sweep within GATHER_MS of the last one does nothing but ask to be run again shortly;
   * `drain` indexes what is waiting at once all the same.
   */
  async indexPending(options: { batchSize?: number; drain?: boolean } = {}): Promise<number> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 500, 5000));
    const startedAt = Date.now();
    if (!options.drain && this.lastSweep.handled >= BUSY_BATCH && startedAt - this.lastSweep.at < GATHER_MS) {
      // Come back soon (the scheduler's nudge), not only at the sweep's interval, should posting stop now.
      for (const listener of this.listeners) listener();
      return 0;
    }
    let handled = 0;
    for (;;) {
      const claimed = await this.indexBatch(batchSize);
      handled += claimed;
      this.unmerged += claimed;
      if (claimed < batchSize) {
        this.lastSweep = { at: startedAt, handled };
        // Posting is quiet (a sweep of a few posts, or of none after a busy spell), or enough is waiting.
        if (this.unmerged > 0 && (handled < BUSY_BATCH || this.unmerged >= MERGE_EVERY || options.drain)) await this.merge();
        return handled;
      }
      // Let other work (requests, posting) run between batches of a long backlog.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Merges what this process wrote into the index proper (PostgreSQL's GIN pending list; nothing on SQLite). */
  private async merge(): Promise<void> {
    this.unmerged = 0;
    await mergeWritten(this.stores);
  }

  /** One batch in one transaction: claim (deleting the pending rows), read, write the documents. */
  private async indexBatch(limit: number): Promise<number> {
    let claimed: string[] = [];
    try {
      return await this.stores.transaction(async (tx) => {
        claimed = await tx.statusIndex.claimPending(limit);
        await indexClaimed(tx, claimed);
        return claimed.length;
      });
    } catch (error) {
      if (claimed.length === 0) throw error;
      // Rolled back, so all of them are still pending. A status deleted while its document was
      // written (the document's foreign key fails) or one document the engine refuses would fail
      // every batch it is in: one at a time, so that only that one is left out.
      for (const id of claimed) await this.indexOne(id);
      return claimed.length;
    }
  }

  private async indexOne(id: string): Promise<void> {
    try {
      await this.stores.transaction(async (tx) => indexClaimed(tx, await tx.statusIndex.claimPending(1, [id])));
    } catch (error) {
      logger.warn("Status {id} could not be indexed for search and is left out (./skein search reindex tries again): {error}", { id, error });
      await this.stores.statusIndex.claimPending(1, [id]).catch(() => {});
    }
  }
}

/**
 * Merges the documents written lately into the index proper. A role that does not own the index
 * may not: inserts still merge PostgreSQL's list when it reaches its 4 MB limit (migration 0040),
 * and the documents are findable meanwhile, so that is a warning, not a failure.
 */
async function mergeWritten(stores: Stores): Promise<void> {
  try {
    await stores.statusIndex.mergePending();
  } catch (error) {
    logger.warn("Could not merge the search index's pending entries: {error}", { error });
  }
}

/** Indexes the claimed statuses that still exist and are not boosts (a deleted status's id is simply dropped). */
async function indexClaimed(tx: Stores, claimed: readonly string[]): Promise<void> {
  if (claimed.length === 0) return;
  const sources = await tx.statusIndex.sourcesOf(claimed);
  await tx.statusIndex.upsert(sources.map(documentOf));
}

export interface ReindexProgress {
  done: number;
  total: number;
}

/**
 * Rebuilds the index of every status, oldest first, `batchSize` at a time, each batch one short
 * write, so that a running server keeps posting in between. Statuses deleted meanwhile are skipped.
 */
export async function reindexStatuses(stores: Stores, options: { batchSize?: number; onProgress?: (progress: ReindexProgress) => void; signal?: AbortSignal } = {}): Promise<ReindexProgress> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 500, 5000));
  const { statuses: total } = await stores.statusIndex.counts();
  let done = 0;
  let after: string | null = null;
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await stores.statusIndex.batchAfter(after, batchSize);
    if (batch.last === null) break;
    const documents = batch.sources.map(documentOf);
    try {
      await stores.statusIndex.upsert(documents);
    } catch {
      // A status of the batch was deleted since it was read (its foreign key fails): one by one.
      for (const document of documents) await stores.statusIndex.upsert([document]).catch(() => {});
    }
    done += documents.length;
    after = batch.last;
    options.onProgress?.({ done, total: Math.max(total, done) });
    // Let other work (a server in this process, posting) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await mergeWritten(stores);
  return { done, total: Math.max(total, done) };
}
