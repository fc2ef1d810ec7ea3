// `./skein payments …`: the registration fee from the command line. The fee set here overrides
// REGISTRATION_FEE (it lives in the settings table, so a running server uses it at its next
// sign-up); `fee default` goes back to the environment's.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { formatFee } from "../../config/payment-config.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = `Usage:
  ./skein payments fee                               show the fee in force
  ./skein payments fee AMOUNT CURRENCY [--mode account|invite]   e.g. fee 5.00 USD --mode invite
  ./skein payments fee off | default                 no fee / REGISTRATION_FEE again
  ./skein payments list                              the newest payments and their states
  ./skein payments require USERNAME                  put an existing account behind the fee (prints the checkout URL)
  ./skein payments sweep                             remove accounts unpaid for UNPAID_ACCOUNT_DAYS`;

export async function payments(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, [], USAGE);
  if (!sub || !["fee", "list", "require", "sweep"].includes(sub)) throw new UsageError(`unknown payments command "${sub ?? ""}"\n${USAGE}`);
  const mode = options.mode;
  if (mode !== undefined && mode !== "account" && mode !== "invite") throw new UsageError(`--mode is account or invite\n${USAGE}`);
  if (sub === "require" && positional.length !== 1) throw new UsageError(`one USERNAME is needed\n${USAGE}`);

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const service = runtime.services.payments;
    if (sub === "fee") {
      if (positional.length === 0) {
        out(`Registration fee: ${service.describe(await service.fee())}`);
        return 0;
      }
      const fee = await service.setFee(positional.join(" "), mode);
      out(`Registration fee: ${service.describe(fee)}`);
      return 0;
    }
    if (sub === "require") {
      const { checkoutUrl } = await service.requireForUsername(positional[0]);
      out(`Checkout: ${checkoutUrl}`);
      return 0;
    }
    if (sub === "sweep") {
      out(`Removed ${await service.sweepUnpaid()} unpaid account(s)`);
      return 0;
    }
    for (const p of await service.recent()) {
      out([p.id, p.created_at.slice(0, 19), p.mode, p.state, formatFee(p), p.user_id ? `user ${p.user_id}` : p.email ?? "-", p.invite_code ? `invite ${p.invite_code}` : "", p.checkout_id].filter(Boolean).join("  "));
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
