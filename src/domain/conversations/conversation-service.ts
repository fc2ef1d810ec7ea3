// Direct-message conversations as each participant sees them: built when a direct status is
// created (conversation-fan-out.ts), repaired when one is deleted, read, marked and removed by
// their owner only. The latest status is re-checked against privacy when listed.
import type { Stores } from "../../store/stores.ts";
import type { ConversationRow } from "../../store/conversations.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { EventBus } from "../events.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";

export interface ConversationView {
  conversation: ConversationRow;
  /** The other participants (oneself when there are none, as Mastodon shows it). */
  accounts: AccountRow[];
  lastStatus: StatusRow | null;
}

export class ConversationService {
  private readonly stores: Stores;

  constructor(stores: Stores, events: EventBus) {
    this.stores = stores;
    events.subscribe(async (event) => {
      if (event.type === "status.deleted") await this.stores.conversations.forgetStatus(event.statusId, nowIso());
    });
  }

  list(viewerId: string, page: PageRequest): Promise<ConversationRow[]> {
    return this.stores.conversations.list(viewerId, page);
  }

  async get(viewerId: string, id: string): Promise<ConversationRow> {
    const row = await this.stores.conversations.byId(viewerId, id);
    if (!row) throw notFound();
    return row;
  }

  /**
   * The viewer's conversation that `statusId` just updated, as GET /api/v1/conversations lists it;
   * what the streaming `conversation` event should carry, so that clients can match ids.
   */
  async ofStatus(viewerId: string, statusId: string): Promise<ConversationView | null> {
    const row = await this.stores.conversations.byLastStatus(viewerId, statusId);
    return row ? ((await this.views(viewerId, [row]))[0] ?? null) : null;
  }

  async markRead(viewerId: string, id: string, read = true): Promise<ConversationRow> {
    const row = await this.get(viewerId, id);
    const now = nowIso();
    await this.stores.conversations.setUnread(viewerId, row.id, !read, now);
    return { ...row, unread: read ? 0 : 1, updated_at: now };
  }

  async remove(viewerId: string, id: string): Promise<void> {
    const row = await this.get(viewerId, id);
    await this.stores.conversations.delete(viewerId, row.id);
  }

  /** Participants and latest statuses for a page of conversations, in a fixed number of queries. */
  async views(viewerId: string, rows: readonly ConversationRow[]): Promise<ConversationView[]> {
    const participantIds = new Set<string>([viewerId]);
    for (const row of rows) for (const id of splitIds(row.participant_account_ids)) participantIds.add(id);
    const [accounts, statuses] = await Promise.all([
      this.stores.accounts.byIds([...participantIds]),
      this.stores.conversations.readableStatuses(rows.map((r) => r.last_status_id), viewerId),
    ]);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const statusById = new Map(statuses.map((s) => [s.id, s]));
    return rows.map((conversation) => {
      const others = splitIds(conversation.participant_account_ids)
        .map((id) => byId.get(id))
        .filter((a): a is AccountRow => a !== undefined && !a.suspended_at);
      const self = byId.get(viewerId);
      return { conversation, accounts: others.length || !self ? others : [self], lastStatus: statusById.get(conversation.last_status_id) ?? null };
    });
  }
}

function splitIds(ids: string): string[] {
  return ids === "" ? [] : ids.split(",");
}
