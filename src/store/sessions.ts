// Data access for web sessions (the cookie of the sign-in and consent pages).
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, WebSessionsTable } from "../db/schema.ts";

export type WebSessionRow = Selectable<WebSessionsTable>;

export class SessionStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<WebSessionsTable>): Promise<void> {
    await this.db.insertInto("web_sessions").values(row).execute();
  }

  async byTokenHash(tokenHash: string, now: string): Promise<WebSessionRow | undefined> {
    return this.db
      .selectFrom("web_sessions")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("expires_at", ">", now)
      .executeTakeFirst();
  }

  async deleteByTokenHash(tokenHash: string): Promise<void> {
    await this.db.deleteFrom("web_sessions").where("token_hash", "=", tokenHash).execute();
  }

  /** A user's live sessions, newest first (the settings page lists them). */
  async listOfUser(userId: string, now: string, limit = 100): Promise<WebSessionRow[]> {
    return this.db
      .selectFrom("web_sessions")
      .selectAll()
      .where("user_id", "=", userId)
      .where("expires_at", ">", now)
      .orderBy("created_at", "desc")
      .limit(limit)
      .execute();
  }

  /** Ends one session of a user; false if the user has no such session. */
  async deleteOfUser(userId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("web_sessions").where("user_id", "=", userId).where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Ends every session of a user but one (the one changing the password stays signed in). */
  async deleteOthersOfUser(userId: string, keepId: string): Promise<void> {
    await this.db.deleteFrom("web_sessions").where("user_id", "=", userId).where("id", "!=", keepId).execute();
  }

  async deleteAllOfUser(userId: string): Promise<void> {
    await this.db.deleteFrom("web_sessions").where("user_id", "=", userId).execute();
  }
}
