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
  fields?: { name: string; value: string; verified_at: string | null }[];
  discoverable?: boolean | null;
  indexable?: boolean;
}

/** verify_credentials / update_credentials: the account with what its owner wrote (`source`). */
export interface CredentialAccount extends Account {
  source: {
    note: string;
    fields: { name: string; value: string }[];
    discoverable: boolean;
    indexable: boolean;
  };
}

export interface MediaAttachment {
  id: string;
  type: "image" | "gifv" | "video" | "audio" | "unknown";
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
  meta?: { focus?: { x: number; y: number } } | null;
}

export interface Poll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  options: { title: string; votes_count: number | null }[];
  voted?: boolean;
  own_votes?: number[];
}

export type FilterContext = "home" | "notifications" | "public" | "thread" | "account";
export type FilterAction = "warn" | "hide" | "blur";

export interface FilterKeyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}

export interface Filter {
  id: string;
  title: string;
  context: FilterContext[];
  expires_at: string | null;
  filter_action: FilterAction;
  keywords: FilterKeyword[];
}

/** Why a post matched one of the reader's filters (the Status entity's `filtered`). */
export interface FilterResult {
  filter: { id: string; title: string; context: FilterContext[]; filter_action: FilterAction };
  keyword_matches: string[] | null;
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
  bookmarked?: boolean;
  language?: string | null;
  poll?: Poll | null;
  filtered?: FilterResult[];
  quote?: { state: string; quoted_status?: Status | null; quoted_status_id?: string } | null;
  quote_approval?: { current_user: string } | null;
  edited_at?: string | null;
  /** Only on one's own posts. */
  pinned?: boolean;
}

/** What DELETE /api/v1/statuses/:id answers: the post with the text it was written from (for a redraft). */
export interface DeletedStatus extends Status {
  text: string;
}

/** GET /api/v1/statuses/:id/source: what an edit starts from. */
export interface StatusSource {
  id: string;
  text: string;
  spoiler_text: string;
}

/** One version of an edited post (GET /api/v1/statuses/:id/history), oldest first. */
export interface StatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: Account;
  poll?: { options: { title: string }[] } | null;
  media_attachments: MediaAttachment[];
}

export interface ScheduledStatus {
  id: string;
  scheduled_at: string;
  params: { text: string; visibility: Visibility; spoiler_text: string | null; poll: unknown; in_reply_to_id: unknown };
  media_attachments: MediaAttachment[];
}

/** A direct-message conversation (/api/v1/conversations). */
export interface Conversation {
  id: string;
  unread: boolean;
  accounts: Account[];
  last_status: Status | null;
}

/** Notifications held back by the user's notification policy, one request per sender. */
export interface NotificationRequest {
  id: string;
  account: Account;
  notifications_count: string;
  last_status: Status | null;
}

export type PolicyValue = "accept" | "filter" | "drop";

export interface NotificationPolicy {
  for_not_following: PolicyValue;
  for_not_followers: PolicyValue;
  for_new_accounts: PolicyValue;
  for_private_mentions: PolicyValue;
  for_limited_accounts: PolicyValue;
  summary: { pending_requests_count: number; pending_notifications_count: number };
}

export interface AnnouncementReaction {
  name: string;
  count: number;
  me?: boolean | null;
  url?: string;
  static_url?: string;
}

export interface Announcement {
  id: string;
  content: string;
  starts_at: string | null;
  ends_at: string | null;
  published_at: string;
  updated_at: string;
  read?: boolean | null;
  reactions: AnnouncementReaction[];
}

export interface Tag {
  name: string;
  url: string;
  following?: boolean;
  history?: { day: string; uses: string; accounts: string }[];
}

export interface List {
  id: string;
  title: string;
  replies_policy: "followed" | "list" | "none";
  exclusive?: boolean;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
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
  note: string;
}

export interface Notification {
  id: string;
  type: string;
  created_at: string;
  account: Account;
  status?: Status | null;
  group_key?: string;
}

/** Mastodon 4.3's grouped notifications: one row for "A, B and 3 others favourited your post". */
export interface NotificationGroup {
  group_key: string;
  notifications_count: number;
  type: string;
  most_recent_notification_id: string;
  latest_page_notification_at?: string;
  sample_account_ids: string[];
  status_id?: string | null;
}

export interface GroupedNotifications {
  accounts: Account[];
  statuses: Status[];
  notification_groups: NotificationGroup[];
}

export interface Preferences {
  "posting:default:visibility": Visibility;
  "posting:default:sensitive": boolean;
  "posting:default:language": string | null;
  "posting:default:quote_policy"?: string;
}

export interface Instance {
  domain: string;
  title: string;
  version: string;
  description: string;
  configuration: {
    statuses: { max_characters: number; max_media_attachments?: number };
    polls?: { max_options: number; max_characters_per_option: number; min_expiration: number; max_expiration: number };
  };
  languages?: string[];
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
