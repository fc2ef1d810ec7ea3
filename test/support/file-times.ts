// Preloaded (`node --test --import`) into every test file's process by `./skein test`: when the
// process exits, it appends "seconds<TAB>path" — its whole life, start-up included — to the file
// SKEIN_TEST_TIMES names. The run then prints its slowest files, which is what keeps run.ts's
// list of files to start first (SLOW_FIRST) true. (The runner's own events cannot tell: it holds
// back a file's events while an earlier file still runs.)
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const file = process.argv[1];
const out = process.env.SKEIN_TEST_TIMES;
if (out && file?.endsWith(".test.ts")) {
  process.once("exit", () => fs.appendFileSync(out, `${(performance.now() / 1000).toFixed(1)}\t${path.relative(root, file)}\n`));
}
