// The scaled database: PostgreSQL through a connection pool shared by the process.
import { createHash } from "node:crypto";
import pg from "pg";
import { PostgresDialect } from "kysely";
import { KEEP_PREPARED } from "../prepared.ts";
import { LOAD_DICTIONARIES } from "./full-text.ts";

/**
 * How long a connection may sit idle before the pool closes it. pg's default is 10 s, after which
 * the next burst opens new connections — and a new PostgreSQL backend is not cheap: forking it and
 * warming its catalog caches measured 40–60 ms of the database's CPU each on these machines. A
 * server's traffic comes in bursts more than 10 s apart all day, so connections are kept for a few
 * minutes; a command that went quiet still gives them back. A process serving requests opens its
 * shared pool's connections at start and keeps them all (warmConnections).
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

/**
 * What a new backend loads the first time a statement names a table: the table's and each of its
 * indexes' descriptions (relcache), read from the system catalogs — and, the first time a
 * configuration parses text, its dictionaries. A search's first statement on a new connection took
 * 41 ms where its seventh took 6 (the 1M seed, quiet; 55-110 ms at a load of 5), 25 ms after these
 * two statements; the rest is planning (docs/performance/search.md, "Seventh pass").
 * pg_relation_size opens each relation it measures.
 */
const WARM_UP = [
  `select count(pg_relation_size(c.oid)) from pg_class c
    where c.relkind in ('r', 'i') and c.relnamespace in (select oid from pg_namespace where nspname = any(current_schemas(false)))`,
  LOAD_DICTIONARIES,
];

/**
 * Opens `count` connections of the pool at once (as many as it lacks), warms each (WARM_UP) before
 * any request is given it, and keeps them: the pool no longer closes them when idle. Before, a
 * server's first requests, and its first after five quiet minutes, paid a new backend's caches.
 */
export async function warmConnections(pool: pg.Pool, count: number): Promise<void> {
  const clients: pg.PoolClient[] = [];
  try {
    // All acquired before any is released, so that each is a connection of its own.
    const acquired = await Promise.allSettled(Array.from({ length: count }, () => pool.connect()));
    for (const client of acquired) if (client.status === "fulfilled") clients.push(client.value);
    const failed = acquired.find((client) => client.status === "rejected");
    if (failed) throw failed.reason;
    await Promise.all(clients.map(async (client) => { for (const text of WARM_UP) await client.query(text); }));
    pool.options.min = count;
  } finally {
    for (const client of clients) client.release();
  }
}

/** Connections of a process's shared pool. */
export const POOL_SIZE = 10;

/**
 * What the shared pool's connections are named in pg_stat_activity (a pool of its own is named
 * by its user, `skein-deliveries`; the listener `skein-listen`). An `application_name` in
 * DATABASE_URL replaces it.
 */
export const POOL_APPLICATION_NAME = "skein";

export function openPostgres(url: string, poolSize = POOL_SIZE, applicationName = POOL_APPLICATION_NAME): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: applicationName,
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
