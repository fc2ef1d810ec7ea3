// `./skein accounts suspend|unsuspend|silence|unsilence|disable|enable|approve|reject|sensitive|
// unsensitive|role USER …` and `./skein audit-log`: the moderators' account actions from the shell,
// through the same domain service as the admin API (recorded in the audit log with no moderator:
// the operator at the shell). They run beside a live server, which sees each change at once.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime, type Runtime } from "../../server/context.ts";
import { CLI_OPERATOR, type AdminAccountRow } from "../../domain/moderation/account-moderation.ts";
import { parseArgs, UsageError } from "../usage.ts";

export const MODERATION_COMMANDS = ["suspend", "unsuspend", "silence", "unsilence", "disable", "enable", "approve", "reject", "sensitive", "unsensitive", "role"] as const;
type ModerationCommand = (typeof MODERATION_COMMANDS)[number];

export const MODERATION_USAGE = `  ./skein accounts suspend|silence|disable|sensitive USER [--text TEXT] [--no-notify]
  ./skein accounts unsuspend|unsilence|enable|unsensitive|approve|reject USER
  ./skein accounts role USER ROLE   (user, moderator, admin, owner, or a custom role's name)
  (USER: a local username, or user@domain for an account of another server)`;

/** Runs one moderation subcommand; `args` are what follows it. */
export async function moderateAccount(command: ModerationCommand, args: string[], usage: string): Promise<number> {
  const { positional, options } = parseArgs(args, ["no-notify"], usage);
  const expected = command === "role" ? 2 : 1;
  if (positional.length !== expected) throw new UsageError(`${command === "role" ? "USER and a ROLE are" : "a USER is"} needed\n${usage}`);
  if (options.text !== undefined && typeof options.text !== "string") throw new UsageError(`--text needs a value\n${usage}`);

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const accounts = runtime.services.moderation.accounts;
    const target = await accounts.byHandle(positional[0]);
    const id = target.account.id;
    let after: AdminAccountRow;
    let roleName: string | null = null;
    switch (command) {
      case "suspend":
      case "silence":
      case "disable":
      case "sensitive":
        await accounts.act(CLI_OPERATOR, id, { type: command, text: (options.text as string | undefined) ?? "", notify: !options["no-notify"] });
        after = await accounts.get(id);
        break;
      case "role": {
        // A built-in's key or any role's name ("Moderator", a custom role's), case aside.
        const role = await runtime.services.moderation.roles.resolve(positional[1]);
        if (!role) {
          const names = (await runtime.services.moderation.roles.list()).map((r) => (r.key.startsWith("custom:") ? r.name : r.key));
          throw new UsageError(`ROLE is one of ${names.join(", ")}\n${usage}`);
        }
        after = await runtime.services.moderation.roles.assign(CLI_OPERATOR, id, role.key);
        roleName = role.key.startsWith("custom:") ? role.name : role.key;
        break;
      }
      default:
        after = await accounts[command](CLI_OPERATOR, id);
    }
    process.stdout.write(`${handle(runtime, after)}: ${command === "reject" ? "rejected and deleted" : stateOf(after, roleName)}\n`);
  } finally {
    await runtime.close();
  }
  return 0;
}

/** `./skein audit-log [--limit N]`: the newest moderation actions first. */
export async function auditLog(args: string[]): Promise<number> {
  const usage = "Usage:\n  ./skein audit-log [--limit N]   (N from 1 to 1000, default 40)";
  const { positional, options } = parseArgs(args, [], usage);
  if (positional.length) throw new UsageError(`unexpected "${positional[0]}"\n${usage}`);
  const limit = options.limit === undefined ? 40 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit is a whole number from 1 to 1000\n${usage}`);

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const entries = await runtime.services.moderation.accounts.auditEntries({ limit });
    const header = ["WHEN", "BY", "ACTION", "TARGET", "TEXT"];
    const table = [
      header,
      ...entries.map(({ row, actor }) => [
        row.created_at.slice(0, 19).replace("T", " "),
        actor ? `@${actor.username}` : row.account_id ? "(removed)" : "(command line)",
        row.action,
        `${row.target_type} ${row.human_identifier || row.target_id || ""}`.trim(),
        row.text.replace(/\s+/g, " ").slice(0, 80),
      ]),
    ];
    const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const row of table) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd() + "\n");
  } finally {
    await runtime.close();
  }
  return 0;
}

function handle(runtime: Runtime, { account }: AdminAccountRow): string {
  return `@${account.username}@${account.domain ?? runtime.config.localDomain}`;
}

/** The account's standing, as the admin API reports it. */
function stateOf({ account, user }: AdminAccountRow, roleName: string | null = null): string {
  const states = [
    account.suspended_at ? "suspended" : null,
    user?.disabled ? "disabled" : null,
    account.silenced_at ? "silenced" : null,
    account.sensitized_at ? "sensitive" : null,
    user && !user.approved ? "pending" : null,
  ].filter((s): s is string => s !== null);
  return `${states.length ? states.join(", ") : "active"}${user ? ` (role ${roleName ?? user.role})` : ""}`;
}
