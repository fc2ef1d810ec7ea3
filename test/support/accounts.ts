// Local accounts for end-to-end tests, made the way `./skein accounts create` makes them (the same
// runtime and service) but inside the test process: a CLI process spends ~2 s of CPU loading
// Skein before it creates one account, and the suite creates hundreds; here Skein is loaded once
// per test file. The CLI command itself is tested where it is the subject.
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime } from "../../src/server/context.ts";

/**
 * Creates a local account on the server whose environment is `env`; returns its generated
 * password. The runtime is opened and closed around each account, so nothing of it outlives the
 * call (a test file's process must be able to exit whenever its servers stop).
 */
export async function createLocalAccount(env: Record<string, string>, username: string, role: "user" | "moderator" | "admin" = "user"): Promise<string> {
  const runtime = await openRuntime(loadConfig({ ...process.env, ...env }));
  try {
    const { password } = await runtime.services.accounts.createLocal({ username, email: `${username}@example.com`, role });
    return password;
  } finally {
    await runtime.close();
  }
}
