// The WebPushSubscription entity: what the token's subscription pushes, and the server's VAPID key.
import type { PushSubscriptionView } from "../../domain/push/push-service.ts";

export function toWebPushSubscription(view: PushSubscriptionView) {
  return {
    id: view.id,
    endpoint: view.endpoint,
    standard: view.standard,
    alerts: { ...view.alerts },
    policy: view.policy,
    server_key: view.serverKey,
  };
}
