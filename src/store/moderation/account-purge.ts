// Removes everything of some accounts: their posts and boosts (with what hangs off them), their
// favourites, bookmarks, pins and poll votes, follows and requests both ways, blocks and mutes
// both ways, notifications from and to them, mentions of them, list memberships, lists, filters,
// media — and, when asked, the account rows themselves. Used for a suspended server's accounts
// (rows removed) and for a local account suspended and purged (row kept, as Mastodon keeps it).
//
// Work is done in bounded chunks, each chunk one transaction in which the counters it affects
// (a surviving post's boosts, favourites and replies, a surviving account's followers, following
// and posts, a poll's votes) are decreased by exactly what the chunk deletes. A chunk either
// happens whole or not at all, so a purge interrupted anywhere can simply be run again: it
// carries on with what is left and never counts anything twice.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** Accounts handled per call; callers pass batches of at most this many ids. */
export const PURGE_ACCOUNTS_BATCH = 100;
const STATUS_CHUNK = 500;
const ROW_CHUNK = 1000;

export interface PurgeOptions {
  /** Remove the account rows too (a suspended server's accounts); false keeps them, emptied. */
  deleteAccountRows: boolean;
}

export interface PurgeCounts {
  accounts: number;
  statuses: number;
  favourites: number;
  follows: number;
  notifications: number;
}

type Counter = "followers_count" | "following_count" | "statuses_count";
type StatusCounter = "replies_count" | "reblogs_count" | "favourites_count";

export class AccountPurgeStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Purges `ids` (any number; handled PURGE_ACCOUNTS_BATCH at a time). Safe to run again after an interruption. */
  async purgeAccounts(ids: readonly string[], options: PurgeOptions): Promise<PurgeCounts> {
    const total: PurgeCounts = { accounts: 0, statuses: 0, favourites: 0, follows: 0, notifications: 0 };
    for (let i = 0; i < ids.length; i += PURGE_ACCOUNTS_BATCH) {
      const batch = ids.slice(i, i + PURGE_ACCOUNTS_BATCH);
      const counts = await this.purgeBatch(batch, options);
      for (const key of Object.keys(total) as (keyof PurgeCounts)[]) total[key] += counts[key];
    }
    return total;
  }

  private async purgeBatch(ids: readonly string[], options: PurgeOptions): Promise<PurgeCounts> {
    const counts: PurgeCounts = { accounts: 0, statuses: 0, favourites: 0, follows: 0, notifications: 0 };
    if (ids.length === 0) return counts;
    for (;;) {
      const removed = await this.statusChunk(ids);
      counts.statuses += removed;
      if (removed < STATUS_CHUNK) break;
    }
    for (;;) {
      const removed = await this.favouriteChunk(ids);
      counts.favourites += removed;
      if (removed < ROW_CHUNK) break;
    }
    while ((await this.pollVoteChunk(ids)) === ROW_CHUNK);
    counts.follows += await this.follows(ids);
    counts.notifications += await this.notifications(ids);
    await this.relations(ids);
    counts.accounts = await this.transaction(async (db) => {
      if (options.deleteAccountRows) return Number((await db.deleteFrom("accounts").where("id", "in", ids).executeTakeFirst()).numDeletedRows);
      await db.updateTable("accounts").set({ followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: null }).where("id", "in", ids).execute();
      return ids.length;
    });
    return counts;
  }

  /** One chunk of their statuses (boosts included), with the counters of what survives them. */
  private statusChunk(ids: readonly string[]): Promise<number> {
    return this.transaction(async (db) => {
      const rows = await db.selectFrom("statuses").select(["id", "reblog_of_id", "in_reply_to_id"]).where("account_id", "in", ids).orderBy("id").limit(STATUS_CHUNK).execute();
      if (rows.length === 0) return 0;
      const statusIds = rows.map((r) => r.id);
      // Others' boosts of these posts go with them (the foreign key cascades): their authors' post counts drop.
      const boosters = await db
        .selectFrom("statuses")
        .select(["account_id", (eb) => eb.fn.countAll<string | number>().as("n")])
        .where("reblog_of_id", "in", statusIds)
        .where("account_id", "not in", ids)
        .groupBy("account_id")
        .execute();
      await bumpAccounts(db, "statuses_count", boosters);
      await bumpStatuses(db, "reblogs_count", tally(rows.map((r) => r.reblog_of_id)));
      await bumpStatuses(db, "replies_count", tally(rows.map((r) => r.in_reply_to_id)));
      await db.deleteFrom("statuses").where("id", "in", statusIds).execute();
      return rows.length;
    });
  }

  private favouriteChunk(ids: readonly string[]): Promise<number> {
    return this.transaction(async (db) => {
      const rows = await db.selectFrom("favourites").select(["id", "status_id"]).where("account_id", "in", ids).limit(ROW_CHUNK).execute();
      if (rows.length === 0) return 0;
      await bumpStatuses(db, "favourites_count", tally(rows.map((r) => r.status_id)));
      await db.deleteFrom("favourites").where("id", "in", rows.map((r) => r.id)).execute();
      return rows.length;
    });
  }

  /** Their votes in others' polls: the option and poll totals drop, and a voter less per poll. */
  private pollVoteChunk(ids: readonly string[]): Promise<number> {
    return this.transaction(async (db) => {
      // Whole (poll, account) pairs at a time, so a voter is counted out of a poll exactly once.
      const pairs = await db.selectFrom("poll_votes").select(["poll_id", "account_id"]).distinct().where("account_id", "in", ids).limit(ROW_CHUNK).execute();
      if (pairs.length === 0) return 0;
      for (const { poll_id, account_id } of pairs) {
        const votes = await db.selectFrom("poll_votes").select(["id", "choice"]).where("poll_id", "=", poll_id).where("account_id", "=", account_id).execute();
        for (const [choice, n] of tally(votes.map((v) => String(v.choice)))) {
          await db
            .updateTable("poll_options")
            .set({ votes_count: sql`case when votes_count < ${n} then 0 else votes_count - ${n} end` })
            .where("poll_id", "=", poll_id)
            .where("position", "=", Number(choice))
            .execute();
        }
        await db
          .updateTable("polls")
          .set({
            votes_count: sql`case when votes_count < ${votes.length} then 0 else votes_count - ${votes.length} end`,
            voters_count: sql`case when voters_count < 1 then 0 else voters_count - 1 end`,
          })
          .where("id", "=", poll_id)
          .execute();
        await db.deleteFrom("poll_votes").where("poll_id", "=", poll_id).where("account_id", "=", account_id).execute();
      }
      return pairs.length;
    });
  }

  /** Follows both ways: the surviving side's follower and following counts drop. */
  private follows(ids: readonly string[]): Promise<number> {
    return this.transaction(async (db) => {
      const outgoing = await db
        .selectFrom("follows")
        .select(["target_account_id as account_id", (eb) => eb.fn.countAll<string | number>().as("n")])
        .where("account_id", "in", ids)
        .where("target_account_id", "not in", ids)
        .groupBy("target_account_id")
        .execute();
      const incoming = await db
        .selectFrom("follows")
        .select(["account_id", (eb) => eb.fn.countAll<string | number>().as("n")])
        .where("target_account_id", "in", ids)
        .where("account_id", "not in", ids)
        .groupBy("account_id")
        .execute();
      await bumpAccounts(db, "followers_count", outgoing);
      await bumpAccounts(db, "following_count", incoming);
      const removed = await db.deleteFrom("follows").where((eb) => eb.or([eb("account_id", "in", ids), eb("target_account_id", "in", ids)])).executeTakeFirst();
      return Number(removed.numDeletedRows);
    });
  }

  private async notifications(ids: readonly string[]): Promise<number> {
    const removed = await this.db.deleteFrom("notifications").where((eb) => eb.or([eb("from_account_id", "in", ids), eb("account_id", "in", ids)])).executeTakeFirst();
    return Number(removed.numDeletedRows);
  }

  /** Everything else that names them, none of it counted anywhere. */
  private async relations(ids: readonly string[]): Promise<void> {
    const db = this.db;
    for (const table of ["follow_requests", "blocks", "mutes"] as const) {
      await db.deleteFrom(table).where((eb) => eb.or([eb("account_id", "in", ids), eb("target_account_id", "in", ids)])).execute();
    }
    await db.deleteFrom("suggestion_dismissals").where((eb) => eb.or([eb("account_id", "in", ids), eb("target_account_id", "in", ids)])).execute();
    for (const table of ["bookmarks", "status_pins", "mentions", "list_accounts", "media_attachments", "lists", "tag_follows", "filters", "markers",
      "conversation_mutes", "account_conversations", "home_feed", "account_domain_blocks", "notification_policies", "idempotency_keys",
      "announcement_reactions", "announcement_dismissals", "annual_reports", "scheduled_statuses"] as const) {
      await db.deleteFrom(table).where("account_id", "in", ids).execute();
    }
  }

  private transaction<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }
}

/** How many times each non-null value occurs. */
function tally(values: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

async function bumpAccounts(db: Kysely<DB>, column: Counter, rows: readonly { account_id: string; n: string | number }[]): Promise<void> {
  for (const { account_id, n } of rows) {
    const by = Number(n);
    await db.updateTable("accounts").set({ [column]: sql`case when ${sql.ref(column)} < ${by} then 0 else ${sql.ref(column)} - ${by} end` } as never).where("id", "=", account_id).execute();
  }
}

async function bumpStatuses(db: Kysely<DB>, column: StatusCounter, counts: Map<string, number>): Promise<void> {
  for (const [id, by] of counts) {
    await db.updateTable("statuses").set({ [column]: sql`case when ${sql.ref(column)} < ${by} then 0 else ${sql.ref(column)} - ${by} end` } as never).where("id", "=", id).execute();
  }
}
