// Indexing statuses for full-text search: one status as it is written (inside the writer's
// transaction, so the index never lags a post), and the whole index rebuilt in batches
// (`./skein search reindex`, the benchmark). Boosts are never indexed (their target is); deleting
// a status removes its row by the foreign key's cascade, so no delete path has to call us.
// SEARCH_INDEXING=off (config.search.indexing) skips indexing new and edited posts, for bulk
// imports; a reindex afterwards catches up.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { FullTextDocument, IndexSource } from "../../store/search/status-index.ts";
import { statusDocument } from "./normalize.ts";

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
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /**
   * (Re)indexes one status with `stores` — pass the transaction that wrote it, after its poll
   * and attachments are written. Skipped for boosts and while indexing is switched off.
   */
  async index(stores: Stores, status: Pick<StatusRow, "id" | "content" | "spoiler_text" | "language" | "reblog_of_id">): Promise<void> {
    if (!this.enabled || status.reblog_of_id) return;
    const [source] = await stores.statusIndex.sources([status]);
    if (source) await stores.statusIndex.upsert([documentOf(source)]);
  }
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
  return { done, total: Math.max(total, done) };
}
