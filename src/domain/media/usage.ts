// What media this process served, counted in memory and added to media_usage_daily every
// ~10 s and at shutdown: one upsert per (day, kind) instead of a write per request, so counting
// costs nothing a reader would notice. The cost report reads the table.
import { getLogger } from "@logtape/logtape";
import type { Stores } from "../../store/stores.ts";

const logger = getLogger(["skein", "media", "usage"]);
export const USAGE_FLUSH_MS = 10_000;

/**
 * The kind a storage key is counted under, from its first segment (and the second, for
 * attachments and the cache): attachments/original, attachments/small, avatars, headers, emojis,
 * cache/original, cache/small, uploads.
 */
export function usageKindOfKey(key: string): string {
  const [first, second] = key.split("/", 2);
  if ((first === "attachments" || first === "cache") && (second === "original" || second === "small")) return `${first}/${second}`;
  if (["avatars", "headers", "emojis", "uploads"].includes(first)) return first;
  return "other";
}

export class MediaUsage {
  private readonly stores: Stores;
  private pending = new Map<string, { bytes: number; requests: number }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Counts one response of `bytes` bytes of `kind` (see usageKindOfKey). */
  record(kind: string, bytes: number): void {
    const key = `${new Date().toISOString().slice(0, 10)}|${kind}`;
    const entry = this.pending.get(key) ?? { bytes: 0, requests: 0 };
    entry.bytes += Math.max(0, Math.floor(bytes));
    entry.requests += 1;
    this.pending.set(key, entry);
    if (!this.timer) {
      // Unref'd: a command that served nothing more is not kept alive by the counter.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch((error) => logger.warn("Could not write media usage: {error}", { error }));
      }, USAGE_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Counts a response for a storage key. */
  recordKey(key: string, bytes: number): void {
    this.record(usageKindOfKey(key), bytes);
  }

  /** Writes what was counted so far (also at shutdown). Counts that fail to write are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => {}).then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const rows = [...batch].map(([key, v]) => {
        const [day, kind] = key.split("|", 2);
        return { day, kind, bytes: v.bytes, requests: v.requests };
      });
      try {
        await this.stores.mediaUsage.add(rows);
      } catch (error) {
        for (const [key, v] of batch) {
          const entry = this.pending.get(key) ?? { bytes: 0, requests: 0 };
          this.pending.set(key, { bytes: entry.bytes + v.bytes, requests: entry.requests + v.requests });
        }
        throw error;
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch((error) => logger.warn("Could not write media usage at shutdown: {error}", { error }));
  }
}
