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

/** Ids for fixture rows, counting up from `start` (pick a range the test's server never reaches). */
export function fixtureIds(start: bigint): () => string {
  let next = start;
  return () => String(++next);
}

/** A remote account no API can make: a row as federation would have stored it. */
export async function insertRemoteAccount(server: TestServer, id: string, username: string, domain: string, displayName = ""): Promise<string> {
  const now = new Date().toISOString();
  await queryRows(
    server,
    `insert into accounts (id, username, domain, display_name, note, fields, locked, bot, discoverable, indexable, uri, url,
       followers_count, following_count, statuses_count, created_at, updated_at, inbox_url, actor_type)
     values (?, ?, ?, ?, '', '[]', 0, 0, 1, 1, ?, ?, 0, 0, 0, ?, ?, ?, 'Person')`,
    [id, username, domain, displayName, `https://${domain}/users/${username}`, `https://${domain}/@${username}`, now, now, `https://${domain}/users/${username}/inbox`],
  );
  return id;
}

/** A follow row, as accepting a follow stores it. */
export async function insertFollow(server: TestServer, id: string, from: string, to: string): Promise<void> {
  await queryRows(server, "insert into follows (id, account_id, target_account_id, uri, created_at, show_reblogs, notify) values (?, ?, ?, null, ?, 1, 0)", [id, from, to, new Date().toISOString()]);
}
