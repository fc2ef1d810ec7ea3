// Data access for notifications.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, Flag, NotificationsTable, NotificationType } from "../db/schema.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { accountNotDomainBlockedBy } from "./visibility-sql.ts";

/** `filtered` may be left out of rows built for insertion (it defaults to 0: shown). */
export type NotificationRow = Omit<Selectable<NotificationsTable>, "filtered"> & { filtered?: Flag };

export interface NotificationFilter {
  types?: NotificationType[];
  excludeTypes?: NotificationType[];
  fromAccountId?: string | null;
  /** Filtered notifications (notification requests) too; by default only the main list. */
  includeFiltered?: boolean;
}

export class NotificationStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<NotificationsTable>): Promise<void> {
    await this.db.insertInto("notifications").values(row).execute();
  }

  async byId(accountId: string, id: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom("notifications").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  }

  async list(accountId: string, filter: NotificationFilter, page: PageRequest): Promise<NotificationRow[]> {
    let q = this.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", accountId)
      // Hide notifications from accounts the reader blocks, or mutes with notifications hidden.
      .where((eb) => eb.not(eb.exists(eb.selectFrom("blocks").select("blocks.id").where("blocks.account_id", "=", accountId).whereRef("blocks.target_account_id", "=", "notifications.from_account_id"))))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom("mutes").select("mutes.id").where("mutes.account_id", "=", accountId).whereRef("mutes.target_account_id", "=", "notifications.from_account_id").where("mutes.hide_notifications", "=", 1),
          ),
        ),
      )
      // …and from servers the reader blocked.
      .where(accountNotDomainBlockedBy(accountId, "notifications.from_account_id"));
    if (filter.types?.length) q = q.where("type", "in", filter.types);
    if (filter.excludeTypes?.length) q = q.where("type", "not in", filter.excludeTypes);
    if (filter.fromAccountId) q = q.where("from_account_id", "=", filter.fromAccountId);
    if (!filter.includeFiltered) q = q.where("filtered", "=", 0);
    return paginate(q, "notifications.id", page);
  }

  async dismiss(accountId: string, id: string): Promise<void> {
    await this.db.deleteFrom("notifications").where("account_id", "=", accountId).where("id", "=", id).execute();
  }

  async clear(accountId: string): Promise<void> {
    await this.db.deleteFrom("notifications").where("account_id", "=", accountId).execute();
  }

  /** Removes what one account caused another to receive (after a block, an unfollow…). */
  async removeFrom(accountId: string, fromAccountId: string, types?: NotificationType[]): Promise<void> {
    let q = this.db.deleteFrom("notifications").where("account_id", "=", accountId).where("from_account_id", "=", fromAccountId);
    if (types) q = q.where("type", "in", types);
    await q.execute();
  }

  async countSince(accountId: string, sinceId: string | null): Promise<number> {
    let q = this.db.selectFrom("notifications").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).where("filtered", "=", 0);
    if (sinceId) q = q.where("id", ">", sinceId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
