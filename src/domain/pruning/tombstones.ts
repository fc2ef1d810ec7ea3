// Tombstones: a remote post its author deleted is remembered (a 128-bit hash of its URI, until
// an expiry) so that a late Create or Update of it — a peer's retry, a relay, a boost fetched
// after the Delete — does not bring it back. Recorded by the inbox's Delete (also for a post we
// never had: Deletes can overtake Creates), consulted before any remote post is stored
// (federation/resolver.ts), and removed once expired by the prune.
import { createHash } from "node:crypto";
import type { TombstoneStore } from "../../store/pruning/tombstones.ts";


export function uriHash(uri: string): string {
  return createHash("sha256").update(uri).digest("hex").slice(0, 32);
}

export class TombstoneService {
  private readonly store: TombstoneStore;
  private readonly ttlMs: number;
  constructor(store: TombstoneStore, ttlDays: number) {
    this.store = store;
    this.ttlMs = ttlDays * 86400_000;
  }

  /** Remembers that `uri` was deleted by its author. */
  async record(uri: string, now = new Date()): Promise<void> {
    await this.store.put(uriHash(uri), new Date(now.getTime() + this.ttlMs).toISOString());
  }

  /** Whether `uri` was deleted (and the tombstone has not expired). */
  isDeleted(uri: string, now = new Date()): Promise<boolean> {
    return this.store.has(uriHash(uri), now.toISOString());
  }
}
