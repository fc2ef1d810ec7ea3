// Data access for OAuth applications, authorization codes and access tokens. Secrets never reach
// this layer: callers pass and look up SHA-256 hashes.
import { sql, type Insertable, type Kysely, type Selectable } from "kysely";
import type { DB, OAuthAccessTokensTable, OAuthApplicationsTable, OAuthAuthorizationCodesTable } from "../db/schema.ts";
import { tableColumns } from "../db/dialects/table-columns.ts";
import { keptPrepared } from "../db/prepared.ts";
import { queryTemplate } from "../db/query-templates.ts";
import type { UserRow } from "./users.ts";
import type { AccountRow } from "./accounts.ts";

export type ApplicationRow = Selectable<OAuthApplicationsTable>;
export type AuthorizationCodeRow = Selectable<OAuthAuthorizationCodesTable>;
export type AccessTokenRow = Selectable<OAuthAccessTokensTable>;

/** The tables authenticationByHash reads, with their aliases (each column comes back as `alias__column`). */
const AUTH_TABLES = [["t", "oauth_access_tokens"], ["a", "oauth_applications"], ["u", "users"], ["ac", "accounts"]] as const;
const authSelects = new WeakMap<readonly string[], string>();

// A status's application, read to render it (every post answers with its own): a lookup by key,
// kept prepared (PostgreSQL planned it at every post, docs/performance/search.md, "Tenth pass").
const applicationWithId = queryTemplate((db: Kysely<DB>, p: { id: string }) => db.selectFrom("oauth_applications").selectAll().where("id", "=", p.id), { keepPrepared: true });

export class OAuthStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insertApplication(row: Insertable<OAuthApplicationsTable>): Promise<void> {
    await this.db.insertInto("oauth_applications").values(row).execute();
  }

  async applicationById(id: string): Promise<ApplicationRow | undefined> {
    return (await applicationWithId(this.db, { id }))[0];
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

  /**
   * The token of this hash with its application, its user and the user's account (each absent when
   * missing), in one statement kept prepared: this runs before every API request, and was four
   * statements in two waits. Each table's row comes back under a prefix of its own (`t__id`,
   * `a__id`, …: a name that ends in `_id` exactly when the column's does, for IdColumnsPlugin).
   */
  async authenticationByHash(tokenHash: string): Promise<{ token: AccessTokenRow; application?: ApplicationRow; user?: UserRow; account?: AccountRow } | undefined> {
    const columns = await Promise.all(AUTH_TABLES.map(([, table]) => tableColumns(this.db, table)));
    // The select list, built once for the columns read (tableColumns hands back the same arrays).
    let select = authSelects.get(columns[0]!);
    if (select === undefined) {
      select = AUTH_TABLES.flatMap(([alias], i) => columns[i]!.map((c) => `${alias}."${c}" as "${alias}__${c}"`)).join(", ");
      authSelects.set(columns[0]!, select);
    }
    const result = await keptPrepared(sql<Record<string, unknown>>`select ${sql.raw(select)} from oauth_access_tokens t
      left join oauth_applications a on a.id = t.application_id
      left join users u on u.id = t.user_id
      left join accounts ac on ac.id = u.account_id
      where t.token_hash = ${tokenHash}`).execute(this.db);
    const row = result.rows[0];
    if (!row) return undefined;
    const part = <T>(alias: string, names: readonly string[]): T | undefined => {
      if (row[`${alias}__id`] === null || row[`${alias}__id`] === undefined) return undefined;
      return Object.fromEntries(names.map((c) => [c, row[`${alias}__${c}`]])) as T;
    };
    return {
      token: part<AccessTokenRow>("t", columns[0]!)!,
      application: part<ApplicationRow>("a", columns[1]!),
      user: part<UserRow>("u", columns[2]!),
      account: part<AccountRow>("ac", columns[3]!),
    };
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
