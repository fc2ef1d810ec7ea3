// Pruning tables (migration 0031): tombstones of deleted remote objects.

export interface TombstonesTable {
  /** The first 128 bits of SHA-256(URI), hex: compact, and a collision is 2^-64 likely among 2^32 entries. */
  uri_hash: string;
  /** ISO time after which the prune removes it. */
  expires_at: string;
}
