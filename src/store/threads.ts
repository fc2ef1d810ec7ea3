// Data access for whole threads (domain/threads): the public replies a local post's `replies`
// collection lists, re-attaching a post to a parent fetched late, and the record of a thread's
// last completion. That record lives in the `kv` table (beside Fedify's entries, under its own
// key prefix) with an expiry, so "at most once per thread per interval" holds across processes
// without a table of its own: taking the key is one conditional insert.
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { StatusRow } from "./statuses.ts";

/** A reply as the replies collection names it. */
export interface ReplyRef {
  id: string;
  uri: string;
  local: boolean;
  /** The author's domain (null: a local author). */
  domain: string | null;
}

/** A thread's completion: started, and (once done) finished with how many posts it brought. */
export interface ThreadRefreshRecord {
  conversationId: string;
  startedAt: string;
  finishedAt: string | null;
  resultCount: number;
}

const keyOf = (conversationId: string) => JSON.stringify(["skein", "thread-refresh", conversationId]);

export class ThreadStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /**
   * Public and unlisted replies to `parentId`, oldest first after `afterId`: by its author
   * (`self`) or by everyone else; never boosts, never by suspended accounts.
   */
  async publicReplies(parentId: string, authorId: string, self: boolean, afterId: string | null, limit: number): Promise<ReplyRef[]> {
    let query = this.db
      .selectFrom("statuses")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .select(["statuses.id", "statuses.uri", "statuses.local", "accounts.domain"])
      .where("statuses.in_reply_to_id", "=", parentId)
      .where("statuses.visibility", "in", ["public", "unlisted"])
      .where("statuses.reblog_of_id", "is", null)
      .where("accounts.suspended_at", "is", null)
      .where("statuses.account_id", self ? "=" : "<>", authorId);
    if (afterId) query = query.where("statuses.id", ">", afterId);
    const rows = await query.orderBy("statuses.id").limit(limit).execute();
    return rows.map((r) => ({ id: r.id, uri: r.uri, local: r.local === 1, domain: r.domain }));
  }

  /** Ids of the stored descendants of `rootId` (breadth first), at most `limit`. */
  async descendantIds(rootId: string, limit: number): Promise<string[]> {
    const found: string[] = [];
    let frontier = [rootId];
    while (frontier.length > 0 && found.length < limit) {
      const rows = await this.db.selectFrom("statuses").select("id").where("in_reply_to_id", "in", frontier).limit(limit - found.length).execute();
      frontier = rows.map((r) => r.id);
      found.push(...frontier);
    }
    return found;
  }

  /**
   * Makes `child` (a post stored without a parent) a reply to `parent`, and moves the child's
   * stored subtree (`subtreeIds`) into the parent's conversation (the caller holds a
   * transaction). False if the child has meanwhile been given a parent.
   */
  async attach(child: StatusRow, parent: StatusRow, subtreeIds: readonly string[]): Promise<boolean> {
    const updated = await this.db
      .updateTable("statuses")
      .set({ in_reply_to_id: parent.id, in_reply_to_account_id: parent.account_id, conversation_id: parent.conversation_id })
      .where("id", "=", child.id)
      .where("in_reply_to_id", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    for (let i = 0; i < subtreeIds.length; i += 500) {
      await this.db.updateTable("statuses").set({ conversation_id: parent.conversation_id }).where("id", "in", subtreeIds.slice(i, i + 500)).execute();
    }
    await this.db.updateTable("statuses").set((eb) => ({ replies_count: eb("replies_count", "+", 1) })).where("id", "=", parent.id).execute();
    return true;
  }

  /**
   * Takes the thread's completion for `intervalMs`: true if nobody took it within the interval
   * (the caller runs it), false if it is running or ran lately.
   */
  async claimRefresh(conversationId: string, intervalMs: number, now = new Date()): Promise<boolean> {
    const key = keyOf(conversationId);
    const record: ThreadRefreshRecord = { conversationId, startedAt: now.toISOString(), finishedAt: null, resultCount: 0 };
    await this.db.deleteFrom("kv").where("key", "=", key).where("expires_at", "<=", now.toISOString()).execute();
    const inserted = await this.db
      .insertInto("kv")
      .values({ key, value: JSON.stringify(record), expires_at: new Date(now.getTime() + intervalMs).toISOString() })
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("key")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** The thread's completion record, while it lasts. */
  async refresh(conversationId: string, now = new Date()): Promise<ThreadRefreshRecord | null> {
    const row = await this.db.selectFrom("kv").select(["value", "expires_at"]).where("key", "=", keyOf(conversationId)).executeTakeFirst();
    if (!row || (row.expires_at !== null && row.expires_at <= now.toISOString())) return null;
    return JSON.parse(row.value) as ThreadRefreshRecord;
  }

  /** Records the end of a completion (its expiry, the interval, stays). */
  async finishRefresh(conversationId: string, resultCount: number, now = new Date()): Promise<void> {
    const current = await this.refresh(conversationId, now);
    if (!current) return;
    const record: ThreadRefreshRecord = { ...current, finishedAt: now.toISOString(), resultCount };
    await this.db.updateTable("kv").set({ value: JSON.stringify(record) }).where("key", "=", keyOf(conversationId)).execute();
  }
}
