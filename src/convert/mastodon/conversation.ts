// A direct status, seen by one participant → Mastodon's Conversation entity (streaming `direct`).
import type { StatusView } from "../../domain/statuses/status-views.ts";
import { toAccount, type ConvertContext } from "./account.ts";
import { toStatus } from "./status.ts";

export function toConversation(lastStatus: StatusView, viewerId: string, ctx: ConvertContext) {
  const { status, account } = lastStatus;
  const participants = new Map([account, ...lastStatus.mentions].map((a) => [a.id, a]));
  participants.delete(viewerId);
  return {
    id: status.conversation_id,
    unread: status.account_id !== viewerId,
    accounts: [...participants.values()].map((a) => toAccount(a, ctx)),
    last_status: toStatus(lastStatus, ctx),
  };
}
