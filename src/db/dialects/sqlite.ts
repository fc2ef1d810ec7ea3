// The embedded database: one SQLite file under DATA_DIR, in WAL mode so that admin commands can
// read and write while the server runs.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { SqliteDialect } from "kysely";

export function openSqlite(file: string): { dialect: SqliteDialect; close: () => void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new SQLite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // Another process (an admin command, a second tool) may hold the write lock for a moment.
  db.pragma("busy_timeout = 5000");
  db.defaultSafeIntegers(true);
  return { dialect: new SqliteDialect({ database: db }), close: () => db.close() };
}
