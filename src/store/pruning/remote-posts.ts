// The prune's queries over remote posts: a page of old remote posts, which of them local
// accounts have touched (each rule one query over the page's ids, every one on an index), and
// removing a batch with what hangs off it. Queries only; the rules' list and the batching are
// domain/pruning/'s.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface PruneCandidate {
  id: string;
  account_id: string;
  reblog_of_id: string | null;
  in_reply_to_id: string | null;
  conversation_id: string;
}

/** Rows that go with a batch of posts (counted before the delete; the foreign keys cascade them). */
export interface RemovedRows {
  statuses: number;
  boosts: number;
  edits: number;
  polls: number;
  media: number;
  mentions: number;
  tags: number;
  feedEntries: number;
}

export const emptyRemovedRows = (): RemovedRows => ({ statuses: 0, boosts: 0, edits: 0, polls: 0, media: 0, mentions: 0, tags: 0, feedEntries: 0 });

/** The ids of local accounts, as a subquery: what the local-tie checks compare against. */
export const localAccounts = (db: Kysely<DB>) => db.selectFrom("accounts").select("id").where("domain", "is", null);

export class RemotePostPruneStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Remote posts (and boosts) with ids in (afterId, beforeId), oldest first: ids are creation times. */
  page(afterId: string, beforeId: string, limit: number): Promise<PruneCandidate[]> {
    return this.db
      .selectFrom("statuses")
      .select(["id", "account_id", "reblog_of_id", "in_reply_to_id", "conversation_id"])
      .where("id", ">", afterId)
      .where("id", "<", beforeId)
      .where("local", "=", 0)
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  /**
   * Which of `posts` a local account has a part in, one query per kind: favourited, bookmarked,
   * boosted, replied to, mentioned in, quoted (or quoting a local post), voted in its poll,
   * pinned, notified about, filtered, in a direct conversation, in a thread with a local post,
   * a boost of a local post.
   */
  async touchedLocally(posts: readonly PruneCandidate[]): Promise<Set<string>> {
    const kept = new Set<string>();
    if (posts.length === 0) return kept;
    const db = this.db;
    const ids = posts.map((p) => p.id);
    const add = (rows: { id: string | null }[]) => {
      for (const r of rows) if (r.id !== null) kept.add(String(r.id));
    };
    for (const table of ["favourites", "bookmarks"] as const) {
      add(await db.selectFrom(table).select("status_id as id").where("status_id", "in", ids).where("account_id", "in", localAccounts(db)).execute());
    }
    add(await db.selectFrom("status_pins").select("status_id as id").where("status_id", "in", ids).execute());
    add(await db.selectFrom("statuses").select("reblog_of_id as id").where("reblog_of_id", "in", ids).where("local", "=", 1).execute());
    add(await db.selectFrom("statuses").select("in_reply_to_id as id").where("in_reply_to_id", "in", ids).where("local", "=", 1).execute());
    add(await db.selectFrom("mentions").select("status_id as id").where("status_id", "in", ids).where("account_id", "in", localAccounts(db)).execute());
    add(
      await db
        .selectFrom("quotes as q")
        .innerJoin("statuses as qs", "qs.id", "q.status_id")
        .select("q.quoted_status_id as id")
        .where("q.quoted_status_id", "in", ids)
        .where("qs.local", "=", 1)
        .execute(),
    );
    add(await db.selectFrom("quotes").select("status_id as id").where("status_id", "in", ids).where("quoted_account_id", "in", localAccounts(db)).execute());
    add(
      await db
        .selectFrom("polls as p")
        .innerJoin("poll_votes as v", "v.poll_id", "p.id")
        .select("p.status_id as id")
        .where("p.status_id", "in", ids)
        .where("v.account_id", "in", localAccounts(db))
        .execute(),
    );
    // Notifications are only ever addressed to local accounts.
    add(await db.selectFrom("notifications").select("status_id as id").where("status_id", "in", ids).execute());
    add(await db.selectFrom("filter_statuses").select("status_id as id").where("status_id", "in", ids).execute());
    add(await db.selectFrom("account_conversation_statuses").select("status_id as id").where("status_id", "in", ids).execute());
    const conversations = [...new Set(posts.map((p) => p.conversation_id))];
    const localThreads = new Set(
      (await db.selectFrom("statuses").select("conversation_id").distinct().where("local", "=", 1).where("conversation_id", "in", conversations).execute()).map((r) => String(r.conversation_id)),
    );
    for (const p of posts) if (localThreads.has(p.conversation_id)) kept.add(p.id);
    const boostTargets = [...new Set(posts.map((p) => p.reblog_of_id).filter((id): id is string => id !== null))];
    if (boostTargets.length) {
      const localTargets = new Set((await db.selectFrom("statuses").select("id").where("id", "in", boostTargets).where("local", "=", 1).execute()).map((r) => r.id));
      for (const p of posts) if (p.reblog_of_id && localTargets.has(p.reblog_of_id)) kept.add(p.id);
    }
    return kept;
  }

  /** Others' boosts of `ids` (they go with their target: the foreign key cascades). */
  boostsOf(ids: readonly string[]): Promise<{ id: string; account_id: string; reblog_of_id: string | null }[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("statuses").select(["id", "account_id", "reblog_of_id"]).where("reblog_of_id", "in", ids).execute();
  }

  /** Home-feed rows naming `statusIds`: which reader has which. */
  feedRows(statusIds: readonly string[]): Promise<{ account_id: string; status_id: string }[]> {
    if (statusIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("home_feed").select(["account_id", "status_id"]).where("status_id", "in", statusIds).execute();
  }

  /** Readers with a home feed, and the id of the `depth`th newest entry of each (null: shorter feed). */
  async feedFloors(depth: number): Promise<Map<string, string | null>> {
    const readers = await this.db.selectFrom("home_feed").select("account_id").distinct().where("account_id", "in", localAccounts(this.db)).execute();
    const floors = new Map<string, string | null>();
    for (const { account_id } of readers) {
      const row = await this.db.selectFrom("home_feed").select("status_id").where("account_id", "=", account_id).orderBy("status_id", "desc").offset(depth - 1).limit(1).executeTakeFirst();
      floors.set(account_id, row?.status_id ?? null);
    }
    return floors;
  }

  /** Status ids named by reports (a JSON array per report: reports are few, read whole). */
  async reportedStatusIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const { status_ids } of await this.db.selectFrom("reports").select("status_ids").execute()) {
      try {
        for (const id of JSON.parse(status_ids) as unknown[]) ids.add(String(id));
      } catch {
        // A malformed list protects nothing; the report itself is untouched.
      }
    }
    return ids;
  }

  /** The remote files (origin URLs) of these posts' attachments, for the media cache. */
  async mediaUrls(ids: readonly string[]): Promise<{ status_id: string; url: string }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom("media_attachments").select(["status_id", "remote_url", "remote_preview_url"]).where("status_id", "in", ids).execute();
    return rows.flatMap((r) => [r.remote_url, r.remote_preview_url].filter((u): u is string => !!u).map((url) => ({ status_id: String(r.status_id), url })));
  }

  /** What removing `ids` takes with it, counted without removing anything. */
  async count(ids: readonly string[], posts: readonly PruneCandidate[]): Promise<RemovedRows> {
    const rows = emptyRemovedRows();
    if (ids.length === 0) return rows;
    const db = this.db;
    const n = async (query: { executeTakeFirst(): Promise<{ n: string | number } | undefined> }) => Number((await query.executeTakeFirst())?.n ?? 0);
    const cascadedBoosts = await n(db.selectFrom("statuses").select((eb) => eb.fn.countAll<string | number>().as("n")).where("reblog_of_id", "in", ids).where("id", "not in", ids));
    const doomed = new Set(ids);
    const ownBoosts = posts.filter((p) => doomed.has(p.id) && p.reblog_of_id !== null).length;
    rows.statuses = ids.length - ownBoosts;
    rows.boosts = ownBoosts + cascadedBoosts;
    rows.edits = await n(db.selectFrom("status_edits").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids));
    rows.polls = await n(db.selectFrom("polls").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids));
    rows.media = await n(db.selectFrom("media_attachments").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids));
    rows.mentions = await n(db.selectFrom("mentions").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids));
    rows.tags = await n(db.selectFrom("status_tags").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids));
    rows.feedEntries =
      (await n(db.selectFrom("home_feed").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids))) +
      (await n(db.selectFrom("list_feed").select((eb) => eb.fn.countAll<string | number>().as("n")).where("status_id", "in", ids)));
    return rows;
  }

  /**
   * Removes these posts in one transaction (the caller keeps batches small) and returns those
   * removed (a post touched locally in the meantime stays). Counters of what
   * survives are kept exact, as the moderation purge does: the authors' post counts (boosts
   * that cascade included), a surviving parent's replies, a surviving target's boosts.
   */
  async remove(candidates: readonly PruneCandidate[]): Promise<PruneCandidate[]> {
    if (candidates.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      // A write first (SQLite: the write lock, so no other writer commits until this one ends),
      // then the local ties checked again inside the transaction: a favourite given since the
      // batch was judged keeps its post.
      await tx.updateTable("statuses").set({ updated_at: sql`updated_at` }).where("id", "in", candidates.map((p) => p.id)).execute();
      const touched = await new RemotePostPruneStore(tx).touchedLocally(candidates);
      const posts = candidates.filter((p) => !touched.has(p.id));
      if (posts.length === 0) return [];
      const ids = posts.map((p) => p.id);
      const cascaded = await tx.selectFrom("statuses").select(["account_id"]).where("reblog_of_id", "in", ids).where("id", "not in", ids).execute();
      await bump(tx, "accounts", "statuses_count", tally([...posts.map((p) => p.account_id), ...cascaded.map((b) => b.account_id)]));
      await bump(tx, "statuses", "reblogs_count", tally(posts.map((p) => p.reblog_of_id)));
      await bump(tx, "statuses", "replies_count", tally(posts.map((p) => p.in_reply_to_id)));
      await tx.deleteFrom("statuses").where("id", "in", ids).execute();
      return posts;
    });
  }
}

function tally(values: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Lowers a counter by what went, never below zero (a row already gone is left alone). */
async function bump(db: Kysely<DB>, table: "accounts" | "statuses", column: string, counts: Map<string, number>): Promise<void> {
  for (const [id, by] of counts) {
    await db.updateTable(table).set({ [column]: sql`case when ${sql.ref(column)} < ${by} then 0 else ${sql.ref(column)} - ${by} end` } as never).where("id", "=", id).execute();
  }
}
