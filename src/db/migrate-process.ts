// The process a server's pending migrations run in (migrate.ts, migrateInChildProcess): what they
// load and allocate ends with it instead of staying in the server for its life. It gets the
// database's settings over the IPC channel (not argv: a PostgreSQL URL may carry a password) and
// answers there.
import type { Config } from "../config/config.ts";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";

// Imported without an IPC channel only by the compile-cache fill (cli/warm-cache.ts), which runs nothing.
if (process.send) {
  process.once("message", async (config: Config["database"]) => {
    let answer: { applied: string[] } | { error: string };
    try {
      const database = await openDatabase(config);
      try {
        answer = { applied: await migrateToLatest(database) };
      } finally {
        await database.close();
      }
    } catch (error) {
      answer = { error: (error as Error).message ?? String(error) };
    }
    process.send!(answer, () => process.disconnect());
  });
}
