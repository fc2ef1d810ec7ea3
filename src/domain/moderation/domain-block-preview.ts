// What a domain block would do before a moderator commits to it: how many accounts of the
// domain (and its subdomains, which a block covers) this server knows, how many follows between
// them and local accounts a suspension cuts, how many people here would lose a follower or a
// followee (distinct local accounts: what the block severs for this server's own users), and
// which block already covers the domain. The
// admin console shows it on the confirmation step of "add a domain block"; the figures are the
// ones the dashboard measures (instance_accounts, instance_follows, instance_followers) read, so
// the page and FediBlockHole's pre-block check agree.
import type { Stores } from "../../store/stores.ts";
import type { DomainBlockRow } from "../../store/moderation/domain-blocks.ts";
import type { DomainBlockSeverity } from "../../db/schema.ts";
import type { DomainPolicy } from "./domain-policy.ts";
import { normalizeDomain } from "./domain-names.ts";
import { SEVERITIES, stricterThan } from "./domain-block-service.ts";
import { validationFailed } from "../errors.ts";

export interface DomainBlockPreview {
  /** The domain as it would be stored (lower case, punycode). */
  domain: string;
  severity: DomainBlockSeverity;
  /** Accounts of the domain and its subdomains known here: silenced or suspended by the block. */
  accounts: number;
  /** Local accounts' follows of accounts there (cut by a suspension). */
  following: number;
  /** Accounts there following local accounts (cut by a suspension). */
  followers: number;
  /** Distinct local accounts with a follow either way with accounts there: who loses a follower or a followee. */
  localAccounts: number;
  /** Follows the block cuts: both directions for a suspension, none for a silence or noop. */
  severed: number;
  /** The block that already covers the domain (itself or a parent), if any. */
  covering: DomainBlockRow | null;
  /** Whether the service would refuse the block because `covering` is as strict or stricter. */
  refused: boolean;
}

export class DomainBlockPreviews {
  private readonly stores: Stores;
  private readonly policy: DomainPolicy;

  constructor(stores: Stores, policy: DomainPolicy) {
    this.stores = stores;
    this.policy = policy;
  }

  /** What blocking `domainInput` with `severityInput` would sever; changes nothing. */
  async preview(domainInput: string, severityInput: string | undefined, flags: { rejectMedia?: boolean; rejectReports?: boolean } = {}): Promise<DomainBlockPreview> {
    const domain = normalizeDomain(domainInput);
    const severity = (severityInput ?? "silence") as DomainBlockSeverity;
    if (!SEVERITIES.includes(severity)) throw validationFailed(`Validation failed: Severity must be one of ${SEVERITIES.join(", ")}`);
    const [accounts, following, followers, localAccounts] = await Promise.all([
      this.stores.measures.accounts(domain, null),
      this.stores.measures.follows(domain, null),
      this.stores.measures.followers(domain, null),
      this.stores.measures.localAccountsFollowing(domain),
    ]);
    const covering = (await this.policy.fresh()).decide(domain).block;
    // The same rule DomainBlockService.create applies: a block of the domain itself, or a
    // parent's that is at least as strict, already covers it.
    const fields = { severity, reject_media: flags.rejectMedia ? 1 : 0, reject_reports: flags.rejectReports ? 1 : 0, private_comment: "", public_comment: "", obfuscate: 0 } as const;
    const refused = covering !== null && (covering.domain === domain || !stricterThan(fields, covering));
    const suspends = severity === "suspend" && covering?.severity !== "suspend";
    return {
      domain,
      severity,
      accounts: accounts.total,
      following: following.total,
      followers: followers.total,
      localAccounts,
      severed: suspends ? following.total + followers.total : 0,
      covering,
      refused,
    };
  }
}
