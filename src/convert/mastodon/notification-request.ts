// Notification requests (domain/notifications/notification-requests.ts) → Mastodon's
// NotificationRequest entity.
import type { NotificationRequest } from "../../domain/notifications/notification-requests.ts";
import { toAccount, type ConvertContext } from "./account.ts";

/** `lastStatus`: the rendered Status of the request's newest notification, if the reader may see it. */
export function toNotificationRequest(request: NotificationRequest, lastStatus: unknown, ctx: ConvertContext) {
  return {
    // The sender's id names the request: one request per sender.
    id: request.fromAccountId,
    created_at: request.createdAt,
    updated_at: request.updatedAt,
    account: toAccount(request.account, ctx),
    notifications_count: String(request.count),
    last_status: lastStatus ?? null,
  };
}
