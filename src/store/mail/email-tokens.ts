// Data access for e-mailed single-use links (table email_tokens). Queries only: what a link may
// do, how long it lives and how often one is sent are domain/mail's rules.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, EmailTokenKind, EmailTokensTable } from "../../db/schema.ts";

export type EmailTokenRow = Selectable<EmailTokensTable>;

export class EmailTokenStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<EmailTokensTable>): Promise<void> {
    await this.db.insertInto("email_tokens").values(row).execute();
  }

  async byHash(tokenHash: string): Promise<EmailTokenRow | undefined> {
    return this.db.selectFrom("email_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  async byId(id: string): Promise<EmailTokenRow | undefined> {
    return this.db.selectFrom("email_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Gives a still-usable link its token's hash (a new one on every attempt to send it); false if it ended. */
  async arm(id: string, tokenHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("email_tokens")
      .set({ token_hash: tokenHash })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Marks a link used if it still is usable; true only for the one caller that did, so a link
   * followed twice at once is honoured once.
   */
  async consume(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("email_tokens")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends a user's unused links of some kinds (a new link replaces older ones; a reset ends them all). */
  async retire(userId: string, kinds: readonly EmailTokenKind[], now: string): Promise<void> {
    if (kinds.length === 0) return;
    await this.db.updateTable("email_tokens").set({ used_at: now }).where("user_id", "=", userId).where("kind", "in", kinds).where("used_at", "is", null).execute();
  }

  /** How many links were sent to this address since `since` (the per-address limit). */
  async countSentTo(email: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom("email_tokens")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("email", "=", email)
      .where("created_at", ">", since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Forgets links that ended long ago (used or expired before `before`). */
  async deleteEndedBefore(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom("email_tokens")
      .where((eb) => eb.or([eb("expires_at", "<", before), eb("used_at", "<", before)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
