// `./skein registrations`, `./skein invites`, `./skein usernames`: how sign-up works, from the
// command line beside a running server (the settings table is shared; servers notice within 2 s).
import { loadConfig, loadDotEnv, type RegistrationMode } from "../../config/config.ts";
import { openRuntime, type Runtime } from "../../server/context.ts";
import { notFound } from "../../domain/errors.ts";
import { INVITE_EXPIRIES } from "../../domain/registration/invite-service.ts";
import { REGISTRATION_MODES } from "../../domain/registration/registration-settings.ts";
import { parseArgs, UsageError } from "../usage.ts";

const out = (line: string) => process.stdout.write(`${line}\n`);

async function withRuntime(work: (runtime: Runtime) => Promise<void>): Promise<number> {
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    await work(runtime);
  } finally {
    await runtime.close();
  }
  return 0;
}

const REGISTRATIONS_USAGE = `Usage:
  ./skein registrations show
  ./skein registrations open|approval|invite|closed [--reason-required] [--reason-optional]
                        [--min-age N|none] [--message TEXT|none] [--staff-only-invites|--anyone-invites]
  ./skein registrations fee [AMOUNT CURRENCY [--mode account|invite] | off | default]   (see ./skein payments)`;

export async function registrations(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  // The registration fee lives with payments (cli/commands/payments.ts); this is the same command.
  if (sub === "fee") return (await import("./payments.ts")).payments(["fee", ...rest]);
  const { options } = parseArgs(rest, ["reason-required", "reason-optional", "staff-only-invites", "anyone-invites"], REGISTRATIONS_USAGE);
  if (!sub || (sub !== "show" && !REGISTRATION_MODES.includes(sub as RegistrationMode))) throw new UsageError(REGISTRATIONS_USAGE);
  return withRuntime(async ({ services }) => {
    const settings = services.registration.settings;
    if (sub !== "show") {
      const minAge = options["min-age"];
      const message = options.message;
      await settings.update({
        mode: sub as RegistrationMode,
        ...(options["reason-required"] ? { reasonRequired: true } : options["reason-optional"] ? { reasonRequired: false } : {}),
        ...(typeof minAge === "string" ? { minAge: minAge === "none" ? null : Number(minAge) } : {}),
        ...(typeof message === "string" ? { message: message === "none" ? null : message } : {}),
        ...(options["staff-only-invites"] ? { staffOnlyInvites: true } : options["anyone-invites"] ? { staffOnlyInvites: false } : {}),
      });
    }
    const now = await settings.current();
    out(`mode: ${now.mode}\nreason required: ${now.reasonRequired ? "yes" : "no"}\nminimum age: ${now.minAge ?? "none"}\nmessage: ${now.message ?? "none"}\ninvites: ${now.staffOnlyInvites ? "staff only" : "users whose role may invite"}`);
  });
}

const INVITES_USAGE = `Usage:
  ./skein invites create [--max-uses N] [--expires 30m|1h|6h|12h|1d|1w|never] [--for USERNAME]
  ./skein invites list
  ./skein invites revoke CODE`;

export async function invites(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, [], INVITES_USAGE);
  if (!sub || !["create", "list", "revoke"].includes(sub)) throw new UsageError(INVITES_USAGE);
  return withRuntime(async ({ services, stores }) => {
    const service = services.registration.invites;
    if (sub === "create") {
      const username = typeof options.for === "string" ? options.for : null;
      const admin = username ? undefined : await stores.users.firstAdminAccount();
      const user = await stores.users.byUsername(username ?? admin?.username ?? "");
      if (!user) throw notFound(username ? `No local account named ${username}` : "No admin account to own the invite: use --for USERNAME");
      const expires = typeof options.expires === "string" ? options.expires : "1w";
      if (!(expires in INVITE_EXPIRIES)) throw new UsageError(`--expires must be one of ${Object.keys(INVITE_EXPIRIES).join(", ")}`);
      const maxUses = typeof options["max-uses"] === "string" ? Number(options["max-uses"]) : null;
      const row = await service.create(user, { maxUses, expiresIn: INVITE_EXPIRIES[expires] });
      out(`${row.code}\t${services.config.origin}/invite/${row.code}`);
      return;
    }
    if (sub === "list") {
      for (const row of await service.all()) out([row.code, row.id, `uses ${row.uses}/${row.max_uses ?? "∞"}`, row.expires_at ?? "never", row.revoked_at ? "revoked" : ""].join("\t"));
      return;
    }
    if (positional.length !== 1) throw new UsageError(INVITES_USAGE);
    const row = await service.revoke(null, positional[0]);
    out(`revoked ${row.code}`);
  });
}

const USERNAMES_USAGE = `Usage:
  ./skein usernames block WORD [--exact]   (partial match unless --exact; look-alikes folded: "4dm1n" ~ "admin")
  ./skein usernames unblock WORD
  ./skein usernames list`;

export async function usernames(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, ["exact"], USERNAMES_USAGE);
  if (!sub || !["block", "unblock", "list"].includes(sub)) throw new UsageError(USERNAMES_USAGE);
  if (sub !== "list" && positional.length !== 1) throw new UsageError(USERNAMES_USAGE);
  return withRuntime(async ({ services }) => {
    const service = services.registration;
    if (sub === "list") {
      for (const row of await service.listUsernameBlocks()) out(`${row.username}\t${row.normalized}\t${row.exact ? "exact" : "partial"}`);
    } else if (sub === "block") {
      const block = await service.blockUsername(positional[0], options.exact === true);
      out(`blocked ${block.username} (${block.exact ? "exact" : "partial"} match on "${block.normalized}")`);
    } else {
      if (!(await service.unblockUsername(positional[0]))) throw notFound(`No username block for ${positional[0]}`);
      out(`unblocked ${positional[0]}`);
    }
  });
}
