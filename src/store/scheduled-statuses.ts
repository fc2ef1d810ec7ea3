// Data access for scheduled statuses: the rows, their limits' counts, the claim a publishing
// sweep takes on a due row (a lease, taken with a conditional UPDATE that both engines apply
// atomically), and the uploads reserved for a scheduled status.
import type { Kysely, Selectable } from "kysely";
import type { DB, ScheduledStatusesTable } from "../db/schema.ts";
import type { MediaRow } from "./media/attachments.ts";
import { paginate, type PageRequest } from "./pagination.ts";

export type ScheduledStatusRow = Selectable<ScheduledStatusesTable>;

export class ScheduledStatusStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: ScheduledStatusRow): Promise<void> {
    await this.db.insertInto("scheduled_statuses").values(row).execute();
  }

  async byId(accountId: string, id: string): Promise<ScheduledStatusRow | undefined> {
    return this.db.selectFrom("scheduled_statuses").selectAll().where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
  }

  async byIdempotencyKey(accountId: string, key: string): Promise<ScheduledStatusRow | undefined> {
    return this.db.selectFrom("scheduled_statuses").selectAll().where("account_id", "=", accountId).where("idempotency_key", "=", key).executeTakeFirst();
  }

  async page(accountId: string, page: PageRequest): Promise<ScheduledStatusRow[]> {
    return paginate(this.db.selectFrom("scheduled_statuses").selectAll().where("account_id", "=", accountId), "id", page);
  }

  /** How many the account has scheduled in all, and on the UTC day `[dayStart, dayEnd)` (Mastodon's two limits). */
  async counts(accountId: string, dayStart: string, dayEnd: string, exceptId: string | null = null): Promise<{ total: number; onDay: number }> {
    const rows = await this.db
      .selectFrom("scheduled_statuses")
      .select("scheduled_at")
      .where("account_id", "=", accountId)
      .$if(exceptId !== null, (q) => q.where("id", "!=", exceptId!))
      .execute();
    return { total: rows.length, onDay: rows.filter((r) => r.scheduled_at >= dayStart && r.scheduled_at < dayEnd).length };
  }

  async reschedule(accountId: string, id: string, scheduledAt: string): Promise<boolean> {
    const result = await this.db.updateTable("scheduled_statuses").set({ scheduled_at: scheduledAt }).where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("scheduled_statuses").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Ids of rows due at `now` that nobody holds, oldest time first. */
  async dueIds(now: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("scheduled_statuses")
      .select("id")
      .where("scheduled_at", "<=", now)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .orderBy("scheduled_at")
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Takes the row for publication until `until`, if it is still due and free: of several
   * processes asking at once, exactly one gets it (the condition is re-checked by the UPDATE).
   */
  async claim(id: string, now: string, until: string): Promise<ScheduledStatusRow | undefined> {
    const result = await this.db
      .updateTable("scheduled_statuses")
      .set({ claimed_until: until })
      .where("id", "=", id)
      .where("scheduled_at", "<=", now)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.db.selectFrom("scheduled_statuses").selectAll().where("id", "=", id).executeTakeFirst();
  }

  // --- reserved media -------------------------------------------------------------------

  /** Reserves the account's uploads `ids` for the scheduled status; only unattached, unreserved ones are taken. Returns how many. */
  async reserveMedia(scheduledId: string, accountId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable("media_attachments")
      .set({ scheduled_status_id: scheduledId })
      .where("id", "in", ids)
      .where("account_id", "=", accountId)
      .where("status_id", "is", null)
      .where("scheduled_status_id", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Gives the uploads back (the scheduled status was cancelled or could not be published). */
  async releaseMedia(scheduledId: string): Promise<void> {
    await this.db.updateTable("media_attachments").set({ scheduled_status_id: null }).where("scheduled_status_id", "=", scheduledId).execute();
  }

  /** scheduled status id → its reserved uploads. */
  async mediaOf(scheduledIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
    const map = new Map<string, MediaRow[]>();
    if (scheduledIds.length === 0) return map;
    const rows = await this.db.selectFrom("media_attachments").selectAll().where("scheduled_status_id", "in", scheduledIds).execute();
    for (const row of rows) map.set(row.scheduled_status_id!, [...(map.get(row.scheduled_status_id!) ?? []), row]);
    return map;
  }
}
