// Data access for two-factor sign-in: the TOTP credential, recovery codes, and sign-in
// challenges (a password accepted, a code still owed). Queries only; the rules are in
// domain/auth/two-factor.ts.
import type { Kysely, Selectable } from "kysely";
import type { DB, TwoFactorChallengesTable, TwoFactorCredentialsTable } from "../db/schema.ts";

export type TwoFactorCredentialRow = Selectable<TwoFactorCredentialsTable>;
export type TwoFactorChallengeRow = Selectable<TwoFactorChallengesTable>;

export class TwoFactorStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async credential(userId: string): Promise<TwoFactorCredentialRow | undefined> {
    return this.db.selectFrom("two_factor_credentials").selectAll().where("user_id", "=", userId).executeTakeFirst();
  }

  /** Starts (or restarts) a setup: a new secret, not enabled yet. */
  async putPendingSecret(userId: string, secret: string, now: string): Promise<void> {
    await this.db
      .insertInto("two_factor_credentials")
      .values({ user_id: userId, secret, enabled_at: null, last_used_step: null, created_at: now })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ secret, enabled_at: null, last_used_step: null, created_at: now }))
      .execute();
  }

  async enable(userId: string, step: number, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("two_factor_credentials")
      .set({ enabled_at: now, last_used_step: step })
      .where("user_id", "=", userId)
      .where("enabled_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records `step` as used, only if it is later than the last used one: the compare-and-set that
   * makes a code good once even when two requests carry it at the same moment.
   */
  async useStep(userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable("two_factor_credentials")
      .set({ last_used_step: step })
      .where("user_id", "=", userId)
      .where("enabled_at", "is not", null)
      .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async remove(userId: string): Promise<void> {
    await this.db.deleteFrom("two_factor_recovery_codes").where("user_id", "=", userId).execute();
    await this.db.deleteFrom("two_factor_credentials").where("user_id", "=", userId).execute();
    await this.db.deleteFrom("two_factor_challenges").where("user_id", "=", userId).execute();
  }

  async replaceRecoveryCodes(userId: string, rows: { id: string; code_hash: string }[], now: string): Promise<void> {
    await this.db.deleteFrom("two_factor_recovery_codes").where("user_id", "=", userId).execute();
    if (rows.length === 0) return;
    await this.db
      .insertInto("two_factor_recovery_codes")
      .values(rows.map((row) => ({ ...row, user_id: userId, used_at: null, created_at: now })))
      .execute();
  }

  /** Marks an unused recovery code used; false if there is no such unused code. */
  async useRecoveryCode(userId: string, codeHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("two_factor_recovery_codes")
      .set({ used_at: now })
      .where("user_id", "=", userId)
      .where("code_hash", "=", codeHash)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom("two_factor_recovery_codes")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertChallenge(row: { id: string; token_hash: string; user_id: string; user_agent: string | null; expires_at: string; created_at: string }): Promise<void> {
    await this.db.insertInto("two_factor_challenges").values(row).execute();
  }

  async challengeByTokenHash(tokenHash: string, now: string): Promise<TwoFactorChallengeRow | undefined> {
    return this.db
      .selectFrom("two_factor_challenges")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("expires_at", ">", now)
      .executeTakeFirst();
  }

  /** Counts an attempt; returns the attempts made so far (the one counted included). */
  async countAttempt(id: string): Promise<number> {
    await this.db
      .updateTable("two_factor_challenges")
      .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
      .where("id", "=", id)
      .execute();
    const row = await this.db.selectFrom("two_factor_challenges").select("attempts").where("id", "=", id).executeTakeFirst();
    return row?.attempts ?? Number.MAX_SAFE_INTEGER;
  }

  async deleteChallenge(id: string): Promise<void> {
    await this.db.deleteFrom("two_factor_challenges").where("id", "=", id).execute();
  }

  /** Drops expired challenges (called as new ones are made, so the table stays small). */
  async deleteExpiredChallenges(now: string): Promise<void> {
    await this.db.deleteFrom("two_factor_challenges").where("expires_at", "<=", now).execute();
  }

  /** Which of these users have two-factor sign-in enabled. */
  async enabledAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("two_factor_credentials")
      .select("user_id")
      .where("user_id", "in", userIds)
      .where("enabled_at", "is not", null)
      .execute();
    return new Set(rows.map((row) => row.user_id));
  }
}
