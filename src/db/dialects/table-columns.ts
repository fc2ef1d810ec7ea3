// A table's columns as the database has them (PostgreSQL's pg_attribute, SQLite's
// pragma_table_info), read once per database handle: for a statement that selects several tables'
// rows at once under names of its own (store/oauth.ts authenticationByHash), so that a column added
// by a migration is never left out by a list written by hand.
import { sql, type Kysely } from "kysely";
import { engineOf } from "./full-text.ts";

const known = new WeakMap<Kysely<any>, Map<string, Promise<string[]>>>();

export function tableColumns(db: Kysely<any>, table: string): Promise<string[]> {
  let tables = known.get(db);
  if (!tables) known.set(db, (tables = new Map()));
  let columns = tables.get(table);
  if (!columns) {
    const query =
      engineOf(db) === "postgres"
        ? // The catalog itself: information_schema's view took 45 ms a table on a new connection (a process's first signed-in request).
          sql<{ name: string }>`select attname as name from pg_attribute where attrelid = to_regclass(${table}) and attnum > 0 and not attisdropped order by attnum`
        : sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`;
    columns = query.execute(db).then((r) => {
      if (r.rows.length === 0) throw new Error(`No columns for table ${table}`);
      return r.rows.map((row) => row.name);
    });
    // A failed read is tried again next time.
    columns.catch(() => tables!.delete(table));
    tables.set(table, columns);
  }
  return columns;
}
