// Preloaded (`node --test --import`) into every test file's process by `./skein test`, before the
// file itself loads: a file marked `// skein-test: once` (run-once.ts) is left without a database
// to ask for, so a mark on a file that does use the suite's database fails that file at once
// rather than letting its PostgreSQL half go silently untested.
import { NO_DATABASE, runsOnce } from "./run-once.ts";

// The test runner's own process (no file argument) and anything else that preloads this pass by.
const file = process.argv[1];
if (file?.endsWith(".test.ts") && runsOnce(file)) {
  process.env.SKEIN_TEST_DATABASE = NO_DATABASE;
  delete process.env.SKEIN_TEST_POSTGRES_URL;
  delete process.env.SKEIN_TEST_TEMPLATE;
}
