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

  async deleteAllOfUser(userId: string): Promise<void> {
    await this.db.deleteFrom("web_sessions").where("user_id", "=", userId).execute();
  }
}
