// `./skein emoji add|list|remove|enable|disable|category`: this server's custom emojis, beside a
// running server (which sees a change within 2 s: the emoji catalog's version).
import { stat } from "node:fs/promises";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { EMOJI_UPLOAD_LIMIT } from "../../domain/emojis/emoji-service.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = `Usage:
  ./skein emoji add SHORTCODE FILE [--category NAME] [--unlisted]
      (PNG, GIF or WebP up to ${EMOJI_UPLOAD_LIMIT / 1024} KB; animated files stay animated;
       --unlisted: usable in text but not shown in clients' pickers)
  ./skein emoji list [--all]          (--all: disabled ones too)
  ./skein emoji remove SHORTCODE
  ./skein emoji disable SHORTCODE     (kept, but shown nowhere)
  ./skein emoji enable SHORTCODE
  ./skein emoji category SHORTCODE [NAME]   (no NAME: no category)`;

const SUBCOMMANDS = ["add", "list", "remove", "disable", "enable", "category"];

export async function emoji(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, ["all", "unlisted"], USAGE);
  if (!sub || !SUBCOMMANDS.includes(sub)) throw new UsageError(`unknown emoji command "${sub ?? ""}"\n${USAGE}`);
  if (sub === "add" && positional.length !== 2) throw new UsageError(`add needs a SHORTCODE and a FILE\n${USAGE}`);
  if (["remove", "disable", "enable"].includes(sub) && positional.length !== 1) throw new UsageError(`${sub} needs one SHORTCODE\n${USAGE}`);
  if (sub === "category" && (positional.length < 1 || positional.length > 2)) throw new UsageError(`category needs a SHORTCODE and maybe a NAME\n${USAGE}`);
  if (options.category === true) throw new UsageError(`--category needs a value\n${USAGE}`);
  if (sub === "add") {
    const file = await stat(positional[1]).catch(() => null);
    if (!file?.isFile()) throw new UsageError(`${positional[1]} is not a file`);
    if (file.size > EMOJI_UPLOAD_LIMIT) throw new UsageError(`${positional[1]} is larger than ${EMOJI_UPLOAD_LIMIT / 1024} KB`);
  }

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const service = runtime.services.emojis;
    switch (sub) {
      case "add": {
        const category = typeof options.category === "string" ? options.category : null;
        const row = await service.addLocal({ shortcode: positional[0], file: positional[1], category, visibleInPicker: !options.unlisted });
        out(`Added :${row.shortcode}:${row.category ? ` (${row.category})` : ""}, ${row.image_size} bytes`);
        break;
      }
      case "list": {
        const rows = await service.listLocal(options.all === true);
        if (rows.length === 0) {
          out("No custom emojis.");
          break;
        }
        const widths = [Math.max(9, ...rows.map((r) => r.shortcode.length + 2)), Math.max(8, ...rows.map((r) => (r.category ?? "-").length))];
        out(`${"SHORTCODE".padEnd(widths[0])}  ${"CATEGORY".padEnd(widths[1])}  STATE     BYTES`);
        for (const r of rows) {
          const state = r.disabled ? "disabled" : r.visible_in_picker ? "enabled" : "unlisted";
          out(`${`:${r.shortcode}:`.padEnd(widths[0])}  ${(r.category ?? "-").padEnd(widths[1])}  ${state.padEnd(8)}  ${r.image_size}`);
        }
        break;
      }
      case "remove":
        await service.remove(positional[0]);
        out(`Removed :${positional[0].replace(/^:|:$/g, "")}:`);
        break;
      case "disable":
      case "enable": {
        const row = await service.setDisabled(positional[0], sub === "disable");
        out(`${sub === "disable" ? "Disabled" : "Enabled"} :${row.shortcode}:`);
        break;
      }
      case "category": {
        const row = await service.setCategory(positional[0], positional[1] ?? null);
        out(row.category ? `:${row.shortcode}: is in ${row.category}` : `:${row.shortcode}: has no category`);
        break;
      }
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
