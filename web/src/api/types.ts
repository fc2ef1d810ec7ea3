// The Mastodon entities the client reads, as far as it reads them (the API sends more).
export interface CustomEmoji {
  shortcode: string;
  url: string;
}

export interface Account {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  avatar: string;
  header: string;
  note: string;
  locked: boolean;
  bot: boolean;
  followers_count: number;
  following_count: number;
  statuses_count: number;
}

export interface MediaAttachment {
  id: string;
  type: "image" | "gifv" | "video" | "audio" | "unknown";
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
}

export type Visibility = "public" | "unlisted" | "private" | "direct";

export interface Status {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: Account;
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  visibility: Visibility;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: Status | null;
  media_attachments: MediaAttachment[];
  mentions: { id: string; acct: string; username: string }[];
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  favourited?: boolean;
  reblogged?: boolean;
}

export interface Context {
  ancestors: Status[];
  descendants: Status[];
}

export interface Relationship {
  id: string;
  following: boolean;
  followed_by: boolean;
  requested: boolean;
  blocking: boolean;
  muting: boolean;
}

export interface Notification {
  id: string;
  type: string;
  created_at: string;
  account: Account;
  status?: Status | null;
}

export interface Instance {
  domain: string;
  title: string;
  version: string;
  description: string;
  configuration: { statuses: { max_characters: number } };
  registrations: { enabled: boolean; approval_required: boolean; message: string | null };
  contact: { email: string; account: Account | null };
}

export interface Rule {
  id: string;
  text: string;
  hint?: string;
}

export interface Application {
  client_id: string;
  client_secret: string;
  /** Kept with the stored application: a registration for another address is not reused. */
  redirect_uri?: string;
}

export interface Token {
  access_token: string;
  scope: string;
}
