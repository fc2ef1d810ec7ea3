// Data access for notification requests (Mastodon 4.3): the filtered notifications of one
// recipient, grouped by sender. A request has no row of its own: it is the sender's filtered
// notifications (notifications.filtered = 1, indexed by recipient, flag and sender), and its id
// is the sender's account id, stable for as long as the request exists. Accepting records a
// permission (notification_permissions) so that the sender is not filtered again.
import { sql, type Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { PageRequest } from "./pagination.ts";
import { accountNotDomainBlockedBy } from "./visibility-sql.ts";

export interface NotificationRequestRow {
  fromAccountId: string;
  /** The newest filtered notification's id: the request's place in the list (and its cursor). */
  lastNotificationId: string;
  count: number;
  createdAt: string;
  updatedAt: string;
  /** The newest filtered notification's status, if it has one. */
  lastStatusId: string | null;
}

export class NotificationRequestStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  private grouped(accountId: string) {
    return this.db
      .selectFrom("notifications")
      .select([
        "from_account_id",
        sql<string>`max(notifications.id)`.as("last_id"),
        sql<number>`count(*)`.as("n"),
        sql<string>`min(notifications.created_at)`.as("created_at"),
        sql<string>`max(notifications.created_at)`.as("updated_at"),
      ])
      .where("account_id", "=", accountId)
      .where("filtered", "=", 1)
      // Blocked and muted senders, and blocked domains, are not asked about.
      .where(sql<boolean>`not exists (select 1 from blocks b where b.account_id = ${accountId} and b.target_account_id = notifications.from_account_id)`)
      .where(sql<boolean>`not exists (select 1 from mutes mu where mu.account_id = ${accountId} and mu.target_account_id = notifications.from_account_id and mu.hide_notifications = 1)`)
      .where(accountNotDomainBlockedBy(accountId, "notifications.from_account_id"))
      .groupBy("from_account_id");
  }

  /** The recipient's requests, the most recently updated first (cursors: the newest notification's id). */
  async list(accountId: string, page: PageRequest): Promise<NotificationRequestRow[]> {
    let q = this.grouped(accountId);
    if (page.maxId) q = q.having(sql`max(notifications.id)`, "<", page.maxId);
    if (page.sinceId) q = q.having(sql`max(notifications.id)`, ">", page.sinceId);
    if (page.minId) q = q.having(sql`max(notifications.id)`, ">", page.minId);
    const ascending = Boolean(page.minId) && !page.sinceId;
    const rows = await q.orderBy(sql`max(notifications.id)`, ascending ? "asc" : "desc").limit(page.limit).execute();
    if (ascending) rows.reverse();
    return this.withLastStatus(accountId, rows);
  }

  async byFrom(accountId: string, fromAccountId: string): Promise<NotificationRequestRow | undefined> {
    const rows = await this.grouped(accountId).where("from_account_id", "=", fromAccountId).execute();
    return (await this.withLastStatus(accountId, rows))[0];
  }

  private async withLastStatus(accountId: string, rows: { from_account_id: string; last_id: string; n: number; created_at: string; updated_at: string }[]): Promise<NotificationRequestRow[]> {
    if (rows.length === 0) return [];
    const last = await this.db
      .selectFrom("notifications")
      .select(["id", "status_id"])
      .where("account_id", "=", accountId)
      .where("id", "in", rows.map((r) => String(r.last_id)))
      .execute();
    const statusOf = new Map(last.map((n) => [n.id, n.status_id]));
    return rows.map((r) => ({
      fromAccountId: r.from_account_id,
      lastNotificationId: String(r.last_id),
      count: Number(r.n),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastStatusId: statusOf.get(String(r.last_id)) ?? null,
    }));
  }

  /** Pending requests and the notifications they hold (the policy's `summary`). */
  async summary(accountId: string): Promise<{ requests: number; notifications: number }> {
    const row = await this.db
      .selectFrom(this.grouped(accountId).as("g"))
      .select([sql<number>`count(*)`.as("requests"), sql<number>`coalesce(sum(g.n), 0)`.as("notifications")])
      .executeTakeFirstOrThrow();
    return { requests: Number(row.requests), notifications: Number(row.notifications) };
  }

  /** Accepting: the sender's filtered notifications join the main list. */
  async unfilter(accountId: string, fromAccountIds: readonly string[]): Promise<void> {
    if (fromAccountIds.length === 0) return;
    await this.db.updateTable("notifications").set({ filtered: 0 }).where("account_id", "=", accountId).where("from_account_id", "in", [...fromAccountIds]).where("filtered", "=", 1).execute();
  }

  /** Dismissing: the sender's filtered notifications are deleted. */
  async dismiss(accountId: string, fromAccountIds: readonly string[]): Promise<void> {
    if (fromAccountIds.length === 0) return;
    await this.db.deleteFrom("notifications").where("account_id", "=", accountId).where("from_account_id", "in", [...fromAccountIds]).where("filtered", "=", 1).execute();
  }

  async permit(row: { id: string; account_id: string; from_account_id: string; created_at: string }): Promise<void> {
    await this.db.insertInto("notification_permissions").values(row).onConflict((oc) => oc.columns(["account_id", "from_account_id"]).doNothing()).execute();
  }

  async permitted(accountId: string, fromAccountId: string): Promise<boolean> {
    const row = await this.db.selectFrom("notification_permissions").select("id").where("account_id", "=", accountId).where("from_account_id", "=", fromAccountId).executeTakeFirst();
    return row !== undefined;
  }
}
