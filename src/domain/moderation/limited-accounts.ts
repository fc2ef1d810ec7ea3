// Limited ("silenced") accounts, as Mastodon has them: an account a moderator limited, or any
// account of a domain the server silenced. A limit does not hide anything from the account's
// followers (home feeds, profiles and threads are unchanged); it keeps the account out of the
// public and hashtag timelines, trends, the directory and suggestions for everyone else, files
// its notifications to people who do not follow it under the notification policy's
// `for_limited_accounts`, and makes its follows of local accounts requests to approve.
//
// Where it is read: store/visibility-sql.ts (notLimitedFor) tests accounts.silenced_at, one
// column of the author's row. So a domain silence is written onto the domain's accounts here —
// when the block changes, and when a new account of a silenced domain is stored — with the
// block's created_at as the mark, so that lifting it clears only what it set.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { DomainPolicy } from "./domain-policy.ts";
import type { DomainPolicyChange } from "./domain-block-service.ts";

/** Whether `account` is limited: by a moderator, or by its domain's policy (answered from memory). */
export function isLimited(account: Pick<AccountRow, "silenced_at" | "domain">, policy: DomainPolicy): boolean {
  return account.silenced_at !== null || (account.domain !== null && policy.decide(account.domain).silenced);
}

/** What other services ask of the limits (they are built before moderation, see services.ts). */
export interface LimitCheck {
  isLimited(account: Pick<AccountRow, "silenced_at" | "domain">): Promise<boolean>;
  silencedAtFor(domain: string | null): Promise<string | null>;
}

function silenceMark(block: DomainPolicyChange["after"]): string | null {
  return block && block.severity === "silence" ? block.created_at : null;
}

/** How long the list of known domains is reused (a blocklist import makes thousands of changes in a row). */
const KNOWN_DOMAINS_MS = 5_000;

export class LimitedAccounts implements LimitCheck {
  private readonly stores: Stores;
  private readonly policy: DomainPolicy;
  private known: { at: number; domains: Promise<string[]> } | null = null;

  constructor(stores: Stores, policy: DomainPolicy) {
    this.stores = stores;
    this.policy = policy;
  }

  /**
   * `domain` and those of its subdomains that have accounts here. Subdomains come from the list
   * of known domains (a few seconds old at most; an account created since then was stored with
   * the policy of its moment, see silencedAtFor), so no statement scans accounts by suffix.
   */
  private async coveredDomains(domain: string): Promise<string[]> {
    if (!this.known || Date.now() - this.known.at > KNOWN_DOMAINS_MS) {
      const domains = this.stores.accountLimits.knownDomains();
      this.known = { at: Date.now(), domains };
      domains.catch(() => (this.known = null));
    }
    const suffix = `.${domain}`;
    return [domain, ...(await this.known.domains).filter((d) => d.endsWith(suffix))];
  }

  /** Whether `account` is limited, with the policy brought up to date first. */
  async isLimited(account: Pick<AccountRow, "silenced_at" | "domain">): Promise<boolean> {
    if (account.silenced_at !== null) return true;
    if (account.domain === null) return false;
    return isLimited(account, await this.policy.fresh());
  }

  /** The silenced_at a new account of `domain` starts with: its domain's silence mark, if any. */
  async silencedAtFor(domain: string | null): Promise<string | null> {
    if (domain === null) return null;
    const decision = (await this.policy.fresh()).decide(domain);
    return decision.silenced ? silenceMark(decision.block) : null;
  }

  /**
   * Keeps the accounts of a domain in step with its block (a DomainBlockService listener): an
   * indexed UPDATE on the accounts of that domain and its known subdomains, only when the change
   * concerns a silence.
   */
  /**
   * DomainBlockService listener: each change's silence marks. Each concerns other accounts, so a
   * few run at once (on PostgreSQL they then share the pool instead of waiting on round trips).
   */
  async domainPoliciesChanged(changes: readonly DomainPolicyChange[]): Promise<void> {
    const relevant = changes.filter((change) => silenceMark(change.before) !== silenceMark(change.after));
    let next = 0;
    const worker = async () => {
      while (next < relevant.length) await this.domainPolicyChanged(relevant[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(8, relevant.length) }, worker));
  }

  async domainPolicyChanged(change: DomainPolicyChange): Promise<void> {
    const before = silenceMark(change.before);
    const after = silenceMark(change.after);
    if (before === after) return;
    const domains = await this.coveredDomains(change.domain);
    if (before !== null) await this.stores.accountLimits.unsilenceDomains(domains, before);
    if (after !== null) {
      await this.stores.accountLimits.silenceDomains(domains, after);
      return;
    }
    // The block is gone or no longer silences: a silence of a parent domain may still cover
    // these accounts (its own pass skipped them while they carried this block's mark).
    const covering = (await this.policy.fresh()).decide(change.domain);
    if (covering.silenced && covering.block && covering.block.domain !== change.domain) {
      await this.stores.accountLimits.silenceDomains(domains, covering.block.created_at);
    }
  }
}
