// Sign-up and sign-in tables: e-mailed tokens, two-factor, invites, username blocks, registration payments.
import type { ColumnType } from "kysely";

/** Single-use e-mailed links (confirmation, password reset, e-mail change); only their SHA-256 is kept. */
export interface EmailTokensTable {
  id: string;
  user_id: string;
  kind: EmailTokenKind;
  /** null until the mail is handed to the transport (the token is drawn then). */
  token_hash: string | null;
  /** The address the link was sent to (the new one, for a change). */
  email: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export type EmailTokenKind = "confirmation" | "password_reset" | "email_change";

/** Two-factor sign-in (migration 0018): see migrations/0018_two_factor.ts. */
export interface TwoFactorCredentialsTable {
  user_id: string;
  /** The TOTP key, base32. Never shown again once set up. */
  secret: string;
  enabled_at: string | null;
  /** The 30-second step of the last accepted code (a code is accepted once). */
  last_used_step: number | null;
  created_at: string;
}

export interface TwoFactorRecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface TwoFactorChallengesTable {
  id: string;
  token_hash: string;
  user_id: string;
  user_agent: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  expires_at: string;
  created_at: string;
}

/** Invites (0015): a code that lets `max_uses` people (null: any number) sign up until `expires_at`. */
export interface InvitesTable {
  id: string;
  code: string;
  user_id: string;
  max_uses: number | null;
  uses: ColumnType<number, number | undefined, number>;
  expires_at: string | null;
  autofollow: ColumnType<number, number | undefined, number>;
  created_at: string;
  revoked_at: string | null;
}

/** Usernames moderators keep from being registered (0015); `normalized` is the folded form. */
export interface UsernameBlocksTable {
  id: string;
  username: string;
  normalized: string;
  exact: number;
  created_at: string;
}

/** A registration fee's checkout (0016): pending → paid → refunded | disputed; pending → expired. */
export interface PaymentsTable {
  id: string;
  provider: string;
  checkout_id: string;
  checkout_url: string;
  provider_payment_id: string | null;
  user_id: string | null;
  email: string | null;
  invite_id: string | null;
  mode: "account" | "invite";
  amount: number;
  currency: string;
  state: "pending" | "paid" | "expired" | "refunded" | "disputed";
  created_at: string;
  updated_at: string;
}

/** Provider webhook events already handled (0016), so a retried event is handled once. */
export interface PaymentEventsTable {
  provider: string;
  event_id: string;
  type: string;
  received_at: string;
}
