// Fills Node's compile cache (NODE_COMPILE_CACHE) with every module a server process loads, in a
// short-lived process of its own: run by ./skein before `start`, `web` and `worker` when a source
// file is newer than the last fill. A .ts file missing from the cache is compiled by Node's type
// stripper, a WebAssembly module that then stays in the process (~18 MB of a server's idle memory,
// docs/PERFORMANCE.md "Memory"); filled here, the server never loads it.
import { readdirSync } from "node:fs";

const [command = "start"] = process.argv.slice(2);
await import(command === "worker" ? "./commands/worker.ts" : "./commands/start.ts");
// Every database dialect module, both engines': a server imports the configured one's only, some
// on first use (db/database.ts, db/notify.ts). Listed from the folder: a name list had missed
// sqlite-notify.ts, and a fresh clone's server compiled it itself (test/e2e/compile-cache.test.ts).
const dialects = new URL("../db/dialects/", import.meta.url);
await Promise.all(readdirSync(dialects).filter((f) => f.endsWith(".ts")).map((f) => import(new URL(f, dialects).href)));
// The migrations, which a server imports only when its database has not run them, in a process of
// their own (db/migrate.ts); that process's module runs nothing without an IPC channel.
const { MIGRATIONS, migrationModule } = await import("../db/migrate.ts");
await Promise.all(MIGRATIONS.map((name) => import(new URL(migrationModule(name), new URL("../db/migrate.ts", import.meta.url)).href)));
await import("../db/migrate-process.ts");
// The federation stack, which a server loads on first use (federation/stack-loader.ts), not at start-up.
await import("../federation/stack.ts");
// Route groups a server imports on their first request (http/app.ts through http/lazy-routes.ts):
// one missing from the cache would load the type stripper into the server that first shows it.
await Promise.all(
  [
    "../http/api/admin/routes.ts",
    "../http/web/admin/routes.ts",
    "../http/web/settings/routes.ts",
    "../http/web/account-data/downloads.ts",
    "../http/web/account-data/pages.ts",
    "../http/web/sign-in.ts",
    "../http/web/registration/sign-up.ts",
    "../http/web/auth/confirmation.ts",
    "../http/web/auth/password-reset.ts",
    "../http/web/registration/payment-pages.ts",
  ].map((m) => import(m)),
);
// A sender thread's own module: compiled (and cached) before it fails here, outside a worker thread.
await import("../federation/delivery/sender-thread.ts").catch(() => {});
// main.ts runs the command it is given when imported: give it `help` (the wrapper drops the output).
process.argv = [process.argv[0], "main.ts", "help"];
await import("./main.ts");
