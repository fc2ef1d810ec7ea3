// Notification requests (Mastodon 4.3): notifications the recipient's policy filtered
// (notification-policy.ts) wait here, one request per sender, until the recipient accepts them
// (they join the main list, and that sender is not filtered again) or dismisses them (deleted).
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { NotificationRequestRow } from "../../store/notification-requests.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { newId, parseId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";

/** Ids one bulk accept or dismiss may name. */
export const MAX_BULK_REQUESTS = 100;

export interface NotificationRequest extends NotificationRequestRow {
  account: AccountRow;
}

export class NotificationRequestService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  async list(accountId: string, page: PageRequest): Promise<NotificationRequest[]> {
    return this.withAccounts(await this.stores.notificationRequests.list(accountId, page));
  }

  async get(accountId: string, id: string): Promise<NotificationRequest> {
    const fromId = parseId(id);
    const row = fromId ? await this.stores.notificationRequests.byFrom(accountId, fromId) : undefined;
    const [request] = row ? await this.withAccounts([row]) : [];
    if (!request) throw notFound();
    return request;
  }

  /** Accepts requests by id; one that does not exist is a 404 (bulk: unknown ids are skipped). */
  async accept(accountId: string, ids: readonly string[], bulk = false): Promise<void> {
    const fromIds = await this.existing(accountId, ids, bulk);
    for (const fromId of fromIds) await this.stores.notificationRequests.permit({ id: newId(), account_id: accountId, from_account_id: fromId, created_at: nowIso() });
    await this.stores.notificationRequests.unfilter(accountId, fromIds);
  }

  async dismiss(accountId: string, ids: readonly string[], bulk = false): Promise<void> {
    await this.stores.notificationRequests.dismiss(accountId, await this.existing(accountId, ids, bulk));
  }

  summary(accountId: string): Promise<{ requests: number; notifications: number }> {
    return this.stores.notificationRequests.summary(accountId);
  }

  private async existing(accountId: string, ids: readonly string[], bulk: boolean): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids.slice(0, MAX_BULK_REQUESTS)) {
      const fromId = parseId(id);
      if (fromId && (await this.stores.notificationRequests.byFrom(accountId, fromId))) out.push(fromId);
      else if (!bulk) throw notFound();
    }
    return out;
  }

  private async withAccounts(rows: NotificationRequestRow[]): Promise<NotificationRequest[]> {
    const accounts = new Map((await this.stores.accounts.byIds(rows.map((r) => r.fromAccountId))).map((a) => [a.id, a]));
    return rows.flatMap((r) => {
      const account = accounts.get(r.fromAccountId);
      return account && !account.suspended_at ? [{ ...r, account }] : [];
    });
  }
}
