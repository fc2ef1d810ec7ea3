// Data access for local actors' signing keys (JWKs).
import type { Kysely, Selectable } from "kysely";
import type { ActorKeysTable, DB } from "../db/schema.ts";

export type ActorKeysRow = Selectable<ActorKeysTable>;

export class ActorKeyStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async get(accountId: string): Promise<ActorKeysRow | undefined> {
    return this.db.selectFrom("actor_keys").selectAll().where("account_id", "=", accountId).executeTakeFirst();
  }

  /** Stores keys unless another process stored some first; returns the keys that count. */
  async insertOrGet(row: ActorKeysRow): Promise<ActorKeysRow> {
    await this.db.insertInto("actor_keys").values(row).onConflict((oc) => oc.column("account_id").doNothing()).execute();
    return (await this.get(row.account_id))!;
  }
}
