// Severed relationships (Mastodon 4.3): when a moderation event cuts follows between local users
// and another server, each affected local user is told — a `severed_relationships` notification
// carrying the event — and keeps the list of what was cut, to export as CSV and follow again
// elsewhere or later. The record is written before the purge removes the follows, in one
// transaction with the event, so a purge interrupted and re-run never records the cut twice.
import type { Stores } from "../../store/stores.ts";
import type { SeveranceEventRow, SeveredRelationshipRow } from "../../store/moderation/severed-relationships.ts";
import type { EventBus } from "../events.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";

export type SeveranceType = SeveranceEventRow["type"];

/** One event as one local user sees it: what the API's RelationshipSeveranceEvent shows. */
export interface SeveranceView {
  event: SeveranceEventRow;
  followersCount: number;
  followingCount: number;
}

export class SeveredRelationships {
  private readonly stores: Stores;
  private readonly events: EventBus | null;

  constructor(stores: Stores, events: EventBus | null) {
    this.stores = stores;
    this.events = events;
  }

  /**
   * Records event `eventId` cutting every follow between local accounts and `domain` (with its
   * subdomains), and notifies each local account that had one. Does nothing if the event is
   * already recorded (a re-run after an interruption). Returns how many local accounts were told.
   */
  async severDomain(eventId: string, type: SeveranceType, domain: string): Promise<number> {
    const notifications: NotificationRow[] = [];
    await this.stores.transaction(async (tx) => {
      if (await tx.severedRelationships.eventById(eventId)) return;
      const now = nowIso();
      await tx.severedRelationships.insertEvent({ id: eventId, type, target_name: domain, purged: 0, created_at: now });
      const follows = await tx.severedRelationships.crossFollows(domain);
      const rows: SeveredRelationshipRow[] = follows.map((f) => ({
        id: newId(),
        relationship_severance_event_id: eventId,
        local_account_id: f.local_account_id,
        remote_account_acct: `${f.remote_username}@${f.remote_domain}`,
        direction: f.direction,
        show_reblogs: f.show_reblogs,
        notify: f.notify,
        created_at: now,
      }));
      await tx.severedRelationships.insertRelationships(rows);
      for (const accountId of new Set(rows.map((r) => r.local_account_id))) {
        const id = newId();
        // Mastodon names the user as the notification's account: nobody else acted.
        const row: NotificationRow = {
          id, account_id: accountId, from_account_id: accountId, type: "severed_relationships", status_id: null, group_key: `ungrouped-${id}`,
          created_at: now, report_id: null, relationship_severance_event_id: eventId, account_warning_id: null,
        };
        await tx.notifications.insert(row);
        notifications.push(row);
      }
    });
    for (const notification of notifications) this.events?.publish({ type: "notification.created", notification });
    return notifications.length;
  }

  /** The events these notifications of one recipient carry, with that recipient's counts. */
  async viewsFor(accountId: string, eventIds: readonly string[]): Promise<Map<string, SeveranceView>> {
    const ids = [...new Set(eventIds)];
    const [events, counts] = await Promise.all([this.stores.severedRelationships.eventsByIds(ids), this.stores.severedRelationships.countsFor(accountId, ids)]);
    return new Map(events.map((event) => {
      const c = counts.get(event.id) ?? { followers: 0, following: 0 };
      return [event.id, { event, followersCount: c.followers, followingCount: c.following }];
    }));
  }

  /**
   * One of the two lists Mastodon offers for download, as CSV in its export formats: `following`
   * (importable as follows) or `followers`. Only the account that lost them may read them.
   */
  async csv(accountId: string, eventId: string, list: "following" | "followers"): Promise<{ filename: string; body: string }> {
    const event = await this.stores.severedRelationships.eventById(eventId);
    if (!event) throw notFound();
    // An event that cut nothing of this account's is not theirs to read.
    if (!(await this.stores.severedRelationships.countsFor(accountId, [eventId])).has(eventId)) throw notFound();
    const rows = await this.stores.severedRelationships.relationshipsOf(eventId, accountId, list === "following" ? "active" : "passive");
    const lines = list === "following"
      ? ["Account address,Show boosts,Notify on new posts,Languages", ...rows.map((r) => `${csvField(r.remote_account_acct)},${r.show_reblogs === 1},${r.notify === 1},`)]
      : ["Account address", ...rows.map((r) => csvField(r.remote_account_acct))];
    const filename = `${list}-${event.target_name}-${event.created_at.slice(0, 10)}.csv`;
    return { filename, body: `${lines.join("\n")}\n` };
  }
}

/** A CSV field, quoted when it holds a separator, a quote or a line break; never a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
