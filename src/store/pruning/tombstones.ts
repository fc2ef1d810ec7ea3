// Tombstones of deleted remote objects (migration 0031), and the prune's lease. Queries only;
// what a tombstone means is domain/pruning/tombstones.ts's.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** The kv row that says which process is pruning (not a Fedify key: those are JSON arrays). */
const LEASE_KEY = "skein:prune-lease";

export class TombstoneStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Records (or extends) a tombstone. */
  async put(uriHash: string, expiresAt: string): Promise<void> {
    await this.db
      .insertInto("tombstones")
      .values({ uri_hash: uriHash, expires_at: expiresAt })
      .onConflict((oc) => oc.column("uri_hash").doUpdateSet({ expires_at: expiresAt }))
      .execute();
  }

  /** Whether a tombstone not yet expired at `now` exists. */
  async has(uriHash: string, now: string): Promise<boolean> {
    const row = await this.db.selectFrom("tombstones").select("uri_hash").where("uri_hash", "=", uriHash).where("expires_at", ">", now).executeTakeFirst();
    return row !== undefined;
  }

  /** Removes up to `limit` tombstones expired before `now`; how many went. */
  async deleteExpired(now: string, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom("tombstones")
      .where("uri_hash", "in", (eb) => eb.selectFrom("tombstones").select("uri_hash").where("expires_at", "<=", now).limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countExpired(now: string): Promise<number> {
    const row = await this.db.selectFrom("tombstones").select((eb) => eb.fn.countAll<string | number>().as("n")).where("expires_at", "<=", now).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Takes (or renews) the prune's lease for `owner` until `until`: only when nobody holds it, it
   * has lapsed, or `owner` already holds it. One upsert, atomic on both engines, so two pruners
   * (a scheduled sweep and `./skein prune`, or two PostgreSQL workers) never run at once.
   */
  async takeLease(owner: string, now: string, until: string): Promise<boolean> {
    await sql`insert into kv (key, value, expires_at) values (${LEASE_KEY}, ${owner}, ${until})
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at
      where kv.expires_at < ${now} or kv.value = ${owner}`.execute(this.db);
    const row = await this.db.selectFrom("kv").select("value").where("key", "=", LEASE_KEY).executeTakeFirst();
    return row?.value === owner;
  }

  async releaseLease(owner: string): Promise<void> {
    await this.db.deleteFrom("kv").where("key", "=", LEASE_KEY).where("value", "=", owner).execute();
  }
}
