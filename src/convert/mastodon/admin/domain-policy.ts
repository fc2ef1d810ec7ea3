// Domain policy rows → Mastodon entities: Admin::DomainBlock and Admin::DomainAllow for
// moderators, and the public DomainBlock of GET /api/v1/instance/domain_blocks. Comments are
// always strings ("" when empty), never null: blocklist tools compare them with their own lists,
// and a null they read as a difference would make them rewrite every block on every run.
import { createHash } from "node:crypto";
import type { DomainAllowRow, DomainBlockRow } from "../../../store/moderation/domain-blocks.ts";

/** SHA-256 (hex) of the real domain: how an obfuscated entry can still be matched against a list. */
export function domainDigest(domain: string): string {
  return createHash("sha256").update(domain).digest("hex");
}

export function toAdminDomainBlock(row: DomainBlockRow) {
  return {
    id: row.id,
    domain: row.domain,
    digest: domainDigest(row.domain),
    created_at: row.created_at,
    severity: row.severity,
    reject_media: row.reject_media === 1,
    reject_reports: row.reject_reports === 1,
    private_comment: row.private_comment ?? "",
    public_comment: row.public_comment ?? "",
    obfuscate: row.obfuscate === 1,
  };
}

export function toAdminDomainAllow(row: DomainAllowRow) {
  return { id: row.id, domain: row.domain, created_at: row.created_at };
}

/**
 * Mastodon's obfuscation: the middle half of the name, dots kept, becomes "*"
 * ("example.com" → "ex*****.com"), enough for a person who knows the name to recognise it.
 */
export function obfuscatedDomain(domain: string): string {
  const visible = Math.floor(domain.length / 4);
  return [...domain].map((ch, i) => (i > visible && i < domain.length - visible && ch !== "." ? "*" : ch)).join("");
}

/** The public entry; `noop` blocks are not limitations and are not listed (the caller filters them). */
export function toPublicDomainBlock(row: DomainBlockRow) {
  return {
    domain: row.obfuscate === 1 ? obfuscatedDomain(row.domain) : row.domain,
    digest: domainDigest(row.domain),
    severity: row.severity,
    comment: row.public_comment ?? "",
  };
}
