// A participant's direct-message conversation (account_conversations) → Mastodon's Conversation
// entity, as /api/v1/conversations lists it. The last status is rendered by the caller (it needs
// the reader's flags) and passed in by id.
import type { ConversationView } from "../../domain/conversations/conversation-service.ts";
import { toAccount, type ConvertContext } from "./account.ts";

export function toAccountConversation(view: ConversationView, renderedStatuses: ReadonlyMap<string, unknown>, ctx: ConvertContext) {
  return {
    id: view.conversation.id,
    unread: view.conversation.unread === 1,
    accounts: view.accounts.map((a) => toAccount(a, ctx)),
    last_status: view.lastStatus ? (renderedStatuses.get(view.lastStatus.id) ?? null) : null,
  };
}
