// A report tells every role that handles reports (custom roles included), and finding those roles
// never waits behind the report's own transaction. On SQLite (one connection) a role book that
// had to be brought up to date inside the transaction read the settings behind it and waited
// forever, and every request of the server after it: seen as a hung server when a forwarded
// report arrived. A role book that has never loaded must read the settings, so this is the case.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { RoleBook } from "../../src/domain/moderation/role-book.ts";
import { ReportService } from "../../src/domain/moderation/report-service.ts";

let runtime: Runtime;
let drop: () => Promise<void>;

before(async () => {
  const database = await freshDatabase({ migrated: true });
  drop = database.drop;
  runtime = await openRuntime(loadConfig(database.env));
});

after(async () => {
  await runtime?.close();
  await drop?.();
});

test("a report made while the roles are not yet loaded is stored and tells the moderators", async () => {
  const { services, stores } = runtime;
  const make = (username: string, role: "user" | "moderator" = "user") => services.accounts.createLocal({ username, email: `${username}@example.test`, role });
  const [reporter, target, moderator] = [await make("reporter"), await make("target"), await make("moderator", "moderator")];
  const moderation = services.moderation;
  const reports = new ReportService(stores, moderation.audit, moderation.policy, services.config.origin, { roles: new RoleBook(stores) });
  const { report } = await Promise.race([
    reports.create(reporter.account, { targetAccountId: target.account.id, statusIds: [], comment: "spam", category: "spam", ruleIds: [], forward: false, forwardToDomains: null }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the report was never stored: it waits behind its own transaction")), 10_000)),
  ]);
  assert.equal(report.comment, "spam");
  const notified = await stores.notifications.list(moderator.account.id, { types: ["admin.report"] }, { limit: 10 });
  assert.deepEqual(notified.map((n) => n.report_id), [report.id], "the moderator is told");
});
