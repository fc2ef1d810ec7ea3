// Data access for announcements by admins, their reactions and who dismissed them.
import type { Kysely, Selectable, Updateable } from "kysely";
import type { DB, AnnouncementsTable } from "../db/schema.ts";

export type AnnouncementRow = Selectable<AnnouncementsTable>;

export interface ReactionCount {
  announcement_id: string;
  name: string;
  custom_emoji_id: string | null;
  count: number;
  /** Whether the asking account is among them. */
  me: boolean;
}

export class AnnouncementStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: AnnouncementRow): Promise<void> {
    await this.db.insertInto("announcements").values(row).execute();
  }

  async update(id: string, changes: Updateable<AnnouncementsTable>): Promise<void> {
    await this.db.updateTable("announcements").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("announcements").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  byId(id: string): Promise<AnnouncementRow | undefined> {
    return this.db.selectFrom("announcements").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Every announcement not removed, newest first (for admins), at most `limit`. */
  all(limit: number): Promise<AnnouncementRow[]> {
    return this.db.selectFrom("announcements").selectAll().where("deleted_at", "is", null).orderBy("id", "desc").limit(limit).execute();
  }

  /** Published announcements shown at `now`: started (or without a start) and not ended. */
  active(now: string, limit: number): Promise<AnnouncementRow[]> {
    return this.db
      .selectFrom("announcements")
      .selectAll()
      .where("published", "=", 1)
      .where("deleted_at", "is", null)
      .where((eb) => eb.or([eb("starts_at", "is", null), eb("starts_at", "<=", now)]))
      .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", now)]))
      .orderBy("starts_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }

  /**
   * Changes streaming clients were not told about yet: published announcements that started
   * (or have no start), and removed ones.
   */
  unannounced(now: string, limit: number): Promise<AnnouncementRow[]> {
    return this.db
      .selectFrom("announcements")
      .selectAll()
      .where("announced_at", "is", null)
      .where((eb) => eb.or([eb("deleted_at", "is not", null), eb.and([eb("published", "=", 1), eb.or([eb("starts_at", "is", null), eb("starts_at", "<=", now)])])]))
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  /** Marks it announced; false if another process did so first. */
  async markAnnounced(id: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable("announcements").set({ announced_at: at }).where("id", "=", id).where("announced_at", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async dismissedAmong(accountId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom("announcement_dismissals").select("announcement_id").where("account_id", "=", accountId).where("announcement_id", "in", ids).execute();
    return new Set(rows.map((r) => r.announcement_id));
  }

  async dismiss(announcementId: string, accountId: string, at: string): Promise<void> {
    await this.db
      .insertInto("announcement_dismissals")
      .values({ announcement_id: announcementId, account_id: accountId, created_at: at })
      .onConflict((oc) => oc.columns(["announcement_id", "account_id"]).doNothing())
      .execute();
  }

  /** Reactions per announcement and name, first given first, with whether `accountId` gave it. */
  async reactionsOf(ids: readonly string[], accountId: string | null): Promise<ReactionCount[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("announcement_reactions")
      .select((eb) => ["announcement_id", "name", eb.fn.max("custom_emoji_id").as("custom_emoji_id"), eb.fn.countAll().as("count"), eb.fn.min("id").as("first_id")])
      .select((eb) => eb.fn.sum(eb.case().when("account_id", "=", accountId ?? "0").then(1).else(0).end()).as("mine"))
      .where("announcement_id", "in", ids)
      .groupBy(["announcement_id", "name"])
      .execute();
    return rows
      .sort((a, b) => (BigInt(a.first_id as string) < BigInt(b.first_id as string) ? -1 : 1))
      .map((r) => ({ announcement_id: r.announcement_id, name: r.name, custom_emoji_id: (r.custom_emoji_id as string | null) ?? null, count: Number(r.count), me: Number(r.mine) > 0 }));
  }

  /** Distinct reaction names on an announcement. */
  async reactionNames(announcementId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("announcement_reactions").select("name").distinct().where("announcement_id", "=", announcementId).execute();
    return rows.map((r) => r.name);
  }

  async addReaction(row: { id: string; announcement_id: string; account_id: string; name: string; custom_emoji_id: string | null; created_at: string }): Promise<void> {
    await this.db.insertInto("announcement_reactions").values(row).onConflict((oc) => oc.columns(["announcement_id", "account_id", "name"]).doNothing()).execute();
  }

  async removeReaction(announcementId: string, accountId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("announcement_reactions").where("announcement_id", "=", announcementId).where("account_id", "=", accountId).where("name", "=", name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
