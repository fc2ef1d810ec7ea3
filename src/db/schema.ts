// The stored model, as Kysely sees it. Conventions that hold on both databases:
// - ids are 64-bit integers in the database and decimal strings in TypeScript
//   (columns named `id` or `*_id`; see plugins.ts);
// - flags are integers 0/1 (SQLite has no boolean type; one representation keeps queries alike);
// - times are ISO-8601 UTC strings from Date#toISOString, which sort as text.
import type { ColumnType } from "kysely";
import type { ReportsTable, ReportCategory, DomainBlockSeverity, DomainBlocksTable, DomainAllowsTable, AccountDomainBlocksTable, EmailDomainBlocksTable, CanonicalEmailBlocksTable, IpBlockSeverity, IpBlocksTable, AdminActionLogsTable, AccountWarningsTable, RelationshipSeveranceEventsTable, SeveredRelationshipsTable, BlocklistFormat, BlocklistSubscriptionsTable, BlocklistEntriesTable, BlocklistDraftsTable, BlocklistAdoptionsTable } from "./schema/moderation.ts";
export type { ReportsTable, ReportCategory, DomainBlockSeverity, DomainBlocksTable, DomainAllowsTable, AccountDomainBlocksTable, EmailDomainBlocksTable, CanonicalEmailBlocksTable, IpBlockSeverity, IpBlocksTable, AdminActionLogsTable, AccountWarningsTable, RelationshipSeveranceEventsTable, SeveredRelationshipsTable, BlocklistFormat, BlocklistSubscriptionsTable, BlocklistEntriesTable, BlocklistDraftsTable, BlocklistAdoptionsTable } from "./schema/moderation.ts";
import type { EmailTokensTable, EmailTokenKind, TwoFactorCredentialsTable, TwoFactorRecoveryCodesTable, TwoFactorChallengesTable, InvitesTable, UsernameBlocksTable, PaymentsTable, PaymentEventsTable } from "./schema/registration.ts";
export type { EmailTokensTable, EmailTokenKind, TwoFactorCredentialsTable, TwoFactorRecoveryCodesTable, TwoFactorChallengesTable, InvitesTable, UsernameBlocksTable, PaymentsTable, PaymentEventsTable } from "./schema/registration.ts";
import type { AccountImportsTable, AccountImportType, AccountArchivesTable } from "./schema/account-data.ts";
import type { InstanceRulesTable, AnnouncementsTable, AnnouncementReactionsTable, AnnouncementDismissalsTable, AnnualReportsTable } from "./schema/instance-pages.ts";
export type { InstanceRulesTable, AnnouncementsTable, AnnouncementReactionsTable, AnnouncementDismissalsTable, AnnualReportsTable } from "./schema/instance-pages.ts";
import type { ScheduledStatusesTable } from "./schema/scheduled-statuses.ts";
export type { ScheduledStatusesTable } from "./schema/scheduled-statuses.ts";
import type { PushSubscriptionsTable } from "./schema/push.ts";
export type { PushSubscriptionsTable, PushPolicy } from "./schema/push.ts";
import type { MediaAttachmentsTable, CustomEmojisTable, RemoteMediaCacheTable, MediaUsageDailyTable, RemoteMediaCacheUsageTable } from "./schema/media.ts";
import type { AccountFeaturesDB } from "./schema/account-features.ts";
import type { RelaysDB } from "./schema/relays.ts";
import type { PollsDB } from "./schema/polls.ts";
import type { SearchDB } from "./schema/search.ts";
import type { ServerSamplesDB } from "./schema/server-samples.ts";
import type { RolesDB } from "./schema/roles.ts";
export type { PollsTable, PollOptionsTable, PollVotesTable } from "./schema/polls.ts";
export type { RelaysTable, RelayProtocol, RelayState } from "./schema/relays.ts";
export type { AccountNotesTable, AccountEndorsementsTable, FeaturedTagsTable, CollectionsTable, CollectionItemsTable, CollectionItemState } from "./schema/account-features.ts";
export type { MediaType, MediaProcessing, MediaAttachmentsTable, CustomEmojisTable, RemoteMediaCacheTable, MediaUsageDailyTable, RemoteMediaCacheUsageTable } from "./schema/media.ts";
export type { AccountImportsTable, AccountImportType, AccountArchivesTable } from "./schema/account-data.ts";
import type { QuotesTable, StatusInteractionPoliciesTable } from "./schema/quotes.ts";
import type { TombstonesTable } from "./schema/pruning.ts";
export type { TombstonesTable } from "./schema/pruning.ts";
import type { PreviewCardsTable, StatusCardsTable } from "./schema/cards.ts";
export type { PreviewCardsTable, PreviewCardState, PreviewCardType, StatusCardsTable } from "./schema/cards.ts";
export type { QuotesTable, QuoteState, InteractionAudience, StatusInteractionPoliciesTable } from "./schema/quotes.ts";

export type Flag = 0 | 1;

export interface AccountsTable {
  id: string;
  username: string;
  /** null for local accounts. */
  domain: string | null;
  display_name: string;
  /** Profile text as HTML (rendered for local accounts, sanitized for remote ones). */
  note: string;
  /** Profile fields as JSON: [{name, value, verified_at}]. */
  fields: string;
  locked: Flag;
  bot: Flag;
  discoverable: Flag;
  indexable: Flag;
  uri: string;
  url: string | null;
  avatar_url: string | null;
  header_url: string | null;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  last_status_at: string | null;
  suspended_at: string | null;
  created_at: string;
  updated_at: string;
  // Federation (remote accounts; local ones derive these from their URI).
  inbox_url: string | null;
  shared_inbox_url: string | null;
  followers_url: string | null;
  featured_url: string | null;
  /** JSON array of actor URIs. */
  also_known_as: string | null;
  /** When the actor document was last fetched. */
  fetched_at: string | null;
  actor_type: string;
  moved_to_account_id: string | null;
  /** Limited by a moderator (or its whole server silenced): see domain/moderation. */
  silenced_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its media are always shown as sensitive. */
  sensitized_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** "local" when a moderator here suspended the account, "remote" when its own server did. */
  suspension_origin: ColumnType<"local" | "remote" | null, "local" | "remote" | null | undefined, "local" | "remote" | null>;
  /** A local account's avatar and header: keys in the media storage (static_: still image of an animated one). */
  avatar_key: ColumnType<string | null, string | null | undefined, string | null>;
  avatar_static_key: ColumnType<string | null, string | null | undefined, string | null>;
  header_key: ColumnType<string | null, string | null | undefined, string | null>;
  header_static_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ActorKeysTable {
  account_id: string;
  /** JWKs (JSON). */
  rsa_private: string;
  rsa_public: string;
  ed25519_private: string;
  ed25519_public: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  role: UserRole;
  /** Profile text as the user typed it (the note is rendered from it). */
  note_source: string;
  /** Posting defaults as JSON: {privacy, sensitive, language}. */
  settings: string;
  approved: Flag;
  disabled: Flag;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  /** When the e-mail address was confirmed; null until then. */
  confirmed_at: ColumnType<string | null, string | null | undefined, string | null>;
  sign_up_reason: ColumnType<string | null, string | null | undefined, string | null>;
  sign_up_ip: ColumnType<string | null, string | null | undefined, string | null>;
  last_sign_in_ip: ColumnType<string | null, string | null | undefined, string | null>;
  invited_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  locale: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Mastodon's built-in roles, from least to most powerful (see domain/moderation/roles.ts). */
export type BuiltInRole = "user" | "moderator" | "admin" | "owner";
/** A user's role: a built-in one, or a custom one by its `roles` row (migration 0039). */
export type UserRole = BuiltInRole | `custom:${string}`;

export interface OAuthApplicationsTable {
  id: string;
  name: string;
  website: string | null;
  /** Newline-separated, as registered. */
  redirect_uris: string;
  /** Space-separated. */
  scopes: string;
  client_id: string;
  client_secret_hash: string;
  created_at: string;
}

export interface OAuthAuthorizationCodesTable {
  id: string;
  code_hash: string;
  application_id: string;
  user_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface OAuthAccessTokensTable {
  id: string;
  token_hash: string;
  application_id: string;
  /** null for client_credentials tokens, which act for the app and not for a user. */
  user_id: string | null;
  scopes: string;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export interface WebSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  user_agent: string | null;
  expires_at: string;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export type Visibility = "public" | "unlisted" | "private" | "direct";

export interface StatusesTable {
  id: string;
  uri: string;
  url: string | null;
  account_id: string;
  local: Flag;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  /** Set for a boost: this row is the boost, the target is the boosted status. */
  reblog_of_id: string | null;
  /** Shared by every status of one thread. */
  conversation_id: string;
  /** What the author typed (local statuses); kept for edits and delete-and-redraft. */
  text: string;
  /** HTML shown to readers. */
  content: string;
  spoiler_text: string;
  sensitive: Flag;
  visibility: Visibility;
  language: string | null;
  application_id: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  edited_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StatusEditsTable {
  id: string;
  status_id: string;
  text: string;
  content: string;
  spoiler_text: string;
  sensitive: Flag;
  created_at: string;
  /** The poll's option titles at this version (JSON array), or null without a poll. */
  poll_options: ColumnType<string | null, string | null | undefined, string | null>;
  /** The attachments at this version (JSON array of media attachment ids), or null without media. */
  media_ids: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MentionsTable {
  id: string;
  status_id: string;
  account_id: string;
}

export interface TagsTable {
  id: string;
  /** Lower-cased, for lookups. */
  name: string;
  /** As first written. */
  display_name: string;
  created_at: string;
}

export interface StatusTagsTable {
  status_id: string;
  tag_id: string;
}

/** follows, follow_requests, blocks and mutes: an account acting on a target account. */
export interface AccountRelationTable {
  id: string;
  account_id: string;
  target_account_id: string;
  uri: string | null;
  created_at: string;
}

export interface FollowsTable extends AccountRelationTable {
  show_reblogs: Flag;
  notify: Flag;
}

export interface MutesTable extends AccountRelationTable {
  hide_notifications: Flag;
  expires_at: string | null;
}

/** favourites, bookmarks and status_pins: an account acting on a status. */
export interface StatusRelationTable {
  id: string;
  account_id: string;
  status_id: string;
  uri: string | null;
  created_at: string;
}

export interface ConversationMutesTable {
  account_id: string;
  conversation_id: string;
}

export interface HomeFeedTable {
  account_id: string;
  status_id: string;
}

export type NotificationType =
  | "mention" | "status" | "reblog" | "follow" | "follow_request" | "favourite" | "poll" | "update"
  | "admin.sign_up" | "admin.report" | "severed_relationships" | "moderation_warning"
  | "quote" | "quoted_update";

export interface NotificationsTable {
  id: string;
  account_id: string;
  from_account_id: string;
  type: NotificationType;
  status_id: string | null;
  group_key: string;
  created_at: string;
  report_id: ColumnType<string | null, string | null | undefined, string | null>;
  relationship_severance_event_id: ColumnType<string | null, string | null | undefined, string | null>;
  account_warning_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1: the recipient's notification policy filed it away (a notification request), not in the main list. */
  filtered: ColumnType<Flag, Flag | undefined, Flag>;
}

export interface NotificationPermissionsTable {
  id: string;
  account_id: string;
  from_account_id: string;
  created_at: string;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  status_id: string;
  created_at: string;
}

export type ListRepliesPolicy = "followed" | "list" | "none";

export interface ListsTable {
  id: string;
  account_id: string;
  title: string;
  replies_policy: ListRepliesPolicy;
  exclusive: Flag;
  created_at: string;
  updated_at: string;
}

export interface ListAccountsTable {
  id: string;
  list_id: string;
  account_id: string;
  created_at: string;
}

export interface ListFeedTable {
  list_id: string;
  status_id: string;
}

export interface MarkersTable {
  account_id: string;
  timeline: "home" | "notifications";
  last_read_id: string;
  version: number;
  updated_at: string;
}

export interface TagFollowsTable {
  id: string;
  account_id: string;
  tag_id: string;
  created_at: string;
}

export interface AccountConversationsTable {
  id: string;
  account_id: string;
  conversation_id: string;
  /** The other participants' ids, sorted, comma-separated ("" when writing to oneself). */
  participant_account_ids: string;
  last_status_id: string;
  unread: Flag;
  created_at: string;
  updated_at: string;
}

export interface AccountConversationStatusesTable {
  account_conversation_id: string;
  status_id: string;
}

export type NotificationPolicyValue = "accept" | "filter" | "drop";

export interface NotificationPoliciesTable {
  account_id: string;
  for_not_following: NotificationPolicyValue;
  for_not_followers: NotificationPolicyValue;
  for_new_accounts: NotificationPolicyValue;
  for_private_mentions: NotificationPolicyValue;
  for_limited_accounts: NotificationPolicyValue;
  updated_at: string;
}

export type FilterContext = "home" | "notifications" | "public" | "thread" | "account";
export type FilterAction = "warn" | "hide" | "blur";

export interface FiltersTable {
  id: string;
  account_id: string;
  title: string;
  /** JSON array of FilterContext. */
  context: string;
  filter_action: FilterAction;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface FilterKeywordsTable {
  id: string;
  filter_id: string;
  keyword: string;
  whole_word: Flag;
  created_at: string;
  updated_at: string;
}

export interface FilterStatusesTable {
  id: string;
  filter_id: string;
  status_id: string;
  created_at: string;
}

export interface SuggestionDismissalsTable {
  account_id: string;
  target_account_id: string;
  created_at: string;
}

export interface KvTable {
  /** The key path as a JSON array, so prefixes can be matched as text. */
  key: string;
  value: string;
  expires_at: string | null;
}

export interface JobsTable {
  id: string;
  queue: string;
  /** JSON. */
  payload: string;
  /** Jobs sharing a key run one at a time, in id order. */
  ordering_key: string | null;
  run_at: string;
  attempts: number;
  /** The worker holding the job, until `locked_until` (its lease). */
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
}

/** An outgoing activity, signed once, shared by all its deliveries. */
export interface OutboxActivitiesTable {
  id: string;
  account_id: string;
  uri: string;
  /** The JSON body as sent. */
  body: string;
  created_at: string;
}

/** One activity to one remote inbox (a shared inbox when the server has one). */
export interface DeliveriesTable {
  id: string;
  activity_id: string;
  inbox_url: string;
  /** host[:port] of the inbox: the unit of connection pooling, limits and circuit breaking. */
  host: string;
  /** 0: first attempt, 1: retry. */
  lane: number;
  run_at: string;
  attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  gave_up_at: string | null;
  created_at: string;
}

/** Remote servers that have been failing: when to try again, and on how many days they failed. */
export interface DeliveryHostsTable {
  host: string;
  consecutive_failures: number;
  failure_days: number;
  last_failure_day: string | null;
  last_failure_at: string | null;
  last_error: string | null;
  paused_until: string | null;
  unavailable_since: string | null;
}

export interface DeliveryCountsTable {
  /** UTC minute, "2026-11-21T10:15". */
  minute: string;
  outcome: string;
  count: number;
}

/** Each capability's tables may be listed in its own schema file (AccountFeaturesDB: profile features, 0026; RelaysDB: relays, 0035; PollsDB: polls; SearchDB: statuses to index, 0036; ServerSamplesDB: the figures charted, 0038; RolesDB: custom roles, 0039). */
export interface DB extends AccountFeaturesDB, RelaysDB, PollsDB, SearchDB, ServerSamplesDB, RolesDB {
  two_factor_credentials: TwoFactorCredentialsTable;
  two_factor_recovery_codes: TwoFactorRecoveryCodesTable;
  two_factor_challenges: TwoFactorChallengesTable;
  email_tokens: EmailTokensTable;
  invites: InvitesTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  username_blocks: UsernameBlocksTable;
  accounts: AccountsTable;
  users: UsersTable;
  oauth_applications: OAuthApplicationsTable;
  oauth_authorization_codes: OAuthAuthorizationCodesTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  push_subscriptions: PushSubscriptionsTable;
  web_sessions: WebSessionsTable;
  settings: SettingsTable;
  statuses: StatusesTable;
  status_edits: StatusEditsTable;
  mentions: MentionsTable;
  tags: TagsTable;
  status_tags: StatusTagsTable;
  follows: FollowsTable;
  follow_requests: FollowsTable;
  blocks: AccountRelationTable;
  mutes: MutesTable;
  favourites: StatusRelationTable;
  bookmarks: StatusRelationTable;
  status_pins: StatusRelationTable;
  conversation_mutes: ConversationMutesTable;
  home_feed: HomeFeedTable;
  notifications: NotificationsTable;
  idempotency_keys: IdempotencyKeysTable;
  lists: ListsTable;
  list_accounts: ListAccountsTable;
  list_feed: ListFeedTable;
  markers: MarkersTable;
  tag_follows: TagFollowsTable;
  account_conversations: AccountConversationsTable;
  account_conversation_statuses: AccountConversationStatusesTable;
  notification_policies: NotificationPoliciesTable;
  notification_permissions: NotificationPermissionsTable;
  filters: FiltersTable;
  filter_keywords: FilterKeywordsTable;
  filter_statuses: FilterStatusesTable;
  suggestion_dismissals: SuggestionDismissalsTable;
  kv: KvTable;
  jobs: JobsTable;
  outbox_activities: OutboxActivitiesTable;
  deliveries: DeliveriesTable;
  delivery_hosts: DeliveryHostsTable;
  delivery_counts: DeliveryCountsTable;
  actor_keys: ActorKeysTable;
  media_attachments: MediaAttachmentsTable;
  custom_emojis: CustomEmojisTable;
  remote_media_cache: RemoteMediaCacheTable;
  remote_media_cache_usage: RemoteMediaCacheUsageTable;
  media_usage_daily: MediaUsageDailyTable;
  reports: ReportsTable;
  domain_blocks: DomainBlocksTable;
  domain_allows: DomainAllowsTable;
  account_domain_blocks: AccountDomainBlocksTable;
  email_domain_blocks: EmailDomainBlocksTable;
  canonical_email_blocks: CanonicalEmailBlocksTable;
  ip_blocks: IpBlocksTable;
  admin_action_logs: AdminActionLogsTable;
  account_warnings: AccountWarningsTable;
  relationship_severance_events: RelationshipSeveranceEventsTable;
  severed_relationships: SeveredRelationshipsTable;
  blocklist_subscriptions: BlocklistSubscriptionsTable;
  blocklist_entries: BlocklistEntriesTable;
  blocklist_drafts: BlocklistDraftsTable;
  blocklist_adoptions: BlocklistAdoptionsTable;
  account_imports: AccountImportsTable;
  account_archives: AccountArchivesTable;
  instance_rules: InstanceRulesTable;
  announcements: AnnouncementsTable;
  announcement_reactions: AnnouncementReactionsTable;
  announcement_dismissals: AnnouncementDismissalsTable;
  annual_reports: AnnualReportsTable;
  scheduled_statuses: ScheduledStatusesTable;
  quotes: QuotesTable;
  status_interaction_policies: StatusInteractionPoliciesTable;
  tombstones: TombstonesTable;
  preview_cards: PreviewCardsTable;
  status_cards: StatusCardsTable;
}
