// The suite's migrated template database, made once per run by `./skein test`: every test server
// starts from a copy of it (support/server.ts freshDatabase) instead of migrating an empty
// database itself. SQLite: a migrated skein.sqlite to copy; PostgreSQL: a database to name as
// CREATE DATABASE's TEMPLATE. Returns the value of SKEIN_TEST_TEMPLATE, or null when migrating
// failed (the servers then migrate for themselves, and the failure shows in the tests).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "src/cli/main.ts");

function migrate(env: Record<string, string>): boolean {
  const result = spawnSync(process.execPath, [cli, "migrate"], { cwd: root, env: { ...process.env, ...env, LOCAL_DOMAIN: "template.test" }, encoding: "utf8" });
  if (result.status !== 0) process.stderr.write(`skein test: migrating the template database failed: ${result.stderr}\n`);
  return result.status === 0;
}

export async function makeMigratedTemplate(database: "sqlite" | "postgres", postgresUrl?: string): Promise<{ value: string | null; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-template-"));
  const removeDir = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (database === "sqlite") {
    const file = path.join(dataDir, "skein.sqlite");
    // The migration's process closed the database, which folds the write-ahead log into the file.
    const usable = migrate({ DATA_DIR: dataDir }) && !fs.existsSync(`${file}-wal`);
    return { value: usable ? file : null, drop: removeDir };
  }
  const name = `skein_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  const usable = migrate({ DATA_DIR: dataDir, DATABASE_URL: url.toString() });
  return {
    value: usable ? name : null,
    drop: async () => {
      await removeDir();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
