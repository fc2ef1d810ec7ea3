// `./skein migrate`: bring the database schema up to date (start does this too).
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openDatabase } from "../../db/database.ts";
import { migrateToLatest } from "../../db/migrate.ts";

export async function migrate(): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length ? `Applied ${applied.join(", ")}\n` : "The database is up to date\n");
  } finally {
    await database.close();
  }
  return 0;
}
