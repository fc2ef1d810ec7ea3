// Opens what every command needs: the database (migrated), the stores and the services.
import type { Config } from "../config/config.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { createStores, type Stores } from "../store/stores.ts";
import { createServices, type Services } from "../domain/services.ts";

export interface Runtime {
  config: Config;
  database: Database;
  stores: Stores;
  services: Services;
  close(): Promise<void>;
}

export async function openRuntime(config: Config): Promise<Runtime> {
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const stores = createStores(database.db);
  const services = createServices(stores, config);
  return { config, database, stores, services, close: () => database.close() };
}
