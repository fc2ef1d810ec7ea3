// The suite's migrated template database, made once per run by `./skein test`: every test server
// starts from a copy of it (support/server.ts freshDatabase) instead of migrating an empty
// database itself. SQLite: a migrated skein.sqlite to copy; PostgreSQL: a database to name as
// CREATE DATABASE's TEMPLATE. Returns the value of SKEIN_TEST_TEMPLATE, or null when migrating
// failed (the servers then migrate for themselves, and the failure shows in the tests).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freshDatabase } from "./server.ts";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "src/cli/main.ts");

export async function makeMigratedTemplate(kind: "sqlite" | "postgres", postgresUrl?: string): Promise<{ value: string | null; drop: () => Promise<void> }> {
  const database = await freshDatabase({ kind, postgresUrl });
  const result = spawnSync(process.execPath, [cli, "migrate"], { cwd: root, env: { ...process.env, ...database.env, LOCAL_DOMAIN: "template.test" }, encoding: "utf8" });
  if (result.status !== 0) process.stderr.write(`skein test: migrating the template database failed: ${result.stderr}\n`);
  const file = path.join(database.env.DATA_DIR, "skein.sqlite");
  // The migration's process closed the database, which folds the write-ahead log into the file.
  const usable = result.status === 0 && (kind === "postgres" || !fs.existsSync(`${file}-wal`));
  const value = kind === "sqlite" ? file : new URL(database.env.DATABASE_URL).pathname.slice(1);
  return { value: usable ? value : null, drop: database.drop };
}
