// Fedify's KvStore over Skein's database (table `kv`): the cache of remote documents and keys,
// and Fedify's idempotence records. Keys are stored as JSON arrays so a prefix is a text prefix.
import type { Kysely } from "kysely";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { DB } from "../db/schema.ts";

function encodeKey(key: KvKey): string {
  return JSON.stringify(key);
}

function expiry(options?: KvStoreSetOptions): string | null {
  if (!options?.ttl) return null;
  return new Date(Date.now() + options.ttl.total({ unit: "milliseconds" })).toISOString();
}

export class DatabaseKvStore implements KvStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const row = await this.db.selectFrom("kv").select(["value", "expires_at"]).where("key", "=", encodeKey(key)).executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= new Date().toISOString()) return undefined;
    return JSON.parse(row.value) as T;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const row = { key: encodeKey(key), value: JSON.stringify(value), expires_at: expiry(options) };
    await this.db
      .insertInto("kv")
      .values(row)
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, expires_at: row.expires_at }))
      .execute();
  }

  async delete(key: KvKey): Promise<void> {
    await this.db.deleteFrom("kv").where("key", "=", encodeKey(key)).execute();
  }

  /** Compare-and-swap: succeeds only if the current value is (JSON-)equal to `expected`. */
  async cas(key: KvKey, expected: unknown, value: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const encoded = encodeKey(key);
    const now = new Date().toISOString();
    const row = { key: encoded, value: JSON.stringify(value), expires_at: expiry(options) };
    if (expected === undefined) {
      // Absent (or expired) is what we expect: take the key only if nobody holds it.
      await this.db.deleteFrom("kv").where("key", "=", encoded).where("expires_at", "<=", now).execute();
      const inserted = await this.db.insertInto("kv").values(row).onConflict((oc) => oc.column("key").doNothing()).returning("key").executeTakeFirst();
      return inserted !== undefined;
    }
    const result = await this.db
      .updateTable("kv")
      .set({ value: row.value, expires_at: row.expires_at })
      .where("key", "=", encoded)
      .where("value", "=", JSON.stringify(expected))
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const now = new Date().toISOString();
    let q = this.db
      .selectFrom("kv")
      .select(["key", "value"])
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]));
    if (prefix && prefix.length > 0) {
      const exact = encodeKey(prefix);
      // '["a","b"]' is the key itself; '["a","b",' starts every key below it.
      const below = `${exact.slice(0, -1)},`;
      q = q.where((eb) => eb.or([eb("key", "=", exact), eb.and([eb("key", ">=", below), eb("key", "<", `${below}\uffff`)])]));
    }
    for (const row of await q.orderBy("key").execute()) {
      yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
    }
  }

  /** Drops expired entries; called now and then by the job runner. */
  async sweep(): Promise<number> {
    const result = await this.db.deleteFrom("kv").where("expires_at", "<=", new Date().toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
