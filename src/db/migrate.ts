// Schema migrations, applied at start and by `./skein migrate`. Each migration is a module in
// migrations/, named here; Kysely records what ran in its own tables. A module is imported only
// when the database has not run it yet: a server that restarts on an up-to-date database loads
// none of them (their source would stay in V8's heap for the process's life: docs/PERFORMANCE.md,
// "Memory"). src/cli/warm-cache.ts compiles them all ahead (MIGRATIONS).
import { Migrator, type Migration, type MigrationResultSet } from "kysely/migration";
import { sql } from "kysely";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/config.ts";
import type { Database } from "./database.ts";

/** Every migration, by name (its module is migrations/NAME.ts). */
export const MIGRATIONS: readonly string[] = [
  "0001_accounts_and_oauth",
  "0002_social_core",
  "0003_lists_and_more",
  "0004_filters_polls",
  "0005_queue_and_kv",
  "0006_federation",
  "0007_media_attachments",
  "0008_delivery",
  "0009_delivery_claim_indexes",
  "0010_moderation",
  "0011_blocklist_subscriptions",
  "0012_notification_requests",
  "0013_admin_account_indexes",
  "0014_purge_indexes",
  "0015_registration",
  "0016_payments",
  "0017_email_tokens",
  "0018_two_factor",
  "0019_account_data",
  "0020_media",
  "0021_status_edit_media",
  "0023_remote_media_budget",
  "0024_push_subscriptions",
  "0025_scheduled_statuses",
  "0026_account_features", // notes, endorsements, featured tags, collections
  "0027_instance_pages",
  "0028_quotes",
  "0029_full_text_search",
  "0030_preview_cards",
  "0031_pruning", // tombstones (remote data with limits)
  "0034_poll_updates", // local polls' counts federated (Update(Question))
  "0035_relays", // relay subscriptions
  "0036_search_pending", // full-text indexing after the commit, in batches
  "0037_search_days", // PostgreSQL full-text documents carry their day
  "0038_server_samples", // the admin console's charts: figures sampled every minute
  "0039_roles", // custom roles (Mastodon's role editor)
  "0040_search_pending_merges", // PostgreSQL: the indexer merges the GIN pending list itself
  "0041_search_queue_rowid", // SQLite: the search queue in one B-tree (its key the rowid)
  "0042_search_fts_automerge", // SQLite: FTS5 merges its segments 16 at a time
];

/** Where a migration's module is, for import(). */
export function migrationModule(name: string): string {
  return `./migrations/${name}.ts`;
}

/** The names this database has run (none on a fresh database, before Kysely has made its table). */
async function appliedMigrations(database: Database): Promise<Set<string>> {
  const exists =
    database.kind === "sqlite"
      ? sql<{ found: number }>`select count(*) as found from sqlite_master where type = 'table' and name = 'kysely_migration'`
      : sql<{ found: number }>`select count(*)::int as found from pg_tables where tablename = 'kysely_migration' and schemaname = current_schema()`;
  if (Number((await exists.execute(database.db)).rows[0]?.found ?? 0) === 0) return new Set();
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(database.db);
  return new Set(rows.map((r) => r.name));
}

/**
 * The modules of the migrations this database has not run; a stand-in for each one it has (Kysely
 * only checks that it is listed). Read before the migrator starts: on SQLite it holds the one
 * connection while it runs, and a query of ours would wait behind it. A migration another process
 * runs meanwhile is loaded for nothing; Kysely's lock still runs each one once.
 */
async function pendingModules(database: Database, applied: Set<string>): Promise<Record<string, Migration>> {
  const entries = await Promise.all(
    MIGRATIONS.map(async (name): Promise<[string, Migration]> => {
      if (applied.has(name)) return [name, { up: async () => { throw new Error(`migration ${name} has run already`); } }];
      return [name, (await import(migrationModule(name))) as Migration];
    }),
  );
  return Object.fromEntries(entries);
}

export interface MigrateOptions {
  /**
   * The database's settings (server/context.ts gives them, for servers and CLI commands alike):
   * pending migrations then run in a child process, on its own connection. Running them in the
   * server cost it ~5 MB for its whole life — the modules, the schema builders' code, the
   * allocations of creating the tables and indexes — which now end with the child
   * (docs/PERFORMANCE.md, "Memory").
   */
  childProcess?: Config["database"];
}

export async function migrateToLatest(database: Database, options: MigrateOptions = {}): Promise<string[]> {
  const applied = await appliedMigrations(database);
  const pending = MIGRATIONS.some((name) => !applied.has(name));
  // An in-memory SQLite database is only this connection's: another one would migrate its own.
  const child = options.childProcess;
  if (pending && child && !(child.kind === "sqlite" && child.file === ":memory:")) return migrateInChildProcess(child);
  const migrations = await pendingModules(database, applied);
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    // Capabilities built side by side take numbers ahead of time, so a database may have run a
    // later migration before an earlier number lands; each migration touches its own tables.
    allowUnorderedMigrations: true,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${(result.error as Error).message ?? result.error}`);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Runs migrateToLatest in a child process (migrate-process.ts) on its own connection to `config`'s database. */
function migrateInChildProcess(config: Config["database"]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // The same node and flags as this process, but an inspector's (its port is this process's);
    // its output goes where ours does.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith("--inspect"));
    const child = fork(fileURLToPath(new URL("./migrate-process.ts", import.meta.url)), { execArgv });
    let answer: { applied: string[] } | { error: string } | undefined;
    child.once("message", (message: { applied: string[] } | { error: string }) => (answer = message));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (answer && "applied" in answer) resolve(answer.applied);
      else reject(new Error(answer?.error ?? `the migration process ended (${signal ?? `exit code ${code}`}) before it finished`));
    });
    child.send(config);
  });
}
