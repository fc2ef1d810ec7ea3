// Moderation tables: reports, server and account domain blocks, allows, e-mail/IP blocks, audit log, warnings, severed relationships, blocklist subscriptions.
import type { ColumnType } from "kysely";
import type { Flag } from "../schema.ts";

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
