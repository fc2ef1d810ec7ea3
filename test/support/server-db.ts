// A test server's database, beside the running server: for what no API shows (the deliveries a
// server queued, the rows a purge left behind) and fixtures no API makes (a remote account, an
// unconfirmed user, an expired link).
import path from "node:path";
import pg from "pg";
import SQLite from "better-sqlite3";
import type { TestServer } from "./server.ts";

/**
 * Runs `query` (positional `?` parameters on both engines); a select returns its rows, every
 * value as a string or null, anything else returns [].
 */
export async function queryRows(server: TestServer, query: string, params: unknown[] = []): Promise<Record<string, string | null>[]> {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const stringify = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text(v)]));
  if (server.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(query.replace(/\?/g, () => `$${++n}`), params)).rows.map(stringify);
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(server.env.DATA_DIR, "skein.sqlite"));
  try {
    db.pragma("busy_timeout = 5000");
    db.defaultSafeIntegers(true);
    const statement = db.prepare(query);
    if (statement.reader) return (statement.all(...params) as Record<string, unknown>[]).map(stringify);
    statement.run(...params);
    return [];
  } finally {
    db.close();
  }
}
