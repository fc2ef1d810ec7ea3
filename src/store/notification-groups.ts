// Data access for grouped notifications (API v2), unread counts and notification policies.
// Lists of notifications themselves come from NotificationStore.list, which hides blocked and
// muted senders; the queries here apply the same rule.
import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from "kysely";
import type { DB, NotificationPoliciesTable, NotificationType } from "../db/schema.ts";
import type { NotificationFilter, NotificationRow } from "./notifications.ts";
import type { StatusRow } from "./statuses.ts";
import { accountNotDomainBlockedBy, readableWithBoostBy } from "./visibility-sql.ts";
import { parseId } from "../util/ids.ts";

export type NotificationPolicyRow = Selectable<NotificationPoliciesTable>;

/** Prefix of the group key of a notification that is shown on its own. */
export const UNGROUPED_PREFIX = "ungrouped-";

/** Notifications from accounts the recipient blocks, or mutes with notifications hidden, or on a domain the recipient blocked, are not shown. */
function fromVisibleSender(accountId: string): Expression<SqlBool> {
  return sql<SqlBool>`not exists (
      select 1 from blocks b where b.account_id = ${accountId} and b.target_account_id = notifications.from_account_id)
    and not exists (
      select 1 from mutes mu where mu.account_id = ${accountId} and mu.target_account_id = notifications.from_account_id
        and mu.hide_notifications = 1)
    and ${accountNotDomainBlockedBy(accountId, "notifications.from_account_id")}`;
}

export class NotificationGroupStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /**
   * The notifications of one group, newest first (at most `limit`). `ungrouped-<id>` names the
   * single notification <id>, whatever key it was stored with.
   */
  async group(accountId: string, groupKey: string, limit: number): Promise<NotificationRow[]> {
    const single = this.singleId(groupKey);
    let q = this.db.selectFrom("notifications").selectAll().where("account_id", "=", accountId).where(fromVisibleSender(accountId)).where("filtered", "=", 0);
    q = single ? q.where("id", "=", single) : q.where("group_key", "=", groupKey);
    return q.orderBy("id", "desc").limit(limit).execute();
  }

  async dismissGroup(accountId: string, groupKey: string): Promise<void> {
    const single = this.singleId(groupKey);
    let q = this.db.deleteFrom("notifications").where("account_id", "=", accountId);
    q = single ? q.where("id", "=", single) : q.where("group_key", "=", groupKey);
    await q.execute();
  }

  /**
   * Unread notifications (newer than `sinceId`), counted up to `limit`. With `groupedTypes`,
   * groups are counted instead: notifications of those types sharing a key count once.
   */
  async countUnread(accountId: string, sinceId: string | null, filter: NotificationFilter, limit: number, groupedTypes?: readonly NotificationType[]): Promise<number> {
    let q = this.db.selectFrom("notifications").where("account_id", "=", accountId).where(fromVisibleSender(accountId));
    if (!filter.includeFiltered) q = q.where("filtered", "=", 0);
    if (sinceId) q = q.where("id", ">", sinceId);
    if (filter.types?.length) q = q.where("type", "in", filter.types);
    if (filter.excludeTypes?.length) q = q.where("type", "not in", filter.excludeTypes);
    if (filter.fromAccountId) q = q.where("from_account_id", "=", filter.fromAccountId);
    if (!groupedTypes) {
      const rows = await q.select("id").orderBy("id", "desc").limit(limit).execute();
      return rows.length;
    }
    const grouped = groupedTypes.length ? sql.join(groupedTypes.map((t) => sql.lit(t))) : sql`''`;
    const key = sql<string>`case when notifications.type in (${grouped}) then notifications.group_key else ${sql.lit(UNGROUPED_PREFIX)} || cast(notifications.id as text) end`;
    const rows = await q.select(key.as("key")).distinct().limit(limit).execute();
    return rows.length;
  }

  /** Of the statuses notifications point at, those the recipient may (still) read. */
  async readableStatuses(statusIds: readonly string[], viewerId: string): Promise<StatusRow[]> {
    if (statusIds.length === 0) return [];
    return this.db.selectFrom("statuses").selectAll().where("id", "in", [...new Set(statusIds)]).where(readableWithBoostBy(viewerId)).execute();
  }

  async policy(accountId: string): Promise<NotificationPolicyRow | undefined> {
    return this.db.selectFrom("notification_policies").selectAll().where("account_id", "=", accountId).executeTakeFirst();
  }

  async savePolicy(row: NotificationPolicyRow): Promise<void> {
    const { account_id: _, ...changes } = row;
    await this.db.insertInto("notification_policies").values(row).onConflict((oc) => oc.column("account_id").doUpdateSet(changes)).execute();
  }

  private singleId(groupKey: string): string | null {
    if (!groupKey.startsWith(UNGROUPED_PREFIX)) return null;
    const id = groupKey.slice(UNGROUPED_PREFIX.length);
    return parseId(id) ?? "0";
  }
}
