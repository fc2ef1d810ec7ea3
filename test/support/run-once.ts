// Test files that run once per `./skein test`, not once per database. A file whose outcome
// cannot depend on the suite's database (it never asks for one: no server, no freshDatabase)
// carries the mark as a line of its own,
//
//   // skein-test: once (why it needs no database)
//
// and runs in the first run only (SQLite's, or PostgreSQL's with --db postgres). Running it again
// on PostgreSQL would prove nothing new and cost CI its CPU. The mark is checked, not trusted:
// such a file's process runs with SKEIN_TEST_DATABASE=none and no PostgreSQL URL or template
// (run-once-guard.ts, preloaded into every test file's process), so freshDatabase — and through
// it startServer, contractCheckedServer and the federation fleets — throws instead of making one.
import fs from "node:fs";

export const RUN_ONCE_MARK = /^\/\/ skein-test: once\b/m;

/** True when the test file carries the run-once mark. */
export function runsOnce(file: string): boolean {
  return RUN_ONCE_MARK.test(fs.readFileSync(file, "utf8"));
}

/** The value SKEIN_TEST_DATABASE takes in a marked file's process. */
export const NO_DATABASE = "none";
