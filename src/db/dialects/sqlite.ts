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
  const statements = new StatementCache(db, STATEMENTS_KEPT);
  return { dialect: new SqliteDialect({ database: { prepare: (sql) => statements.prepare(sql), close: () => db.close() } }), close: () => db.close() };
}

/**
 * Distinct statements kept prepared. Kysely prepares every query it runs; a profile of
 * `./skein bench timeline` had SQLite's prepare at 21 % of the server's CPU — the same few dozen
 * statements compiled again for every request. Queries with lists (`in (?, ?, …)`) make more
 * distinct texts; the least recently used are let go past this number.
 */
const STATEMENTS_KEPT = 256;

/** Prepared statements reused by their SQL text. Safe because Kysely runs each to completion synchronously (all/run). */
class StatementCache {
  private readonly db: SQLite.Database;
  private readonly limit: number;
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(db: SQLite.Database, limit: number) {
    this.db = db;
    this.limit = limit;
  }

  prepare(sql: string): SQLite.Statement {
    const cached = this.statements.get(sql);
    // A statement still being iterated (a streamed query) cannot run twice at once: a fresh one then.
    if (cached?.busy) return this.db.prepare(sql);
    if (cached) {
      // A Map keeps insertion order: the most recently used go to the end, the oldest are first out.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.db.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.limit) this.statements.delete(this.statements.keys().next().value!);
    return statement;
  }
}
