// Data access for the materialized home feeds.
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { queryTemplate } from "../db/query-templates.ts";

// A post's fan-out into its followers' feeds, compiled once per padded number of readers
// (db/query-templates.ts: a padded list repeats its last reader, whose second row the conflict
// clause leaves alone). Past the template's longest list, built as usual.
const addToFeeds = queryTemplate((db: Kysely<DB>, p: { statusId: string; readerIds: readonly string[] }) =>
  db
    .insertInto("home_feed")
    .values(p.readerIds.map((account_id) => ({ account_id, status_id: p.statusId })))
    .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing()),
);

export class FeedStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Puts one status into many readers' feeds; rows already there are left alone. */
  async add(statusId: string, readerIds: readonly string[]): Promise<void> {
    const unique = [...new Set(readerIds)];
    // Batches keep each statement under SQLite's parameter limit.
    for (let i = 0; i < unique.length; i += 400) {
      await addToFeeds(this.db, { statusId, readerIds: unique.slice(i, i + 400) });
    }
  }

  /** Copies an author's recent statuses into a new follower's feed. */
  async backfill(readerId: string, statusIds: readonly string[]): Promise<void> {
    if (statusIds.length === 0) return;
    await this.db
      .insertInto("home_feed")
      .values(statusIds.map((status_id) => ({ account_id: readerId, status_id })))
      .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
      .execute();
  }

  /** Takes an author's statuses (and boosts) out of a reader's feed, after an unfollow or block. */
  async removeAuthor(readerId: string, authorId: string): Promise<void> {
    await this.db
      .deleteFrom("home_feed")
      .where("account_id", "=", readerId)
      .where("status_id", "in", (eb) => eb.selectFrom("statuses").select("id").where("account_id", "=", authorId))
      .execute();
  }
}
