// The command line as an operator meets it: mistakes end with one clear line and an exit code,
// never a stack trace; admin commands work beside a running server and take effect at once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseKind, freshDatabase, runCli, startServer, type CliResult, type TestServer } from "../support/server.ts";
import { freePort } from "../support/postgres-cluster.ts";

let server: TestServer;
let scratch: string;

before(async () => {
  server = await startServer();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "skein-cli-"));
});

after(async () => {
  await server?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** An environment that cannot touch a real database: an empty DATA_DIR, no DATABASE_URL. */
function isolated(extra: Record<string, string> = {}): Record<string, string> {
  return { DATA_DIR: fs.mkdtempSync(path.join(scratch, "data-")), DATABASE_URL: "", LOG_LEVEL: "info", ...extra };
}

/** Settings for a second server process that, if it started, would stop again at once. */
function secondServer(env: Record<string, string>, port: number): Record<string, string> {
  return { ...env, PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}`, SKEIN_STOP_ON_STDIN_CLOSE: "1", LOG_LEVEL: "info" };
}

function assertOneLine(result: CliResult, pattern: RegExp, code = 1): string {
  assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /^\s+at |Error:/m, "no stack trace");
  return lines[0];
}

async function registerApp(): Promise<{ client_id: string; client_secret: string }> {
  const response = await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "CLI test", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

function passwordGrant(app: { client_id: string; client_secret: string }, username: string, password: string): Promise<Response> {
  return fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username, password, scope: "read" }),
  });
}

async function tokenFor(app: { client_id: string; client_secret: string }, username: string, password: string): Promise<string> {
  const response = await passwordGrant(app, username, password);
  assert.equal(response.status, 200, `password grant for ${username}`);
  return (await response.json()).access_token;
}

function verifyCredentials(token: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${token}` } });
}

test("bad configuration ends with one clear line on stderr and exit code 1", async () => {
  const one = await runCli(["start"], isolated({ DATABASE_URL: "nonsense" }));
  assertOneLine(one, /^skein: configuration: DATABASE_URL must be a postgres:\/\/user:password@host\/database URL, or unset for SQLite in DATA_DIR \(got "nonsense"\)$/);
  assert.equal(one.stdout, "");
  // Several mistakes are all named at once, one line each (one process for them all: a start
  // costs a second of CPU, and each line is checked in full).
  const all = await runCli(["start"], isolated({ PORT: "abc", LOCAL_DOMAIN: "bad domain/x", REGISTRATIONS: "sometimes", LOG_LEVEL: "loud" }));
  assert.equal(all.code, 1);
  assert.equal(all.stdout, "");
  assert.deepEqual(all.stderr.trimEnd().split("\n"), [
    'skein: configuration: PORT must be a number from 0 to 65535 (got "abc")',
    'skein: configuration: LOCAL_DOMAIN must be a host name with an optional port, like "social.example" (got "bad domain/x")',
    'skein: configuration: REGISTRATIONS must be open, approval, invite or closed (got "sometimes")',
    'skein: configuration: LOG_LEVEL must be debug, info, warning or error (got "loud")',
  ]);
});

test("an unreachable PostgreSQL is named without its password, by every command", async () => {
  const env = isolated({ DATABASE_URL: "postgres://skein:hunter2-secret@127.0.0.1:1/skein" });
  for (const args of [["start"], ["migrate"], ["accounts", "list"]]) {
    const result = await runCli(args, env);
    assertOneLine(result, /^skein: Cannot connect to PostgreSQL at postgres:\/\/skein:\*\*\*@127\.0\.0\.1:1\/skein: connection refused$/);
    assert.doesNotMatch(result.stderr + result.stdout, /hunter2/, `${args.join(" ")} printed the password`);
  }
});

test("a port already in use is refused with one line, and the server using it carries on", async () => {
  const other = await freshDatabase();
  try {
    const port = Number(new URL(server.url).port);
    const result = await runCli(["start"], secondServer(other.env, port));
    assertOneLine(result, new RegExp(`^skein: Port ${port} on 127\\.0\\.0\\.1 is already in use: stop what uses it, or set PORT to another port$`));
  } finally {
    await other.drop();
  }
  assert.equal(await (await fetch(`${server.url}/health`)).text(), "OK");
});

test(
  databaseKind === "sqlite"
    ? "on SQLite, a second server on the same DATA_DIR is refused with one line"
    : "on PostgreSQL, a second server process on the same database starts (scale-out)",
  async () => {
    const result = await runCli(["start"], secondServer(server.env, await freePort()));
    if (databaseKind === "sqlite") {
      const line = assertOneLine(result, /^skein: Another Skein server \(pid \d+\) is already using .+skein\.sqlite\. Stop it first, or use PostgreSQL \(DATABASE_URL\) to run several processes\.$/);
      assert.ok(line.includes(path.join(server.env.DATA_DIR, "skein.sqlite")), line);
    } else {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /serving http:\/\/127\.0\.0\.1:\d+ .* with PostgreSQL/);
    }
    assert.equal(await (await fetch(`${server.url}/health`)).text(), "OK");
  },
);

test("on SQLite, a lock left behind by a crashed server does not block the next start", { skip: databaseKind !== "sqlite" && "the server lock exists for SQLite only" }, async () => {
  const env = isolated();
  // The pid of a process that has certainly ended.
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
  const lockFile = path.join(env.DATA_DIR, "skein.sqlite.lock");
  fs.writeFileSync(lockFile, dead);
  const result = await runCli(["start"], secondServer(env, await freePort()));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /serving http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(fs.existsSync(lockFile), false, "the lock is released on shutdown");
});

test("accounts create prints a password that works at once against the running server", async () => {
  const created = await server.cli(["accounts", "create", "carol", "--email", "carol@example.com", "--admin"]);
  assert.equal(created.code, 0, created.stderr);
  const match = new RegExp(`^Created @carol@${new URL(server.url).host.replace(/\./g, "\\.")} \\(admin\\)\\nPassword: (\\S{16,})\\n$`).exec(created.stdout);
  assert.ok(match, created.stdout);
  const password = match[1];

  const app = await registerApp();
  const token = await tokenFor(app, "carol", password);
  const me = await verifyCredentials(token);
  assert.equal(me.status, 200);
  const account = await me.json();
  assert.equal(account.username, "carol");
  assert.equal(account.role.name, "Admin");
  // The email works as the login too, as in Mastodon's password grant.
  await tokenFor(app, "carol@example.com", password);
  assert.equal((await passwordGrant(app, "carol", "not-the-password")).status, 400);
});

test("accounts create refuses a taken username or email, and a bad email, with exit code 1", async () => {
  const first = await server.cli(["accounts", "create", "dave", "--email", "dave@example.com"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /\(user\)\nPassword: \S+\n$/);

  assertOneLine(await server.cli(["accounts", "create", "DAVE", "--email", "other@example.com"]), /^skein: Username DAVE is already taken$/);
  assertOneLine(await server.cli(["accounts", "create", "dave2", "--email", "Dave@Example.com"]), /^skein: Email Dave@Example\.com is already in use$/);
  assertOneLine(await server.cli(["accounts", "create", "erin", "--email", "not-an-email"]), /^skein: "not-an-email" is not a valid email address$/);
  assertOneLine(await server.cli(["accounts", "create", "bad-name!", "--email", "bad@example.com"]), /^skein: Username must be 1 to 30 letters, digits or underscores$/);

  const list = await server.cli(["accounts", "list"]);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trimEnd().split("\n").map((line) => line.split(/\s+/));
  assert.deepEqual(rows[0], ["USERNAME", "EMAIL", "ROLE", "CREATED"]);
  const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
  assert.deepEqual(byName.get("dave")?.slice(1, 3), ["dave@example.com", "user"]);
  assert.deepEqual(byName.get("carol")?.slice(1, 3), ["carol@example.com", "admin"]);
  assert.equal(byName.has("dave2") || byName.has("erin") || byName.has("DAVE"), false, "refused accounts were not created");
  for (const row of rows.slice(1)) assert.match(row[3], /^\d{4}-\d{2}-\d{2}$/);
});

test("accounts reset-password prints a new password, and the old one and older tokens stop working", async () => {
  // Made as `accounts create` makes them (its output is checked above), without a process.
  const oldPassword = await server.createAccount("frank");
  const app = await registerApp();
  const oldToken = await tokenFor(app, "frank", oldPassword);
  assert.equal((await verifyCredentials(oldToken)).status, 200);
  const otherToken = await tokenFor(app, "gina", await server.createAccount("gina"));

  const reset = await server.cli(["accounts", "reset-password", "frank"]);
  assert.equal(reset.code, 0, reset.stderr);
  const match = /^New password for @frank: (\S{16,})\nAll sessions and access tokens of this account were revoked\.\n$/.exec(reset.stdout);
  assert.ok(match, reset.stdout);
  const newPassword = match[1];
  assert.notEqual(newPassword, oldPassword);

  const revoked = await verifyCredentials(oldToken);
  assert.equal(revoked.status, 401);
  assert.deepEqual(await revoked.json(), { error: "The access token is invalid" });
  const oldGrant = await passwordGrant(app, "frank", oldPassword);
  assert.equal(oldGrant.status, 400);
  assert.equal((await oldGrant.json()).error, "invalid_grant");
  const fresh = await tokenFor(app, "frank", newPassword);
  assert.equal((await (await verifyCredentials(fresh)).json()).username, "frank");
  assert.equal((await verifyCredentials(otherToken)).status, 200, "another user's token is untouched");

  assertOneLine(await server.cli(["accounts", "reset-password", "nobody"]), /^skein: No local account named nobody$/);
});

test("migrate prints what it applied, then that there is nothing to do", async () => {
  const database = await freshDatabase();
  try {
    const all = fs
      .readdirSync(path.resolve(import.meta.dirname, "../../src/db/migrations"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    assert.ok(all.includes("0001_accounts_and_oauth"));
    const first = await runCli(["migrate"], database.env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `Applied ${all.join(", ")}\n`);
    const second = await runCli(["migrate"], database.env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "The database is up to date\n");
    // The migrated database is usable by the other commands.
    const list = await runCli(["accounts", "list"], database.env);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, "USERNAME  EMAIL  ROLE  CREATED\n");
  } finally {
    await database.drop();
  }
});

test("an unknown command or missing arguments end with exit code 2 and the usage", async () => {
  const env = isolated();
  const unknown = await runCli(["frobnicate"], env);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'skein: unknown command "frobnicate"\n');
  assert.match(unknown.stdout, /^Usage: \.\/skein <command> \[options\]/);
  for (const name of ["start", "web", "migrate", "accounts", "dev-cert", "test"]) assert.match(unknown.stdout, new RegExp(`^  ${name} +\\S`, "m"), name);

  const nothing = await runCli([], env);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stdout, /^Usage: \.\/skein <command>/);
  const help = await runCli(["--help"], env);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, nothing.stdout);

  const cases: [string[], string][] = [
    [["accounts"], 'skein: unknown accounts command ""'],
    [["accounts", "delete", "carol"], 'skein: unknown accounts command "delete"'],
    [["accounts", "create"], "skein: a USERNAME is needed"],
    [["accounts", "create", "erin"], "skein: --email is needed"],
    [["accounts", "create", "erin", "--email"], "skein: --email needs a value"],
    [["accounts", "reset-password"], "skein: a USERNAME is needed"],
  ];
  for (const [args, first] of cases) {
    const result = await runCli(args, env);
    assert.equal(result.code, 2, args.join(" "));
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines[0], first, args.join(" "));
    assert.ok(lines.includes("  ./skein accounts create USERNAME --email EMAIL [--admin | --moderator]"), result.stderr);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  }
  assert.deepEqual(fs.readdirSync(env.DATA_DIR), [], "usage errors touch no database");
});
