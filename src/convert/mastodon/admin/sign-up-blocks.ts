// Sign-up block rows → Mastodon's Admin::EmailDomainBlock, Admin::CanonicalEmailBlock and
// Admin::IpBlock entities.
import type { CanonicalEmailBlockRow, EmailDomainBlockRow, IpBlockRow } from "../../../store/moderation/sign-up-blocks.ts";

export function toAdminEmailDomainBlock(row: EmailDomainBlockRow) {
  return {
    id: row.id,
    domain: row.domain,
    created_at: row.created_at,
    // Mastodon counts refused sign-up attempts per day; Skein does not record attempts yet, so the
    // history is empty rather than a week of made-up zeros.
    history: [] as { day: string; accounts: string; uses: string }[],
    allow_with_approval: row.allow_with_approval === 1,
  };
}

export function toAdminCanonicalEmailBlock(row: CanonicalEmailBlockRow) {
  return { id: row.id, canonical_email_hash: row.canonical_email_hash };
}

export function toAdminIpBlock(row: IpBlockRow) {
  return { id: row.id, ip: row.ip, severity: row.severity, comment: row.comment, created_at: row.created_at, expires_at: row.expires_at };
}
