// The scaled database: PostgreSQL through a connection pool shared by the process.
import pg from "pg";
import { PostgresDialect } from "kysely";

export function openPostgres(url: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}
