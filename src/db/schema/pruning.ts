// Pruning tables (migration 0031): tombstones of deleted remote objects.
import type { DB } from "../schema.ts";

export interface TombstonesTable {
  /** The first 128 bits of SHA-256(URI), hex: compact, and a collision is 2^-64 likely among 2^32 entries. */
  uri_hash: string;
  /** ISO time after which the prune removes it. */
  expires_at: string;
}

/** The database with the pruning tables (kept out of schema.ts's DB while it is shared; see store/pruning/). */
export interface PruningDB extends DB {
  tombstones: TombstonesTable;
}
