// Table of migration 0036: statuses waiting to be (re)indexed for full-text search (issue 15). The
// index itself (status_search and the engine's index over it, 0029) is written in raw SQL by
// db/dialects/full-text.ts and has no type here.

export interface StatusSearchPendingTable {
  /** A status written or edited since it was last indexed (no foreign key: a deleted one is dropped by the sweep). */
  status_id: string;
  /** When it was (last) queued: an edit of a pending status queues it again, which a sweep that claimed it waits for. */
  queued_at: string;
}

export interface SearchDB {
  status_search_pending: StatusSearchPendingTable;
}
