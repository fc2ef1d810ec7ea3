// A server's runtime in this process, for tests below the HTTP layer: the services and stores over
// a fresh database of the suite's kind, closed and dropped together.
import { freshDatabase } from "./server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";

/**
 * Opens a runtime over a copy of the suite's migrated database (freshDatabase), as skein.example
 * unless `env` says otherwise; `close` closes it and drops the database.
 */
export async function inProcessRuntime(env: Record<string, string> = {}): Promise<{ runtime: Runtime; close: () => Promise<void> }> {
  const database = await freshDatabase({ migrated: true });
  try {
    const runtime = await openRuntime(loadConfig({ ...database.env, LOCAL_DOMAIN: "skein.example", ...env }));
    return {
      runtime,
      close: async () => {
        await runtime.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
