// The frame end-to-end files share: one server per file, every JSON response from it checked
// against the Mastodon contract, users signed up before the tests, and no contract violation
// allowed once they are done.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./server.ts";
import { installContractCheck, type ContractLog } from "./openapi.ts";
import { signUp, type TestUser } from "./clients.ts";

export interface ContractCheckedSetUp<Name extends string> {
  server: TestServer;
  users: Record<Name, TestUser>;
}

/**
 * Registers the file's hooks. Before its tests: a fresh server (with `env`), the contract check,
 * the `usernames` signed up in order, then `setUp` (hand the server and users to the file's
 * variables; follows, posts …). After them: the check must have found nothing; the server stops.
 */
export function contractCheckedServer<const Name extends string>(
  usernames: readonly Name[],
  setUp: (ready: ContractCheckedSetUp<Name>) => void | Promise<void>,
  options: { env?: Record<string, string> } = {},
): void {
  let server: TestServer | undefined;
  let contract: ContractLog;
  before(async () => {
    server = await startServer(options);
    contract = installContractCheck(server.url);
    const users = {} as Record<Name, TestUser>;
    for (const name of usernames) users[name] = await signUp(server, name);
    await setUp({ server, users });
  });
  // The server stops even when the contract check fails (else the file would hang until killed).
  after(async () => {
    try {
      assert.deepEqual(contract.violations, []);
    } finally {
      await server?.stop();
    }
  });
}

/** For `assert.rejects`: the API answered with this HTTP status (masto.js errors carry it). */
export const rejectsWith = (status: number) => (e: { statusCode?: number }) => e.statusCode === status;
