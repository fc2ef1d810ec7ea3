// Makes both drivers hand back the same shapes: ids as decimal strings, other integers as numbers.
// PostgreSQL returns int8 as strings and SQLite (in safe-integer mode) as BigInt; the column name
// tells which of them is an id.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";

function isIdColumn(name: string): boolean {
  return name === "id" || name.endsWith("_id");
}

export class IdColumnsPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key in row) {
        const value = row[key];
        if (typeof value === "bigint") {
          row[key] = isIdColumn(key) ? value.toString() : Number(value);
        }
      }
    }
    return args.result;
  }
}
