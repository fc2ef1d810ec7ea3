// The scaled database: PostgreSQL through a connection pool shared by the process.
import pg from "pg";
import { PostgresDialect } from "kysely";

/**
 * How long a connection may sit idle before the pool closes it. pg's default is 10 s, after which
 * the next burst opens new connections — and a new PostgreSQL backend is not cheap: forking it and
 * warming its catalog caches measured 40–60 ms of the database's CPU each on these machines. A
 * server's traffic comes in bursts more than 10 s apart all day, so connections are kept for a few
 * minutes; a process that went quiet still gives them back.
 */
const IDLE_CONNECTION_MS = 5 * 60_000;

export function openPostgres(url: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    // Idle connections never hold a finished command's process open for those minutes.
    allowExitOnIdle: true,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}
