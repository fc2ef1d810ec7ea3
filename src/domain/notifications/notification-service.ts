// Who hears about what. Notifications go to local accounts only, never to oneself, and not from
// accounts the recipient blocks or mutes (with notifications), nor about muted conversations.
import type { Stores } from "../../store/stores.ts";
import type { NotificationRow, NotificationFilter } from "../../store/notifications.ts";
import type { NotificationType } from "../../db/schema.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { EventBus } from "../events.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";
import { policyVerdict, type StaffCheck } from "./notification-policy.ts";
import type { LimitCheck } from "../moderation/limited-accounts.ts";

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
  "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning", "quote", "quoted_update",
];

// Likes and boosts of one status, and follows, are grouped by Mastodon's clients per day-ish window.
function groupKey(type: NotificationType, statusId: string | null, id: string): string {
  if ((type === "favourite" || type === "reblog") && statusId) return `${type}-${statusId}`;
  if (type === "follow") return `follow-${Math.floor(Date.now() / 86_400_000)}`;
  return `ungrouped-${id}`;
}

export class NotificationService {
  private readonly stores: Stores;
  private readonly events: EventBus;

  private readonly limits: Pick<LimitCheck, "isLimited"> | null;
  private readonly isStaff: StaffCheck;

  /**
   * `limits`: which senders moderators limited (for the policy's `for_limited_accounts`);
   * `isStaff`: whether a local account speaks for the server (its mentions are never filtered).
   */
  constructor(stores: Stores, events: EventBus, limits: Pick<LimitCheck, "isLimited"> | null = null, isStaff: StaffCheck = () => false) {
    this.stores = stores;
    this.events = events;
    this.limits = limits;
    this.isStaff = isStaff;
  }

  async notify(recipientId: string, fromAccountId: string, type: NotificationType, statusId: string | null = null): Promise<NotificationRow | null> {
    // Nobody is told about their own actions, except that their poll has ended.
    if (recipientId === fromAccountId && type !== "poll") return null;
    const recipient = await this.stores.accounts.byId(recipientId);
    if (!recipient || recipient.domain !== null) return null;
    const r = this.stores.relationships;
    if (await r.find("blocks", recipientId, fromAccountId)) return null;
    const mute = await r.find("mutes", recipientId, fromAccountId);
    if (mute && mute.hide_notifications && (!mute.expires_at || mute.expires_at > nowIso())) return null;
    const sender = await this.stores.accounts.byId(fromAccountId);
    // A server the recipient blocked (their own domain block) is not heard from.
    if (sender?.domain && (await this.stores.accountDomainBlocks.blockedAmong(recipientId, [sender.domain])).size) return null;
    const limited = sender && this.limits ? await this.limits.isLimited(sender) : false;
    const verdict = await policyVerdict(this.stores, recipientId, fromAccountId, type, statusId, limited, this.isStaff);
    if (verdict === "drop") return null;
    if (statusId && type !== "update") {
      const status = await this.stores.statuses.byId(statusId);
      if (status && (await this.stores.statusRelations.mutedConversations(recipientId, [status.conversation_id])).size) return null;
    }
    const id = newId();
    const row: NotificationRow = { id, account_id: recipientId, from_account_id: fromAccountId, type, status_id: statusId, group_key: groupKey(type, statusId, id), created_at: nowIso(), report_id: null, relationship_severance_event_id: null, account_warning_id: null, filtered: verdict === "filter" ? 1 : 0 };
    await this.stores.notifications.insert(row);
    // A filtered notification waits in its request; nothing is pushed to the streams.
    if (verdict === "accept") this.events.publish({ type: "notification.created", notification: row });
    return row;
  }

  list(accountId: string, filter: NotificationFilter, page: PageRequest): Promise<NotificationRow[]> {
    return this.stores.notifications.list(accountId, filter, page);
  }

  async get(accountId: string, id: string): Promise<NotificationRow> {
    const row = await this.stores.notifications.byId(accountId, id);
    if (!row) throw notFound();
    return row;
  }

  dismiss(accountId: string, id: string): Promise<void> {
    return this.stores.notifications.dismiss(accountId, id);
  }

  clear(accountId: string): Promise<void> {
    return this.stores.notifications.clear(accountId);
  }

  unreadCount(accountId: string, lastReadId: string | null): Promise<number> {
    return this.stores.notifications.countSince(accountId, lastReadId);
  }
}
