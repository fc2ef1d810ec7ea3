// Opens the configured database. Everything above this layer uses `Database.db` (Kysely) and
// never asks which engine is underneath, except through the named seams in dialects/.
import { Kysely, sql, type Dialect } from "kysely";
import type { Config } from "../config/config.ts";
import { redact } from "../config/config.ts";
import type { DB } from "./schema.ts";
import { IdColumnsPlugin } from "./plugins.ts";

export type DatabaseKind = "sqlite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /**
   * The database through a connection pool of its own (PostgreSQL; closed with the database), for
   * a loop that must not queue behind the API's requests for one of the shared pool's connections.
   * SQLite has one connection and no pool to wait for: the same `db`. Its connections are named
   * `skein-NAME` in pg_stat_activity.
   */
  ownPool(connections: number, name: string): Kysely<DB>;
  /**
   * Opens the shared pool's connections ahead of the requests and warms their caches, then keeps
   * them open (PostgreSQL: dialects/postgres.ts, warmConnections). For processes that serve
   * requests, once at start; SQLite has nothing to open.
   */
  warmConnections(): Promise<void>;
  close(): Promise<void>;
}

/** A failure to reach the database, worded for the operator. */
export class DatabaseUnavailableError extends Error {}

// Each engine's driver is imported only when it is the one configured: a SQLite server never
// loads pg, a PostgreSQL one never maps better-sqlite3's native addon (docs/PERFORMANCE.md, "Memory").
export async function openDatabase(config: Config["database"]): Promise<Database> {
  if (config.kind === "sqlite") {
    const { openSqlite } = await import("./dialects/sqlite.ts");
    let opened;
    try {
      opened = openSqlite(config.file);
    } catch (error) {
      throw new DatabaseUnavailableError(`Cannot open the SQLite database ${config.file}: ${(error as Error).message}`);
    }
    const db = kyselyOver(opened.dialect);
    return { db, kind: "sqlite", ownPool: () => db, warmConnections: async () => {}, close: () => db.destroy() };
  }

  const { openPostgres, warmConnections, POOL_SIZE } = await import("./dialects/postgres.ts");
  const { dialect, pool } = openPostgres(config.url);
  const db = kyselyOver(dialect);
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === "ECONNREFUSED" ? "connection refused" : e.message || e.code || String(error);
    throw new DatabaseUnavailableError(`Cannot connect to PostgreSQL at ${redact(config.url)}: ${reason}`);
  }
  const ownPools: Kysely<DB>[] = [];
  return {
    db,
    kind: "postgres",
    ownPool(connections, name) {
      // Connections open on first use, like the shared pool's.
      const own = kyselyOver(openPostgres(config.url, connections, `skein-${name}`).dialect);
      ownPools.push(own);
      return own;
    },
    warmConnections: () => warmConnections(pool, POOL_SIZE),
    close: async () => {
      await Promise.all(ownPools.map((own) => own.destroy()));
      await db.destroy();
    },
  };
}

/** Kysely over a dialect, with the plugins every query of Skein's relies on. */
function kyselyOver(dialect: Dialect): Kysely<DB> {
  return new Kysely<DB>({ dialect, plugins: [new IdColumnsPlugin()] });
}
