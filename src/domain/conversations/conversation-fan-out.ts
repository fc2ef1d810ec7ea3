// Direct statuses build conversations: each local participant (the author and the mentioned
// accounts) gets the status in their conversation with the same thread and the same other
// participants, as Mastodon's account_conversations do. It is unread for everyone but the author.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";

const byNumber = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

export async function addToConversations(stores: Stores, status: StatusRow, mentionedIds: readonly string[]): Promise<void> {
  if (status.visibility !== "direct" || status.reblog_of_id !== null) return;
  const participants = [...new Set([status.account_id, ...mentionedIds])].sort(byNumber);
  const locals = (await stores.accounts.byIds(participants)).filter((a) => a.domain === null);
  const now = nowIso();
  for (const recipient of locals) {
    const isAuthor = recipient.id === status.account_id;
    // Someone who blocks the author never sees the status, so it starts no conversation for them.
    if (!isAuthor && (await stores.relationships.find("blocks", recipient.id, status.account_id))) continue;
    await stores.conversations.addStatus(
      {
        accountId: recipient.id,
        conversationId: status.conversation_id,
        participantIds: participants.filter((id) => id !== recipient.id).join(","),
        statusId: status.id,
        unread: !isAuthor,
      },
      newId,
      now,
    );
  }
}
