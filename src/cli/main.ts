// Skein's command line: `./skein <command>`. Each command lives in commands/; this file only
// dispatches and turns known failures into one clear line instead of a stack trace.
import { ConfigError } from "../config/config.ts";
import { DatabaseUnavailableError } from "../db/database.ts";
import { ServerLockError } from "../db/server-lock.ts";
import { ListenError } from "../server/http-server.ts";
import { DomainError } from "../domain/errors.ts";
import { UsageError } from "./usage.ts";

type Command = (args: string[]) => Promise<number | void>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: "run the server (web + background work) in one process", load: async () => (await import("./commands/start.ts")).start },
  web: { summary: "run the web process only", load: async () => (await import("./commands/start.ts")).web },
  worker: { summary: "run background work only (deliveries, inbox jobs, sweeps); PostgreSQL", load: async () => (await import("./commands/worker.ts")).worker },
  migrate: { summary: "apply database migrations", load: async () => (await import("./commands/migrate.ts")).migrate },
  accounts: { summary: "create, list and reset local accounts; suspend, silence, approve, role…", load: async () => (await import("./commands/accounts.ts")).accounts },
  domains: { summary: "block, unblock, allow and list domains (the server's domain policy)", load: async () => (await import("./commands/domains.ts")).domains },
  blocklist: { summary: "import and export blocklists; subscribe to published ones", load: async () => (await import("./commands/blocklist.ts")).blocklist },
  registrations: { summary: "show or set how people sign up (open, approval, invite, closed; min age, message)", load: async () => (await import("./commands/registration.ts")).registrations },
  invites: { summary: "create, list and revoke invites", load: async () => (await import("./commands/registration.ts")).invites },
  usernames: { summary: "block, unblock and list usernames nobody may register", load: async () => (await import("./commands/registration.ts")).usernames },
  "audit-log": { summary: "show the moderation audit log", load: async () => (await import("./commands/account-moderation.ts")).auditLog },
  export: { summary: "write a user's CSV exports (follows, lists, blocks, mutes, domain blocks, bookmarks)", load: async () => (await import("./commands/account-data.ts")).exportData },
  import: { summary: "import a CSV file for a user (follows, blocks, mutes, domain blocks, bookmarks, lists)", load: async () => (await import("./commands/account-data.ts")).importData },
  instance: { summary: "set the privacy policy, terms of service and about page (extended description)", load: async () => (await import("./commands/instance-pages.ts")).instance },
  rules: { summary: "add, list and remove the server's rules", load: async () => (await import("./commands/instance-pages.ts")).rules },
  announcements: { summary: "add, list, publish and remove announcements to every user", load: async () => (await import("./commands/instance-pages.ts")).announcements },
  relays: { summary: "subscribe to relays (public posts shared among servers), list and remove them", load: async () => (await import("./commands/relays.ts")).relays },
  emoji: { summary: "add, list, remove, enable and disable this server's custom emojis", load: async () => (await import("./commands/emoji.ts")).emoji },
  payments: { summary: "the registration fee: set, show, list payments, sweep unpaid accounts", load: async () => (await import("./commands/payments.ts")).payments },
  "dev-cert": { summary: "make a local CA and a certificate for HTTPS on this machine", load: async () => (await import("./commands/dev-cert.ts")).devCert },
  bench: { summary: "run a benchmark (timeline, fanout, hostile-inbox, blocklist, media, search, idle) and print its figures", load: async () => (await import("./commands/bench.ts")).bench },
  queue: { summary: "show the job queue (deliveries, inbox jobs)", load: async () => (await import("./commands/queue.ts")).queue },
  media: { summary: "media storage: usage per kind, prune orphans, check the remote cache's accounting", load: async () => (await import("./commands/media.ts")).media },
  prune: { summary: "remove old remote posts and profiles no local account has a part in (REMOTE_POST_RETENTION)", load: async () => (await import("./commands/prune.ts")).prune },
  search: { summary: "rebuild the full-text index of posts (search reindex), beside a running server", load: async () => (await import("./commands/search.ts")).search },
  cost: { summary: "what media cost: storage by kind, egress per day, a monthly projection in USD", load: async () => (await import("./commands/cost.ts")).cost },
  mail: { summary: "list and show the mails written to DATA_DIR/mail (no SMTP); send a test mail", load: async () => (await import("./commands/mail.ts")).mail },
  test: { summary: "run the test suite on SQLite and PostgreSQL", load: async () => (await import("./commands/test.ts")).test },
};

function help(): void {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  process.stdout.write(`Usage: ./skein <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nConfiguration comes from environment variables (and .env); see README.md.\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    help();
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`skein: unknown command "${name}"\n`);
    help();
    return 2;
  }
  try {
    return (await (await command.load())(args)) ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`skein: configuration: ${problem}\n`);
      return 1;
    }
    if (
      error instanceof DatabaseUnavailableError ||
      error instanceof ServerLockError ||
      error instanceof ListenError ||
      error instanceof DomainError ||
      error instanceof UsageError
    ) {
      process.stderr.write(`skein: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
