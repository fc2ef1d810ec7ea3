// Table of migration 0024: Web Push subscriptions (one per access token, Mastodon's
// /api/v1/push/subscription).
import type { Flag } from "../schema.ts";

export type PushPolicy = "all" | "followed" | "follower" | "none";

export interface PushSubscriptionsTable {
  id: string;
  /** The access token that made it (unique: one subscription per token; gone with the token). */
  token_id: string;
  account_id: string;
  /** The push service's URL for this browser or app (https, bounded). */
  endpoint: string;
  /** The user agent's P-256 public key (65-byte uncompressed point) and 16-byte auth secret, base64url. */
  key_p256dh: string;
  key_auth: string;
  /** JSON object: notification type → true, for the types pushed. */
  alerts: string;
  policy: PushPolicy;
  /** 1: RFC 8291 aes128gcm; 0: the legacy aesgcm draft most relays expect. */
  standard: Flag;
  /** The bearer token itself, sealed (AES-256-GCM, domain/push/token-box.ts): clients find their account by it in the payload. */
  sealed_token: string;
  created_at: string;
  updated_at: string;
}
