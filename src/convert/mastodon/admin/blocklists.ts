// Blocklist subscriptions and drafts as the admin API shows them (a Skein extension: Mastodon
// has no such entities). Flags are booleans, excludes a list, the status fields as stored.
import type { BlocklistDraftRow, BlocklistSubscriptionRow } from "../../../store/moderation/blocklists.ts";

export function toBlocklistSubscription(row: BlocklistSubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    format: row.format,
    priority: row.priority,
    create_as_drafts: row.create_as_drafts === 1,
    adopt_existing: row.adopt_existing === 1,
    remove_retracted: row.remove_retracted === 1,
    apply_silence: row.apply_silence === 1,
    max_severity: row.max_severity,
    excludes: row.excludes ? row.excludes.split("\n") : [],
    enabled: row.enabled === 1,
    last_fetched_at: row.last_fetched_at,
    last_success_at: row.last_success_at,
    last_error: row.last_error,
    entries_count: row.entries_count,
    changes_applied: row.changes_applied,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toBlocklistDraft(row: BlocklistDraftRow) {
  return {
    id: row.id,
    subscription_id: row.subscription_id,
    domain: row.domain,
    action: row.action,
    severity: row.severity,
    reject_media: row.reject_media === 1,
    reject_reports: row.reject_reports === 1,
    public_comment: row.public_comment,
    obfuscate: row.obfuscate === 1,
    status: row.status,
    created_at: row.created_at,
  };
}
