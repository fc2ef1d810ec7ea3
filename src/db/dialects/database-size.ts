// How big the database is, the one figure the prune reports that each engine measures its own
// way. SQLite: the WAL is checkpointed (TRUNCATE) first so the main file holds everything, then
// page_count × page_size — pages freed by deletes stay in the file (on its freelist, reused by
// later writes) unless VACUUM runs, which Skein does not do by itself (it rewrites the whole file
// under an exclusive lock). PostgreSQL: pg_database_size, which likewise keeps dead tuples'
// space until autovacuum makes it reusable.
import { sql, type Kysely } from "kysely";
import type { DatabaseKind } from "../database.ts";

export interface DatabaseSize {
  bytes: number;
  /** SQLite: pages on the freelist (free space inside the file). */
  freeBytes: number | null;
}

export async function measureDatabaseSize(db: Kysely<any>, kind: DatabaseKind): Promise<DatabaseSize> {
  if (kind === "postgres") {
    const { rows } = await sql<{ size: string | number }>`select pg_database_size(current_database()) as size`.execute(db);
    return { bytes: Number(rows[0]?.size ?? 0), freeBytes: null };
  }
  await sql`pragma wal_checkpoint(truncate)`.execute(db);
  const one = async (pragma: string) => Number(Object.values((await sql.raw(`pragma ${pragma}`).execute(db)).rows[0] as Record<string, unknown>)[0] ?? 0);
  const pageSize = await one("page_size");
  return { bytes: (await one("page_count")) * pageSize, freeBytes: (await one("freelist_count")) * pageSize };
}
