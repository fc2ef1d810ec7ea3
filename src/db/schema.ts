// The stored model, as Kysely sees it. Conventions that hold on both databases:
// - ids are 64-bit integers in the database and decimal strings in TypeScript
//   (columns named `id` or `*_id`; see plugins.ts);
// - flags are integers 0/1 (SQLite has no boolean type; one representation keeps queries alike);
// - times are ISO-8601 UTC strings from Date#toISOString, which sort as text.
import type { ColumnType } from "kysely";

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

export interface ReportsTable {
  id: string;
  account_id: string;
  target_account_id: string;
  /** JSON array of status ids. */
  status_ids: string;
  comment: string;
  uri: string | null;
  created_at: string;
  category: ColumnType<ReportCategory, ReportCategory | undefined, ReportCategory>;
  /** JSON array of rule ids. */
  rule_ids: ColumnType<string, string | undefined, string>;
  forwarded: ColumnType<Flag, Flag | undefined, Flag>;
  assigned_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  action_taken_at: ColumnType<string | null, string | null | undefined, string | null>;
  action_taken_by_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<string, string | undefined, string>;
}

export type ReportCategory = "spam" | "legal" | "violation" | "other";

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
export type UserRole = "user" | "moderator" | "admin" | "owner";

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
  | "admin.sign_up" | "admin.report" | "severed_relationships" | "moderation_warning";

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

export interface PollsTable {
  id: string;
  status_id: string;
  account_id: string;
  multiple: Flag;
  hide_totals: Flag;
  votes_count: number;
  voters_count: number;
  expires_at: string | null;
  /** When voters and the author were told the poll ended; null until then. */
  expiry_notified_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PollOptionsTable {
  poll_id: string;
  position: number;
  title: string;
  votes_count: number;
}

export interface PollVotesTable {
  id: string;
  poll_id: string;
  account_id: string;
  /** Index into the poll's options. */
  choice: number;
  uri: string | null;
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

export type MediaType = "image" | "gifv" | "video" | "audio" | "unknown";

export interface MediaAttachmentsTable {
  id: string;
  status_id: string | null;
  account_id: string;
  type: MediaType;
  /** Where the file lives on its origin server (remote media). */
  remote_url: string | null;
  /** Our copy, once media are stored or cached locally. */
  url: string | null;
  preview_url: string | null;
  media_type: string | null;
  description: string | null;
  blurhash: string | null;
  focus_x: number | null;
  focus_y: number | null;
  width: number | null;
  height: number | null;
  position: number;
  created_at: string;
}

export type DomainBlockSeverity = "noop" | "silence" | "suspend";

export interface DomainBlocksTable {
  id: string;
  /** Lower case, punycode; covers its subdomains. */
  domain: string;
  severity: DomainBlockSeverity;
  reject_media: Flag;
  reject_reports: Flag;
  private_comment: string;
  public_comment: string;
  obfuscate: Flag;
  /** The blocklist subscription that created it; null when a moderator did. */
  subscription_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DomainAllowsTable {
  id: string;
  domain: string;
  created_at: string;
}

export interface AccountDomainBlocksTable {
  id: string;
  account_id: string;
  domain: string;
  created_at: string;
}

export interface EmailDomainBlocksTable {
  id: string;
  domain: string;
  allow_with_approval: Flag;
  parent_id: string | null;
  created_at: string;
}

export interface CanonicalEmailBlocksTable {
  id: string;
  /** SHA-256 (hex) of the canonical address. */
  canonical_email_hash: string;
  reference_account_id: string | null;
  created_at: string;
}

export type IpBlockSeverity = "sign_up_requires_approval" | "sign_up_block" | "no_access";

export interface IpBlocksTable {
  id: string;
  /** CIDR, normalised. */
  ip: string;
  severity: IpBlockSeverity;
  comment: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AdminActionLogsTable {
  id: string;
  /** The moderator; null for the command line and automatic changes. */
  account_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  human_identifier: string;
  text: string;
  created_at: string;
}

export interface AccountWarningsTable {
  id: string;
  account_id: string | null;
  target_account_id: string;
  action: string;
  text: string;
  report_id: string | null;
  /** JSON array of status ids. */
  status_ids: string;
  created_at: string;
}

export interface RelationshipSeveranceEventsTable {
  id: string;
  type: "domain_block" | "user_domain_block" | "account_suspension";
  target_name: string;
  purged: Flag;
  created_at: string;
}

export interface SeveredRelationshipsTable {
  id: string;
  relationship_severance_event_id: string;
  local_account_id: string;
  remote_account_acct: string;
  /** "active": the local account followed the remote one; "passive": the other way round. */
  direction: "active" | "passive";
  show_reblogs: Flag;
  notify: Flag;
  created_at: string;
}

export type BlocklistFormat = "csv" | "json" | "rapidblock" | "text";

export interface BlocklistSubscriptionsTable {
  id: string;
  url: string;
  format: BlocklistFormat;
  /** 0–255: the higher wins when lists disagree. */
  priority: number;
  create_as_drafts: Flag;
  adopt_existing: Flag;
  remove_retracted: Flag;
  apply_silence: Flag;
  max_severity: DomainBlockSeverity;
  /** Normalised domains, newline-separated: never blocked by this list (subdomains included). */
  excludes: string;
  enabled: Flag;
  etag: string | null;
  last_modified: string | null;
  last_fetched_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  entries_count: number;
  changes_applied: number;
  created_at: string;
  updated_at: string;
}

/** What a list said at its last successful fetch. */
export interface BlocklistEntriesTable {
  subscription_id: string;
  domain: string;
  severity: DomainBlockSeverity;
  reject_media: Flag;
  reject_reports: Flag;
  public_comment: string;
  obfuscate: Flag;
}

export interface BlocklistDraftsTable {
  id: string;
  subscription_id: string;
  domain: string;
  action: "create" | "update" | "remove";
  severity: DomainBlockSeverity;
  reject_media: Flag;
  reject_reports: Flag;
  public_comment: string;
  obfuscate: Flag;
  status: "pending" | "rejected";
  created_at: string;
}

/** A moderator's block that a list took over (adopt existing). */
export interface BlocklistAdoptionsTable {
  domain_block_id: string;
  subscription_id: string;
  created_at: string;
}

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

/** A CSV import (issue 12): its parsed rows and its progress; see domain/account-data/imports.ts. */
export interface AccountImportsTable {
  id: string;
  account_id: string;
  type: AccountImportType;
  mode: "merge" | "overwrite";
  state: "queued" | "running" | "finished" | "failed";
  filename: string;
  /** JSON array of parsed rows; "[]" once finished. */
  rows: string;
  total_rows: number;
  processed_rows: number;
  imported_rows: number;
  failed_rows: number;
  created_at: string;
  finished_at: string | null;
}

export type AccountImportType = "following" | "blocks" | "mutes" | "domain_blocks" | "bookmarks" | "lists";

/** An archive of an account (actor, outbox, likes, bookmarks) built in the background. */
export interface AccountArchivesTable {
  id: string;
  account_id: string;
  state: "pending" | "ready" | "failed";
  /** Its name in the archive storage (DATA_DIR/archives/), once built. */
  file_key: string | null;
  size_bytes: number;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

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

export interface DB {
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
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_votes: PollVotesTable;
  suggestion_dismissals: SuggestionDismissalsTable;
  kv: KvTable;
  jobs: JobsTable;
  outbox_activities: OutboxActivitiesTable;
  deliveries: DeliveriesTable;
  delivery_hosts: DeliveryHostsTable;
  delivery_counts: DeliveryCountsTable;
  actor_keys: ActorKeysTable;
  media_attachments: MediaAttachmentsTable;
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
