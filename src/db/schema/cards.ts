// Tables of migration 0030: link previews (preview cards) and which status shows which.

export type PreviewCardState = "pending" | "ready" | "failed";
export type PreviewCardType = "link" | "photo" | "video" | "rich";

/** One card per normalized URL, for the whole server. Text columns are "" when the page gave none (Mastodon's wire form). */
export interface PreviewCardsTable {
  id: string;
  url: string;
  state: PreviewCardState;
  /** Which process fetches it now, and until when its claim holds. */
  lease_owner: string | null;
  lease_until: string | null;
  fetched_at: string | null;
  /** When it is fetched again (ready: weeks; failed: hours). */
  expires_at: string | null;
  last_error: string | null;
  type: PreviewCardType;
  title: string;
  description: string;
  author_name: string;
  author_url: string;
  /** The stored account named by the page's `fediverse:creator`. */
  author_account_id: string | null;
  provider_name: string;
  provider_url: string;
  /** Sanitized iframe of an allow-listed provider, or "". */
  html: string;
  width: number;
  height: number;
  /** The page's image at its origin (shown through the media proxy), or null (none, or noindex). */
  image_url: string | null;
  image_description: string;
  blurhash: string | null;
  embed_url: string;
  language: string | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StatusCardsTable {
  status_id: string;
  card_id: string;
  created_at: string;
}
