// Data access for users' own domain blocks (POST /api/v1/domain_blocks), and the bulk removals a
// new block causes: the blocker's follows of that domain, and that domain's follows of the blocker.
// The rules live in domain/moderation/user-domain-blocks.ts; the reading side (what a block hides)
// is a condition in store/visibility-sql.ts.
import type { Kysely, Selectable } from "kysely";
import type { AccountDomainBlocksTable, DB } from "../../db/schema.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export type AccountDomainBlockRow = Selectable<AccountDomainBlocksTable>;

/** A follow between a user and an account of a domain they block: what ending it needs and records. */
export interface DomainFollow {
  account_id: string;
  target_account_id: string;
  show_reblogs: 0 | 1;
  notify: 0 | 1;
  /** The username of the account on the blocked domain. */
  username: string;
}

export class AccountDomainBlockStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Inserts the block; false if the account already blocked that domain. */
  async insert(row: AccountDomainBlockRow): Promise<boolean> {
    const result = await this.db
      .insertInto("account_domain_blocks")
      .values(row)
      .onConflict((oc) => oc.columns(["account_id", "domain"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async delete(accountId: string, domain: string): Promise<boolean> {
    const result = await this.db.deleteFrom("account_domain_blocks").where("account_id", "=", accountId).where("domain", "=", domain).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The account's blocks, newest first; the cursor is the block's id. */
  page(accountId: string, page: PageRequest): Promise<AccountDomainBlockRow[]> {
    return paginate(this.db.selectFrom("account_domain_blocks").selectAll().where("account_id", "=", accountId), "id", page);
  }

  /** Of `domains`, those the account blocked. */
  async blockedAmong(accountId: string, domains: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(domains)];
    if (unique.length === 0) return new Set();
    const rows = await this.db.selectFrom("account_domain_blocks").select("domain").where("account_id", "=", accountId).where("domain", "in", unique).execute();
    return new Set(rows.map((r) => r.domain));
  }

  /** Of `accountIds`, those who blocked `domain` (for streaming, many listeners at once). */
  async blockersAmong(domain: string, accountIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("account_domain_blocks").select("account_id").where("domain", "=", domain).where("account_id", "in", [...new Set(accountIds)]).execute();
    return new Set(rows.map((r) => r.account_id));
  }

  /**
   * Follows between the account and accounts of `domain`, in one direction: `following` lists
   * the accounts of that domain it follows, `followers` those of that domain following it.
   * Bounded by `limit`; callers loop.
   */
  async followsWithDomain(accountId: string, domain: string, side: "following" | "followers", limit: number): Promise<DomainFollow[]> {
    const [mine, theirs] = side === "following" ? (["account_id", "target_account_id"] as const) : (["target_account_id", "account_id"] as const);
    return this.db
      .selectFrom("follows")
      .innerJoin("accounts", "accounts.id", `follows.${theirs}`)
      .select(["follows.account_id", "follows.target_account_id", "follows.show_reblogs", "follows.notify", "accounts.username"])
      .where(`follows.${mine}`, "=", accountId)
      .where("accounts.domain", "=", domain)
      .limit(limit)
      .execute();
  }

  /** Pending follow requests between the account and accounts of `domain`, both ways: removed with the block. */
  async removeRequestsWithDomain(accountId: string, domain: string): Promise<void> {
    const ofDomain = this.db.selectFrom("accounts").select("id").where("domain", "=", domain);
    await this.db.deleteFrom("follow_requests").where("account_id", "=", accountId).where("target_account_id", "in", ofDomain).execute();
    await this.db.deleteFrom("follow_requests").where("target_account_id", "=", accountId).where("account_id", "in", ofDomain).execute();
  }

  /** Notifications the account received from accounts of `domain`: they go with the block, as on Mastodon. */
  async removeNotificationsFrom(accountId: string, domain: string): Promise<void> {
    await this.db
      .deleteFrom("notifications")
      .where("account_id", "=", accountId)
      .where("from_account_id", "in", this.db.selectFrom("accounts").select("id").where("domain", "=", domain))
      .execute();
  }

  async count(accountId: string): Promise<number> {
    const row = await this.db.selectFrom("account_domain_blocks").select((eb) => eb.fn.countAll().as("n")).where("account_id", "=", accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
