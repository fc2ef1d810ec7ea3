// Server-wide values kept in the database rather than in configuration, such as generated keys,
// so that every process of a scaled deployment agrees on them.
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

export class SettingsStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` under `key`, replacing what was there. */
  async put(key: string, value: string): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
      .execute();
  }

  /** Stores `value` unless the key has one; returns the value that counts. */
  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db.insertInto("settings").values({ key, value }).onConflict((oc) => oc.column("key").doNothing()).execute();
    return (await this.get(key))!;
  }

  /** Returns the stored value, or stores and returns `create()` if there is none yet. */
  async getOrCreate(key: string, create: () => string): Promise<string> {
    const existing = await this.get(key);
    if (existing !== undefined) return existing;
    await this.db
      .insertInto("settings")
      .values({ key, value: create() })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    // Another process may have won the race; the stored value is the one that counts.
    return (await this.get(key))!;
  }
}
