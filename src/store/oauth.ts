// Data access for OAuth applications, authorization codes and access tokens. Secrets never reach
// this layer: callers pass and look up SHA-256 hashes.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, OAuthAccessTokensTable, OAuthApplicationsTable, OAuthAuthorizationCodesTable } from "../db/schema.ts";

export type ApplicationRow = Selectable<OAuthApplicationsTable>;
export type AuthorizationCodeRow = Selectable<OAuthAuthorizationCodesTable>;
export type AccessTokenRow = Selectable<OAuthAccessTokensTable>;

export class OAuthStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insertApplication(row: Insertable<OAuthApplicationsTable>): Promise<void> {
    await this.db.insertInto("oauth_applications").values(row).execute();
  }

  async applicationById(id: string): Promise<ApplicationRow | undefined> {
    return this.db.selectFrom("oauth_applications").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async applicationByClientId(clientId: string): Promise<ApplicationRow | undefined> {
    return this.db.selectFrom("oauth_applications").selectAll().where("client_id", "=", clientId).executeTakeFirst();
  }

  async insertCode(row: Insertable<OAuthAuthorizationCodesTable>): Promise<void> {
    await this.db.insertInto("oauth_authorization_codes").values(row).execute();
  }

  /**
   * Marks an unused code as used, with a conditional update, so that a code presented twice
   * (even concurrently) is honoured at most once. `consumed` is false for a replay.
   */
  async consumeCode(codeHash: string, now: string): Promise<{ code: AuthorizationCodeRow; consumed: boolean } | undefined> {
    const code = await this.db
      .selectFrom("oauth_authorization_codes")
      .selectAll()
      .where("code_hash", "=", codeHash)
      .executeTakeFirst();
    if (!code) return undefined;
    if (code.used_at !== null) return { code, consumed: false };
    const result = await this.db
      .updateTable("oauth_authorization_codes")
      .set({ used_at: now })
      .where("id", "=", code.id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return { code, consumed: Number(result.numUpdatedRows) === 1 };
  }

  async insertToken(row: Insertable<OAuthAccessTokensTable>): Promise<void> {
    await this.db.insertInto("oauth_access_tokens").values(row).execute();
  }

  async tokenByHash(tokenHash: string): Promise<AccessTokenRow | undefined> {
    return this.db.selectFrom("oauth_access_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  async revokeToken(id: string, now: string): Promise<void> {
    await this.db.updateTable("oauth_access_tokens").set({ revoked_at: now }).where("id", "=", id).execute();
  }

  /** Revokes every token a code issued, used when a code is replayed (RFC 6749 §4.1.2). */
  async revokeTokensOfUserAndApp(userId: string, applicationId: string, since: string, now: string): Promise<void> {
    await this.db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("application_id", "=", applicationId)
      .where("created_at", ">=", since)
      .where("revoked_at", "is", null)
      .execute();
  }

  async revokeAllTokensOfUser(userId: string, now: string): Promise<void> {
    await this.db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute();
  }

  /** A user's live tokens with their app's name and website (the authorized-apps page). */
  async liveTokensOfUser(userId: string, limit = 500) {
    return this.db
      .selectFrom("oauth_access_tokens as t")
      .innerJoin("oauth_applications as a", "a.id", "t.application_id")
      .select(["t.id", "t.application_id", "t.scopes", "t.created_at", "t.last_used_at", "a.name as app_name", "a.website as app_website"])
      .where("t.user_id", "=", userId)
      .where("t.revoked_at", "is", null)
      .orderBy("t.created_at", "desc")
      .limit(limit)
      .execute();
  }

  /** Revokes every live token of a user for one app; how many were revoked. */
  async revokeAppTokensOfUser(userId: string, applicationId: string, now: string): Promise<number> {
    const result = await this.db
      .updateTable("oauth_access_tokens")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("application_id", "=", applicationId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async touchToken(id: string, now: string): Promise<void> {
    await this.db.updateTable("oauth_access_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
  }
}
