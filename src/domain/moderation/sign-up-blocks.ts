// Who may not sign up: e-mail domains (and their subdomains), particular e-mail addresses
// (compared in Mastodon's canonical form, so "j.doe+spam@x" is "jdoe@x", and stored only as a
// SHA-256 hash), and IP ranges (each with Mastodon's severity: approval required, sign-up
// refused, or no access at all). Moderators change them through the admin API; the registration
// work asks `check({ email, ip })` before creating an account. Every change goes to the audit log.
import { createHash } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { CanonicalEmailBlockRow, EmailDomainBlockRow, IpBlockRow } from "../../store/moderation/sign-up-blocks.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { IpBlockSeverity } from "../../db/schema.ts";
import { notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { domainAndParents, normalizeDomain } from "./domain-names.ts";
import { formatIpRange, parseIpRange, rangeContains } from "./ip-ranges.ts";
import type { AuditLog } from "./audit-log.ts";

export const IP_SEVERITIES: readonly IpBlockSeverity[] = ["sign_up_requires_approval", "sign_up_block", "no_access"];
const MAX_COMMENT = 1000;
const MAX_EMAIL = 320;
/** An IP block lasts at most ten years; longer is "no expiry" (leave expires_in out). */
const MAX_EXPIRES_IN = 10 * 366 * 24 * 3600;

/** What a sign-up may do, and why not. */
export interface SignUpCheck {
  outcome: "allowed" | "approval_required" | "blocked";
  /** What decided it, for the moderators' eyes (never shown to the applicant as is). */
  reason: string | null;
}

export interface IpBlockInput {
  ip?: string;
  severity?: string;
  comment?: string | null;
  /** Seconds from now; null removes the expiry. */
  expiresIn?: number | null;
}

/** Mastodon's canonical form of an address: lower case, dots and a "+tag" removed from the local part. */
export function canonicalEmail(email: string): string {
  const text = email.trim().toLowerCase();
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1 || text.length > MAX_EMAIL) throw validationFailed(`"${email}" is not an e-mail address`);
  const local = text.slice(0, at).replace(/\./g, "").split("+", 1)[0];
  return `${local}@${text.slice(at + 1)}`;
}

export function canonicalEmailHash(email: string): string {
  return createHash("sha256").update(canonicalEmail(email)).digest("hex");
}

export class SignUpBlockService {
  private readonly stores: Stores;
  private readonly audit: AuditLog;

  constructor(stores: Stores, audit: AuditLog) {
    this.stores = stores;
    this.audit = audit;
  }

  /**
   * The verdict for a sign-up from `email` at `ip` (either may be absent): a block beats
   * approval, and the first block found decides. Expired IP blocks count for nothing.
   */
  async check(input: { email?: string | null; ip?: string | null }): Promise<SignUpCheck> {
    let approval: string | null = null;
    if (input.ip) {
      for (const block of await this.stores.signUpBlocks.activeIpBlocks(nowIso())) {
        let range;
        try {
          range = parseIpRange(block.ip);
        } catch {
          continue;
        }
        if (!rangeContains(range, input.ip)) continue;
        if (block.severity === "sign_up_requires_approval") approval ??= `IP block ${block.ip}`;
        else return { outcome: "blocked", reason: `IP block ${block.ip} (${block.severity})` };
      }
    }
    if (input.email) {
      const at = input.email.lastIndexOf("@");
      const domain = at >= 0 ? input.email.slice(at + 1).trim().toLowerCase().replace(/\.$/, "") : "";
      let ascii: string | null = null;
      try {
        ascii = domain ? normalizeDomain(domain) : null;
      } catch {
        ascii = null;
      }
      if (ascii) {
        const [block] = await this.stores.signUpBlocks.emailDomainsAmong(domainAndParents(ascii));
        if (block) {
          if (block.allow_with_approval) approval ??= `e-mail domain block ${block.domain}`;
          else return { outcome: "blocked", reason: `e-mail domain block ${block.domain}` };
        }
      }
      let hash: string | null = null;
      try {
        hash = canonicalEmailHash(input.email);
      } catch {
        hash = null;
      }
      if (hash && (await this.stores.signUpBlocks.canonicalEmailByHash(hash))) return { outcome: "blocked", reason: "canonical e-mail block" };
    }
    return approval ? { outcome: "approval_required", reason: approval } : { outcome: "allowed", reason: null };
  }

  // E-mail domains

  emailDomains(page: PageRequest): Promise<EmailDomainBlockRow[]> {
    return this.stores.signUpBlocks.emailDomainsPage(page);
  }

  async emailDomain(id: string): Promise<EmailDomainBlockRow> {
    const row = await this.stores.signUpBlocks.emailDomainById(id);
    if (!row) throw notFound();
    return row;
  }

  /** Blocks sign-ups from addresses at `domain` and its subdomains (Mastodon also blocks MX hosts; Skein does no DNS here). */
  async blockEmailDomain(actorId: string | null, input: { domain?: string; allowWithApproval?: boolean }): Promise<EmailDomainBlockRow> {
    if (input.domain === undefined || input.domain.trim() === "") throw validationFailed("Validation failed: Domain can't be blank");
    const domain = normalizeDomain(input.domain);
    if ((await this.stores.signUpBlocks.emailDomainsAmong([domain])).length > 0) throw validationFailed("Validation failed: Domain has already been taken");
    const row: EmailDomainBlockRow = { id: newId(), domain, allow_with_approval: input.allowWithApproval ? 1 : 0, parent_id: null, created_at: nowIso() };
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.insertEmailDomain(row);
      await this.audit.record({ actorId, action: "create", targetType: "EmailDomainBlock", targetId: row.id, humanIdentifier: domain, text: row.allow_with_approval ? "sign-up with approval" : "" }, tx);
    });
    return row;
  }

  async unblockEmailDomain(actorId: string | null, id: string): Promise<EmailDomainBlockRow> {
    const row = await this.emailDomain(id);
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.deleteEmailDomain(id);
      await this.audit.record({ actorId, action: "destroy", targetType: "EmailDomainBlock", targetId: row.id, humanIdentifier: row.domain }, tx);
    });
    return row;
  }

  // Canonical e-mail addresses

  canonicalEmails(page: PageRequest): Promise<CanonicalEmailBlockRow[]> {
    return this.stores.signUpBlocks.canonicalEmailsPage(page);
  }

  async canonicalEmailBlock(id: string): Promise<CanonicalEmailBlockRow> {
    const row = await this.stores.signUpBlocks.canonicalEmailById(id);
    if (!row) throw notFound();
    return row;
  }

  /** Blocks one address (any spelling of it) given as `email`, or its hash given as `canonicalEmailHash`. */
  async blockCanonicalEmail(actorId: string | null, input: { email?: string; canonicalEmailHash?: string }): Promise<CanonicalEmailBlockRow> {
    let hash: string;
    if (input.email !== undefined && input.email !== "") hash = canonicalEmailHash(input.email);
    else if (input.canonicalEmailHash !== undefined && input.canonicalEmailHash !== "") {
      hash = input.canonicalEmailHash.trim().toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hash)) throw validationFailed("Validation failed: Canonical email hash must be a SHA-256 hex digest");
    } else throw validationFailed("Validation failed: Canonical email hash can't be blank");
    if (await this.stores.signUpBlocks.canonicalEmailByHash(hash)) throw validationFailed("Validation failed: Canonical email hash has already been taken");
    const row: CanonicalEmailBlockRow = { id: newId(), canonical_email_hash: hash, reference_account_id: null, created_at: nowIso() };
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.insertCanonicalEmail(row);
      await this.audit.record({ actorId, action: "create", targetType: "CanonicalEmailBlock", targetId: row.id, humanIdentifier: hash }, tx);
    });
    return row;
  }

  async unblockCanonicalEmail(actorId: string | null, id: string): Promise<CanonicalEmailBlockRow> {
    const row = await this.canonicalEmailBlock(id);
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.deleteCanonicalEmail(id);
      await this.audit.record({ actorId, action: "destroy", targetType: "CanonicalEmailBlock", targetId: row.id, humanIdentifier: row.canonical_email_hash }, tx);
    });
    return row;
  }

  /** The blocks that match `email` (zero or one: the hash is unique). */
  async testCanonicalEmail(email: string | undefined): Promise<CanonicalEmailBlockRow[]> {
    if (email === undefined || email === "") throw validationFailed("Validation failed: Email can't be blank");
    const row = await this.stores.signUpBlocks.canonicalEmailByHash(canonicalEmailHash(email));
    return row ? [row] : [];
  }

  // IP ranges

  ipBlocks(page: PageRequest): Promise<IpBlockRow[]> {
    return this.stores.signUpBlocks.ipBlocksPage(page);
  }

  async ipBlock(id: string): Promise<IpBlockRow> {
    const row = await this.stores.signUpBlocks.ipBlockById(id);
    if (!row) throw notFound();
    return row;
  }

  async createIpBlock(actorId: string | null, input: IpBlockInput): Promise<IpBlockRow> {
    if (input.ip === undefined || input.ip.trim() === "") throw validationFailed("Validation failed: Ip can't be blank");
    if (input.severity === undefined) throw validationFailed("Validation failed: Severity can't be blank");
    const ip = formatIpRange(parseIpRange(input.ip));
    if (await this.stores.signUpBlocks.ipBlockByRange(ip)) throw validationFailed("Validation failed: Ip has already been taken");
    const now = nowIso();
    const row: IpBlockRow = {
      id: newId(),
      ip,
      severity: ipSeverity(input.severity),
      comment: comment(input.comment, ""),
      expires_at: expiry(input.expiresIn, null),
      created_at: now,
      updated_at: now,
    };
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.insertIpBlock(row);
      await this.audit.record({ actorId, action: "create", targetType: "IpBlock", targetId: row.id, humanIdentifier: ip, text: row.severity }, tx);
    });
    return row;
  }

  async updateIpBlock(actorId: string | null, id: string, input: IpBlockInput): Promise<IpBlockRow> {
    const before = await this.ipBlock(id);
    const ip = input.ip === undefined || input.ip === "" ? before.ip : formatIpRange(parseIpRange(input.ip));
    if (ip !== before.ip && (await this.stores.signUpBlocks.ipBlockByRange(ip))) throw validationFailed("Validation failed: Ip has already been taken");
    const changes = {
      ip,
      severity: input.severity === undefined ? before.severity : ipSeverity(input.severity),
      comment: comment(input.comment, before.comment),
      expires_at: expiry(input.expiresIn, before.expires_at),
    };
    const after: IpBlockRow = { ...before, ...changes, updated_at: nowIso() };
    if (changes.ip === before.ip && changes.severity === before.severity && changes.comment === before.comment && changes.expires_at === before.expires_at) return before;
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.updateIpBlock(id, { ...changes, updated_at: after.updated_at });
      await this.audit.record({ actorId, action: "update", targetType: "IpBlock", targetId: id, humanIdentifier: ip, text: after.severity }, tx);
    });
    return after;
  }

  async removeIpBlock(actorId: string | null, id: string): Promise<IpBlockRow> {
    const row = await this.ipBlock(id);
    await this.stores.transaction(async (tx) => {
      await tx.signUpBlocks.deleteIpBlock(id);
      await this.audit.record({ actorId, action: "destroy", targetType: "IpBlock", targetId: id, humanIdentifier: row.ip }, tx);
    });
    return row;
  }
}

function ipSeverity(value: string): IpBlockSeverity {
  if (!IP_SEVERITIES.includes(value as IpBlockSeverity)) throw validationFailed(`Validation failed: Severity must be one of ${IP_SEVERITIES.join(", ")} (got "${value}")`);
  return value as IpBlockSeverity;
}

function comment(value: string | null | undefined, current: string): string {
  if (value === undefined) return current;
  const text = value ?? "";
  if (text.length > MAX_COMMENT) throw validationFailed(`Validation failed: Comment is too long (at most ${MAX_COMMENT} characters)`);
  return text;
}

function expiry(expiresIn: number | null | undefined, current: string | null): string | null {
  if (expiresIn === undefined) return current;
  if (expiresIn === null) return null;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) throw validationFailed(`Validation failed: Expires in must be a number of seconds from 1 to ${MAX_EXPIRES_IN}`);
  return new Date(Date.now() + expiresIn * 1000).toISOString();
}
