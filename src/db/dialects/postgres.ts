// The scaled database: PostgreSQL through a connection pool shared by the process.
import { createHash } from "node:crypto";
import pg from "pg";
import { PostgresDialect } from "kysely";
import { KEEP_PREPARED } from "../prepared.ts";

/**
 * How long a connection may sit idle before the pool closes it. pg's default is 10 s, after which
 * the next burst opens new connections — and a new PostgreSQL backend is not cheap: forking it and
 * warming its catalog caches measured 40–60 ms of the database's CPU each on these machines. A
 * server's traffic comes in bursts more than 10 s apart all day, so connections are kept for a few
 * minutes; a process that went quiet still gives them back.
 */
const IDLE_CONNECTION_MS = 5 * 60_000;

/**
 * Settings of every connection, sent with its startup packet (no round trip): no JIT compilation
 * and no parallel workers, for every statement the app runs. Skein's statements are OLTP — an
 * index walk or a few hundred rows each, none written to rely on a parallel plan — yet the
 * planner's estimates for a search's privacy rules (written for every candidate, though it stops
 * at the window) can pass the thresholds of both: starting workers cost tens of milliseconds on
 * busy cores, compiling a plan 40–50 ms, more than the query. A search used to set both in a
 * transaction of its own (BEGIN/SET LOCAL … COMMIT: two round trips a search). What large
 * Mastodon installs are told to set server-wide; an `options` parameter in DATABASE_URL replaces
 * these (README, "PostgreSQL").
 */
export const CONNECTION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0";

/** Statements kept prepared on one connection at most (each holds its plan in the backend's memory); past it, statements run unnamed. */
export const PREPARED_PER_CONNECTION = 64;

export function openPostgres(url: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    options: CONNECTION_OPTIONS,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    // Idle connections never hold a finished command's process open for those minutes.
    allowExitOnIdle: true,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  pool.on("connect", (client) => keepPrepared(client));
  return { dialect: new PostgresDialect({ pool }), pool };
}

/**
 * Statements that start with KEEP_PREPARED (db/prepared.ts) go as named prepared statements on
 * this connection, named by their text, so PostgreSQL parses them once and may keep a generic plan;
 * the others as before (unnamed: parsed and planned at every execution). The first
 * PREPARED_PER_CONNECTION texts a connection meets are kept; later ones run unnamed. Nothing is
 * deallocated: pg marks a statement parsed on its connection, and a deallocation racing a query of
 * the same text (queued right behind it) made that query bind to a statement no longer there.
 */
export function keepPrepared(client: pg.PoolClient | pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  /** Text → name of the statements kept on this connection. */
  const kept = new Map<string, string>();
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== "string" || !text.startsWith(KEEP_PREPARED) || (values !== undefined && !Array.isArray(values)) || typeof args[2] === "function") return query(...args);
    let name = kept.get(text);
    if (name === undefined) {
      if (kept.size >= PREPARED_PER_CONNECTION) return query(...args);
      name = `kept_${createHash("sha256").update(text).digest("base64url").slice(0, 22)}`;
      kept.set(text, name);
    }
    return query({ name, text, values });
  };
}
