// Data access for limits (silences) applied to every account of a domain. A domain silence is
// written onto its accounts (accounts.silenced_at = the block's created_at, as Mastodon does) so
// that timeline queries test one column of the author's row instead of matching domains; lifting
// the silence clears only the accounts it marked, not those a moderator limited one by one.
// Every statement names domains exactly, so it uses the accounts_domain index.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

const BATCH = 500;

export class AccountLimitStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Every domain that has stored accounts (servers known here: thousands at most, read from the index). */
  async knownDomains(): Promise<string[]> {
    const rows = await this.db.selectFrom("accounts").select("domain").distinct().where("domain", "is not", null).execute();
    return rows.map((r) => r.domain!);
  }

  /** Marks the accounts of these domains that are not limited yet; returns how many. */
  async silenceDomains(domains: readonly string[], at: string): Promise<number> {
    let changed = 0;
    for (let i = 0; i < domains.length; i += BATCH) {
      const result = await this.db
        .updateTable("accounts")
        .set({ silenced_at: at })
        .where("domain", "in", domains.slice(i, i + BATCH))
        .where("silenced_at", "is", null)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  }

  /** Clears the mark `at` that a domain silence left on the accounts of these domains. */
  async unsilenceDomains(domains: readonly string[], at: string): Promise<number> {
    let changed = 0;
    for (let i = 0; i < domains.length; i += BATCH) {
      const result = await this.db
        .updateTable("accounts")
        .set({ silenced_at: null })
        .where("domain", "in", domains.slice(i, i + BATCH))
        .where("silenced_at", "=", at)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  }
}
