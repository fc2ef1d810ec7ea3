// Data access for polls, their options and votes.
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from "kysely";
import type { DB, PollsTable, PollOptionsTable, PollVotesTable } from "../db/schema.ts";
import { queryTemplate } from "../db/query-templates.ts";

// A page of statuses reads their polls: compiled once (db/query-templates.ts).
const pollsOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) => db.selectFrom("polls").selectAll().where("status_id", "in", p.ids), { keepPrepared: true });

export type PollRow = Selectable<PollsTable>;
export type PollOptionRow = Selectable<PollOptionsTable>;
export type PollVoteRow = Selectable<PollVotesTable>;

export class PollStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Stores a poll with its options (titles in order). */
  async insert(row: Insertable<PollsTable>, titles: readonly string[]): Promise<void> {
    await this.db.insertInto("polls").values(row).execute();
    await this.insertOptions(row.id, titles);
  }

  private async insertOptions(pollId: string, titles: readonly string[]): Promise<void> {
    if (titles.length === 0) return;
    await this.db
      .insertInto("poll_options")
      .values(titles.map((title, position) => ({ poll_id: pollId, position, title, votes_count: 0 })))
      .execute();
  }

  async update(id: string, changes: Updateable<PollsTable>): Promise<void> {
    await this.db.updateTable("polls").set(changes).where("id", "=", id).execute();
  }

  /** New options invalidate every vote: they are removed and the counts start again. */
  async replaceOptions(pollId: string, titles: readonly string[]): Promise<void> {
    await this.db.deleteFrom("poll_votes").where("poll_id", "=", pollId).execute();
    await this.db.deleteFrom("poll_options").where("poll_id", "=", pollId).execute();
    await this.insertOptions(pollId, titles);
    await this.db.updateTable("polls").set({ votes_count: 0, voters_count: 0 }).where("id", "=", pollId).execute();
  }

  /** Counts reported by a remote poll's own server (it counts the votes, not us). */
  async setRemoteCounts(pollId: string, optionVotes: readonly number[], votersCount: number): Promise<void> {
    for (const [position, votes] of optionVotes.entries()) {
      await this.db.updateTable("poll_options").set({ votes_count: votes }).where("poll_id", "=", pollId).where("position", "=", position).execute();
    }
    await this.db
      .updateTable("polls")
      .set({ votes_count: optionVotes.reduce((a, b) => a + b, 0), voters_count: votersCount })
      .where("id", "=", pollId)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("polls").where("id", "=", id).execute();
  }

  async byId(id: string): Promise<PollRow | undefined> {
    return this.db.selectFrom("polls").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async byStatusIds(statusIds: readonly string[]): Promise<PollRow[]> {
    if (statusIds.length === 0) return [];
    return pollsOfStatuses(this.db, { ids: [...new Set(statusIds)] });
  }

  /** poll id → options in order. */
  async optionsOf(pollIds: readonly string[]): Promise<Map<string, PollOptionRow[]>> {
    const map = new Map<string, PollOptionRow[]>();
    if (pollIds.length === 0) return map;
    const rows = await this.db.selectFrom("poll_options").selectAll().where("poll_id", "in", [...new Set(pollIds)]).orderBy("poll_id").orderBy("position").execute();
    for (const r of rows) map.set(r.poll_id, [...(map.get(r.poll_id) ?? []), r]);
    return map;
  }

  /** poll id → the choices `accountId` voted for, for the polls they voted in. */
  async choicesOf(accountId: string, pollIds: readonly string[]): Promise<Map<string, number[]>> {
    const map = new Map<string, number[]>();
    if (pollIds.length === 0) return map;
    const rows = await this.db
      .selectFrom("poll_votes")
      .select(["poll_id", "choice"])
      .where("account_id", "=", accountId)
      .where("poll_id", "in", [...new Set(pollIds)])
      .orderBy("choice")
      .execute();
    for (const r of rows) map.set(r.poll_id, [...(map.get(r.poll_id) ?? []), Number(r.choice)]);
    return map;
  }

  /**
   * Counts `votes` more votes on an open poll and takes the poll's row lock (PostgreSQL), so
   * that one account's concurrent votes are checked one after the other. False if the poll
   * has ended by `now` (nothing changed).
   */
  async countVotesIfOpen(pollId: string, votes: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("polls")
      .set({ votes_count: sql`votes_count + ${votes}`, updated_at: now } as never)
      .where("id", "=", pollId)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async countVoter(pollId: string): Promise<void> {
    await this.db.updateTable("polls").set({ voters_count: sql`voters_count + 1` } as never).where("id", "=", pollId).execute();
  }

  async insertVotes(rows: Insertable<PollVotesTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto("poll_votes").values(rows).execute();
    for (const row of rows) {
      await this.db
        .updateTable("poll_options")
        .set({ votes_count: sql`votes_count + 1` } as never)
        .where("poll_id", "=", row.poll_id)
        .where("position", "=", row.choice)
        .execute();
    }
  }

  /** Local accounts that voted in the poll. */
  localVoters(pollId: string): Promise<string[]> {
    return this.voters(pollId, "local");
  }

  /** Remote accounts that voted in the poll (they hear of its counts even when they follow no one there). */
  remoteVoters(pollId: string): Promise<string[]> {
    return this.voters(pollId, "remote");
  }

  private async voters(pollId: string, where: "local" | "remote"): Promise<string[]> {
    const rows = await this.db
      .selectFrom("poll_votes")
      .innerJoin("accounts", "accounts.id", "poll_votes.account_id")
      .select("poll_votes.account_id")
      .distinct()
      .where("poll_votes.poll_id", "=", pollId)
      .where("accounts.domain", where === "local" ? "is" : "is not", null)
      .execute();
    return rows.map((r) => r.account_id);
  }

  /** Ended polls whose voters have not been told yet, soonest ended first. */
  async endedUnannounced(now: string, limit: number): Promise<PollRow[]> {
    return this.db
      .selectFrom("polls")
      .selectAll()
      .where("expiry_notified_at", "is", null)
      .where("expires_at", "is not", null)
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(limit)
      .execute();
  }

  /**
   * Marks the poll's end as announced; false if another process did it first. Inside a
   * transaction this also holds the row until commit (PostgreSQL), so exactly one process
   * sends the notices.
   */
  async claimExpiryNotice(pollId: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("polls")
      .set({ expiry_notified_at: now })
      .where("id", "=", pollId)
      .where("expiry_notified_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Marks the poll's counts as due to be federated at `at`, unless an earlier mark is pending. */
  async markUpdateDue(pollId: string, at: string): Promise<void> {
    await this.db.updateTable("polls").set({ update_due_at: at }).where("id", "=", pollId).where("update_due_at", "is", null).execute();
  }

  /** Polls whose counts are due to be federated by `now`, soonest first. */
  async dueUpdates(now: string, limit: number): Promise<PollRow[]> {
    return this.db.selectFrom("polls").selectAll().where("update_due_at", "<=", now).orderBy("update_due_at").limit(limit).execute();
  }

  /** Takes the due update for this process; false if another process took it first. */
  async claimUpdate(pollId: string, dueAt: string): Promise<boolean> {
    const result = await this.db.updateTable("polls").set({ update_due_at: null }).where("id", "=", pollId).where("update_due_at", "=", dueAt).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
