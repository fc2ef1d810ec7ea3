// Data access for direct-message conversations: one row per participant and (thread,
// participant set), holding the latest status and whether it is unread.
import { sql, type Kysely, type Selectable } from "kysely";
import type { AccountConversationsTable, DB } from "../db/schema.ts";
import type { StatusRow } from "./statuses.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { notDomainBlockedBy, readableBy } from "./visibility-sql.ts";

export type ConversationRow = Selectable<AccountConversationsTable>;

export interface ConversationEntry {
  accountId: string;
  conversationId: string;
  participantIds: string;
  statusId: string;
  unread: boolean;
}

export class ConversationStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Records a status in the participant's conversation, creating the conversation if needed. */
  async addStatus(entry: ConversationEntry, newId: () => string, now: string): Promise<void> {
    const last = sql.ref("account_conversations.last_status_id");
    const incoming = sql.ref("excluded.last_status_id");
    const row = await this.db
      .insertInto("account_conversations")
      .values({
        id: newId(),
        account_id: entry.accountId,
        conversation_id: entry.conversationId,
        participant_account_ids: entry.participantIds,
        last_status_id: entry.statusId,
        unread: entry.unread ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["account_id", "conversation_id", "participant_account_ids"]).doUpdateSet({
          // A status arriving late (federation) does not replace a newer one.
          last_status_id: sql<string>`case when ${last} > ${incoming} then ${last} else ${incoming} end`,
          unread: entry.unread ? 1 : 0,
          updated_at: now,
        }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto("account_conversation_statuses")
      .values({ account_conversation_id: row.id, status_id: entry.statusId })
      .onConflict((oc) => oc.columns(["account_conversation_id", "status_id"]).doNothing())
      .execute();
  }

  /** The account's conversations, latest status first, paginated by that status's id. */
  async list(accountId: string, page: PageRequest): Promise<ConversationRow[]> {
    const q = this.db
      .selectFrom("account_conversations")
      .innerJoin("statuses", "statuses.id", "account_conversations.last_status_id")
      .selectAll("account_conversations")
      .where("account_conversations.account_id", "=", accountId)
      .where(readableBy(accountId))
      .where(notDomainBlockedBy(accountId));
    return paginate(q, "account_conversations.last_status_id", page);
  }

  /** Of these statuses, those `viewerId` may read. */
  async readableStatuses(statusIds: readonly string[], viewerId: string): Promise<StatusRow[]> {
    if (statusIds.length === 0) return [];
    return this.db.selectFrom("statuses").selectAll().where("id", "in", [...new Set(statusIds)]).where(readableBy(viewerId)).execute();
  }

  async byId(accountId: string, id: string): Promise<ConversationRow | undefined> {
    return this.db.selectFrom("account_conversations").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  }

  /** The account's conversation whose latest status this is (for the streaming `conversation` event). */
  async byLastStatus(accountId: string, statusId: string): Promise<ConversationRow | undefined> {
    return this.db.selectFrom("account_conversations").selectAll().where("account_id", "=", accountId).where("last_status_id", "=", statusId).executeTakeFirst();
  }

  async setUnread(accountId: string, id: string, unread: boolean, now: string): Promise<void> {
    await this.db.updateTable("account_conversations").set({ unread: unread ? 1 : 0, updated_at: now }).where("account_id", "=", accountId).where("id", "=", id).execute();
  }

  async delete(accountId: string, id: string): Promise<void> {
    await this.db.deleteFrom("account_conversations").where("account_id", "=", accountId).where("id", "=", id).execute();
  }

  /**
   * After a status was deleted: conversations whose latest status it was fall back to their
   * previous one, or disappear when it was their only status.
   */
  async forgetStatus(statusId: string, now: string): Promise<void> {
    const rows = await this.db.selectFrom("account_conversations").select("id").where("last_status_id", "=", statusId).execute();
    for (const { id } of rows) {
      const previous = await this.db
        .selectFrom("account_conversation_statuses")
        .select("status_id")
        .where("account_conversation_id", "=", id)
        .where("status_id", "!=", statusId)
        .orderBy("status_id", "desc")
        .limit(1)
        .executeTakeFirst();
      if (previous) await this.db.updateTable("account_conversations").set({ last_status_id: previous.status_id, updated_at: now }).where("id", "=", id).execute();
      else await this.db.deleteFrom("account_conversations").where("id", "=", id).execute();
    }
  }
}
