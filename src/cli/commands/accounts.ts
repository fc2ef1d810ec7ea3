// `./skein accounts create|list|reset-password|disable-two-factor`, and the moderation subcommands
// (account-moderation.ts): admin work that runs beside a live server, against the same
// configuration (environment and DATA_DIR).
import type { UserRole } from "../../db/schema.ts";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { parseArgs, UsageError } from "../usage.ts";
import { MODERATION_COMMANDS, MODERATION_USAGE, moderateAccount } from "./account-moderation.ts";

const USAGE = `Usage:
  ./skein accounts create USERNAME --email EMAIL [--admin | --moderator]
  ./skein accounts list
  ./skein accounts reset-password USERNAME
  ./skein accounts disable-two-factor USERNAME
${MODERATION_USAGE}`;

export async function accounts(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const moderation = MODERATION_COMMANDS.find((c) => c === sub);
  if (moderation) return moderateAccount(moderation, rest, USAGE);
  const { positional, options } = parseArgs(rest, ["admin", "moderator"], USAGE);
  if (!sub || !["create", "list", "reset-password", "disable-two-factor"].includes(sub)) throw new UsageError(`unknown accounts command "${sub ?? ""}"\n${USAGE}`);
  if (sub !== "list" && positional.length !== 1) throw new UsageError(`a USERNAME is needed\n${USAGE}`);
  if (sub === "create" && typeof options.email !== "string") throw new UsageError(`--email is needed\n${USAGE}`);

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    const service = runtime.services.accounts;
    if (sub === "create") {
      const role = options.admin ? "admin" : options.moderator ? "moderator" : "user";
      const { account, password } = await service.createLocal({ username: positional[0], email: options.email as string, role });
      process.stdout.write(`Created @${account.username}@${runtime.config.localDomain} (${role})\nPassword: ${password}\n`);
    } else if (sub === "disable-two-factor") {
      // For someone who lost both their phone and their recovery codes (after checking who they are).
      const removed = await runtime.services.twoFactor.adminDisable(positional[0]);
      process.stdout.write(removed ? `Two-factor sign-in is off for @${positional[0]}; the password alone signs in now.\n` : `@${positional[0]} did not have two-factor sign-in.\n`);
    } else if (sub === "reset-password") {
      const password = await service.resetPassword(positional[0]);
      process.stdout.write(`New password for @${positional[0]}: ${password}\nAll sessions and access tokens of this account were revoked.\n`);
    } else {
      const rows = await service.list();
      const roles = await runtime.services.moderation.roles.book.fresh();
      // A custom role by its name (users.role holds "custom:<id>").
      const roleName = (role: UserRole) => (role.startsWith("custom:") ? roles.info(role).name : role);
      const header = ["USERNAME", "EMAIL", "ROLE", "CREATED"];
      const table = [header, ...rows.map(({ user, account }) => [account.username, user.email, roleName(user.role), user.created_at.slice(0, 10)])];
      const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
      for (const row of table) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd() + "\n");
    }
  } finally {
    await runtime.close();
  }
  return 0;
}
