// Grouped notifications (Mastodon's API v2). Favourites and boosts of one status, and follows,
// are stored with a shared group_key (notification-service.ts); everything else is a group of
// one ("ungrouped-<id>"). A page holds up to `limit` groups: notifications are walked from the
// cursor, and the walk stops before the first notification of a group beyond the limit. Each
// group shows its notifications inside the walked range, so a group split across pages is never
// counted twice and the next page starts where this one ended.
import type { Stores } from "../../store/stores.ts";
import type { NotificationFilter, NotificationRow } from "../../store/notifications.ts";
import type { NotificationPolicyRow } from "../../store/notification-groups.ts";
import { UNGROUPED_PREFIX } from "../../store/notification-groups.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { NotificationPolicyValue, NotificationType } from "../../db/schema.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { defaultPolicy, POLICY_FIELDS, POLICY_VALUES, type PolicyField } from "./notification-policy.ts";

/** The types grouped when the client does not say (Mastodon's, without admin sign-ups). */
export const GROUPABLE_TYPES: readonly NotificationType[] = ["favourite", "follow", "reblog"];
/** How many recent senders a group names. */
const SAMPLE_ACCOUNTS = 8;
/** Notifications read per query while walking, and at most per page. */
const MAX_WALK = 2000;
/** Notifications of one group loaded when it is fetched alone. */
const MAX_GROUP = 1000;

export interface NotificationGroup {
  groupKey: string;
  type: NotificationType;
  /** Newest first. */
  notifications: NotificationRow[];
  statusId: string | null;
  sampleAccountIds: string[];
  /** Set for groups listed in a page (not for a group fetched alone). */
  paged: boolean;
}

export interface GroupedNotifications {
  groups: NotificationGroup[];
  accounts: AccountRow[];
  statuses: StatusRow[];
}

export interface GroupPage extends GroupedNotifications {
  /** The newest and oldest notification ids the page covers, for the Link header. */
  newestId: string | null;
  oldestId: string | null;
}

const newestFirst = (a: NotificationRow, b: NotificationRow) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);

export class NotificationGroupService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  async list(accountId: string, filter: NotificationFilter, groupedTypes: readonly NotificationType[], page: PageRequest): Promise<GroupPage> {
    const ascending = Boolean(page.minId) && !page.sinceId;
    const batch = Math.min(Math.max(page.limit * 2, 40), 200);
    const members = new Map<string, NotificationRow[]>();
    const cursor: PageRequest = { ...page, limit: batch };
    let walked = 0;
    walk: for (;;) {
      const rows = await this.stores.notifications.list(accountId, filter, cursor);
      const ordered = ascending ? [...rows].reverse() : rows;
      for (const row of ordered) {
        const key = effectiveKey(row, groupedTypes);
        let group = members.get(key);
        if (!group) {
          if (members.size >= page.limit) break walk;
          members.set(key, (group = []));
        }
        group.push(row);
      }
      walked += rows.length;
      if (rows.length < batch || walked >= MAX_WALK) break;
      const last = ordered[ordered.length - 1].id;
      if (ascending) cursor.minId = last;
      else cursor.maxId = last;
    }
    const groups = [...members.entries()].map(([key, rows]) => buildGroup(key, rows.sort(newestFirst), true));
    groups.sort((a, b) => newestFirst(a.notifications[0], b.notifications[0]));
    const all = groups.flatMap((g) => g.notifications).sort(newestFirst);
    return { ...(await this.withContext(accountId, groups)), newestId: all[0]?.id ?? null, oldestId: all[all.length - 1]?.id ?? null };
  }

  async get(accountId: string, groupKey: string): Promise<GroupedNotifications> {
    const rows = await this.stores.notificationGroups.group(accountId, groupKey, MAX_GROUP);
    if (rows.length === 0) throw notFound();
    const result = await this.withContext(accountId, [buildGroup(groupKey, rows, false)]);
    if (result.groups.length === 0) throw notFound();
    return result;
  }

  /** Everyone in the group, most recent first. */
  async accounts(accountId: string, groupKey: string): Promise<AccountRow[]> {
    const rows = await this.stores.notificationGroups.group(accountId, groupKey, MAX_GROUP);
    if (rows.length === 0) throw notFound();
    const ids = [...new Set(rows.map((r) => r.from_account_id))];
    const byId = new Map((await this.stores.accounts.byIds(ids)).map((a) => [a.id, a]));
    return ids.map((id) => byId.get(id)).filter((a): a is AccountRow => a !== undefined && !a.suspended_at);
  }

  dismiss(accountId: string, groupKey: string): Promise<void> {
    return this.stores.notificationGroups.dismissGroup(accountId, groupKey);
  }

  /**
   * Notifications (or, with `groupedTypes`, groups) newer than the notifications marker,
   * counted up to `limit`.
   */
  async unreadCount(accountId: string, filter: NotificationFilter, limit: number, groupedTypes?: readonly NotificationType[]): Promise<number> {
    const marker = await this.stores.markers.get(accountId, "notifications");
    return this.stores.notificationGroups.countUnread(accountId, marker?.last_read_id ?? null, filter, limit, groupedTypes);
  }

  async policy(accountId: string): Promise<NotificationPolicyRow> {
    return (await this.stores.notificationGroups.policy(accountId)) ?? defaultPolicy(accountId);
  }

  async updatePolicy(accountId: string, changes: Partial<Record<PolicyField, string>>): Promise<NotificationPolicyRow> {
    const policy = { ...(await this.policy(accountId)), updated_at: nowIso() };
    for (const field of POLICY_FIELDS) {
      const value = changes[field];
      if (value === undefined) continue;
      if (!POLICY_VALUES.includes(value as NotificationPolicyValue)) throw validationFailed(`Validation failed: ${field} must be one of ${POLICY_VALUES.join(", ")}`);
      policy[field] = value as NotificationPolicyValue;
    }
    await this.stores.notificationGroups.savePolicy(policy);
    return policy;
  }

  /** Loads senders and statuses; groups about statuses the reader can no longer read are left out. */
  private async withContext(accountId: string, groups: NotificationGroup[]): Promise<GroupedNotifications> {
    const statusIds = [...new Set(groups.map((g) => g.statusId).filter((id): id is string => id !== null))];
    const statuses = await this.stores.notificationGroups.readableStatuses(statusIds, accountId);
    const readable = new Set(statuses.map((s) => s.id));
    const accountIds = new Set<string>();
    for (const g of groups) for (const id of g.sampleAccountIds) accountIds.add(id);
    const accounts = (await this.stores.accounts.byIds([...accountIds])).filter((a) => !a.suspended_at);
    const present = new Set(accounts.map((a) => a.id));
    const kept = groups
      .map((g) => ({ ...g, sampleAccountIds: g.sampleAccountIds.filter((id) => present.has(id)) }))
      .filter((g) => (g.statusId === null || readable.has(g.statusId)) && g.sampleAccountIds.length > 0);
    const order = new Map(statusIds.map((id, i) => [id, i]));
    statuses.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return { groups: kept, accounts, statuses };
  }
}

/** The key a notification is grouped by, given which types the client wants grouped. */
function effectiveKey(row: NotificationRow, groupedTypes: readonly NotificationType[]): string {
  return groupedTypes.includes(row.type) && !row.group_key.startsWith(UNGROUPED_PREFIX) ? row.group_key : `${UNGROUPED_PREFIX}${row.id}`;
}

function buildGroup(groupKey: string, rows: NotificationRow[], paged: boolean): NotificationGroup {
  const sample: string[] = [];
  for (const r of rows) {
    if (sample.length >= SAMPLE_ACCOUNTS) break;
    if (!sample.includes(r.from_account_id)) sample.push(r.from_account_id);
  }
  return { groupKey, type: rows[0].type, notifications: rows, statusId: rows[0].status_id, sampleAccountIds: sample, paged };
}
