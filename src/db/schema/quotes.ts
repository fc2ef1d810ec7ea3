// Quote posts and interaction policies (migration 0028; see domain/quotes/).

export type QuoteState = "pending" | "accepted" | "rejected" | "revoked" | "deleted" | "unauthorized";

/** One quoting status and what it quotes. */
export interface QuotesTable {
  id: string;
  /** The quoting status. */
  status_id: string;
  account_id: string;
  /** The quoted status once stored here (no foreign key: a deleted quoted post leaves the quote `deleted`). */
  quoted_status_id: string | null;
  quoted_account_id: string | null;
  quoted_uri: string;
  state: QuoteState;
  /** The QuoteAuthorization (ours for quotes of local posts, the quoted server's otherwise). */
  authorization_uri: string | null;
  /** Our QuoteRequest's id (outgoing), or the remote one we answered (incoming). */
  request_uri: string | null;
  created_at: string;
  updated_at: string;
}

/** public | followers | nobody (quotes); public | followers | following | nobody (replies). */
export type InteractionAudience = "public" | "followers" | "following" | "nobody";

export interface StatusInteractionPoliciesTable {
  status_id: string;
  quote_policy: InteractionAudience;
  reply_policy: InteractionAudience;
  /** A remote status's interactionPolicy as parsed (JSON of domain/quotes/policy.ts RemotePolicy). */
  remote_policy: string | null;
}
