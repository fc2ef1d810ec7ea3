// `./skein relays list|add URL|remove ID`: relay subscriptions, beside a running server. The
// change is stored here; the server's sweep (every 10 s) sends the Follow or its Undo.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { parseArgs, UsageError } from "../usage.ts";
import type { RelayRow } from "../../store/relays.ts";

const USAGE = `Usage:
  ./skein relays list
  ./skein relays add URL     (a Mastodon relay's inbox, e.g. https://relay.example/inbox, or a LitePub relay's actor URL)
  ./skein relays remove ID`;

function describe(relay: RelayRow): string {
  return `${relay.id}  ${relay.state.padEnd(8)}  ${relay.protocol.padEnd(8)}  ${relay.inbox_url}`;
}

export async function relays(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional } = parseArgs(rest, [], USAGE);
  if (!["list", "add", "remove"].includes(sub ?? "") || (sub === "list" ? positional.length !== 0 : positional.length !== 1)) throw new UsageError(USAGE);
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const service = runtime.services.relays;
    if (sub === "list") {
      const all = await service.list();
      if (all.length === 0) out("No relays.");
      for (const relay of all) out(describe(relay));
    } else if (sub === "add") {
      const relay = await service.add(positional[0]);
      out(describe(relay));
      out("The running server sends the subscription within seconds; `./skein relays list` shows when the relay accepts.");
    } else {
      await service.remove(positional[0]);
      out(`Relay ${positional[0]} removed; the server tells the relay within seconds.`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
