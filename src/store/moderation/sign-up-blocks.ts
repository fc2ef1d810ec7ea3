// Data access for the sign-up blocks moderators set: e-mail domains, canonical e-mail addresses
// (stored only as a SHA-256 hash) and IP ranges. The rules — normalising, matching parents and
// ranges, expiry — live in domain/moderation/sign-up-blocks.ts; this file only reads and writes rows.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { CanonicalEmailBlocksTable, DB, EmailDomainBlocksTable, IpBlocksTable } from "../../db/schema.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export type EmailDomainBlockRow = Selectable<EmailDomainBlocksTable>;
export type CanonicalEmailBlockRow = Selectable<CanonicalEmailBlocksTable>;
export type IpBlockRow = Selectable<IpBlocksTable>;

export class SignUpBlockStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  emailDomainsPage(page: PageRequest): Promise<EmailDomainBlockRow[]> {
    return paginate(this.db.selectFrom("email_domain_blocks").selectAll(), "id", page);
  }

  emailDomainById(id: string): Promise<EmailDomainBlockRow | undefined> {
    return this.db.selectFrom("email_domain_blocks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The blocks among `domains` (a domain and its parents), most specific first. */
  async emailDomainsAmong(domains: string[]): Promise<EmailDomainBlockRow[]> {
    if (domains.length === 0) return [];
    const rows = await this.db.selectFrom("email_domain_blocks").selectAll().where("domain", "in", domains).execute();
    return rows.sort((a, b) => b.domain.length - a.domain.length);
  }

  async insertEmailDomain(row: Insertable<EmailDomainBlocksTable>): Promise<void> {
    await this.db.insertInto("email_domain_blocks").values(row).execute();
  }

  async deleteEmailDomain(id: string): Promise<void> {
    await this.db.deleteFrom("email_domain_blocks").where("id", "=", id).execute();
  }

  canonicalEmailsPage(page: PageRequest): Promise<CanonicalEmailBlockRow[]> {
    return paginate(this.db.selectFrom("canonical_email_blocks").selectAll(), "id", page);
  }

  canonicalEmailById(id: string): Promise<CanonicalEmailBlockRow | undefined> {
    return this.db.selectFrom("canonical_email_blocks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  canonicalEmailByHash(hash: string): Promise<CanonicalEmailBlockRow | undefined> {
    return this.db.selectFrom("canonical_email_blocks").selectAll().where("canonical_email_hash", "=", hash).executeTakeFirst();
  }

  async insertCanonicalEmail(row: Insertable<CanonicalEmailBlocksTable>): Promise<void> {
    await this.db.insertInto("canonical_email_blocks").values(row).execute();
  }

  async deleteCanonicalEmail(id: string): Promise<void> {
    await this.db.deleteFrom("canonical_email_blocks").where("id", "=", id).execute();
  }

  ipBlocksPage(page: PageRequest): Promise<IpBlockRow[]> {
    return paginate(this.db.selectFrom("ip_blocks").selectAll(), "id", page);
  }

  ipBlockById(id: string): Promise<IpBlockRow | undefined> {
    return this.db.selectFrom("ip_blocks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  ipBlockByRange(ip: string): Promise<IpBlockRow | undefined> {
    return this.db.selectFrom("ip_blocks").selectAll().where("ip", "=", ip).executeTakeFirst();
  }

  /**
   * The blocks in force at `now` (unexpired). Moderators keep tens or hundreds of ranges, so a
   * sign-up compares against all of them in memory rather than teaching SQL two address families.
   */
  activeIpBlocks(now: string): Promise<IpBlockRow[]> {
    return this.db
      .selectFrom("ip_blocks")
      .selectAll()
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .orderBy("id")
      .execute();
  }

  async insertIpBlock(row: Insertable<IpBlocksTable>): Promise<void> {
    await this.db.insertInto("ip_blocks").values(row).execute();
  }

  async updateIpBlock(id: string, changes: Updateable<IpBlocksTable>): Promise<void> {
    await this.db.updateTable("ip_blocks").set(changes).where("id", "=", id).execute();
  }

  async deleteIpBlock(id: string): Promise<void> {
    await this.db.deleteFrom("ip_blocks").where("id", "=", id).execute();
  }
}
