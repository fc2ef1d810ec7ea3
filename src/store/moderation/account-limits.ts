// Data access for limits (silences) applied to every account of a domain. A domain silence is
// written onto its accounts (accounts.silenced_at = the block's created_at, as Mastodon does) so
// that timeline queries test one column of the author's row instead of matching domains; lifting
// the silence clears only the accounts it marked, not those a moderator limited one by one.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export class AccountLimitStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Marks the accounts of `domain` and its subdomains that are not limited yet; returns how many. */
  async silenceDomain(domain: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable("accounts")
      .set({ silenced_at: at })
      .where(ofDomainAndSubdomains(domain))
      .where("silenced_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Clears the mark `at` that a domain silence left on the accounts of `domain` and its subdomains. */
  async unsilenceDomain(domain: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable("accounts")
      .set({ silenced_at: null })
      .where(ofDomainAndSubdomains(domain))
      .where("silenced_at", "=", at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function ofDomainAndSubdomains(domain: string) {
  // The equality uses the accounts_domain index; subdomains need the suffix match.
  const escaped = domain.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<boolean>`(accounts.domain = ${domain} or accounts.domain like ${"%." + escaped} escape '\\')`;
}
