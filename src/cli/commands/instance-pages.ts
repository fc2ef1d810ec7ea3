// `./skein instance|rules|announcements …`: the server's own pages and messages, set by its admin
// beside a running server (everything is in the database; the server reads it per request, and
// its announcements sweep tells streaming clients within seconds).
import { readFile, stat } from "node:fs/promises";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime, type Runtime } from "../../server/context.ts";
import { MAX_TEXT_BYTES } from "../../domain/instance/instance-texts.ts";
import { parseArgs, UsageError } from "../usage.ts";

const INSTANCE_USAGE = `Usage:
  ./skein instance set privacy-policy FILE          (HTML, or plain text: blank lines separate paragraphs)
  ./skein instance set extended-description FILE    (the about page)
  ./skein instance set terms-of-service FILE [--effective YYYY-MM-DD]   (a new version; default: today)
  ./skein instance clear privacy-policy|extended-description   (back to the default / empty)
  ./skein instance remove-terms YYYY-MM-DD          (remove that version of the terms of service)
  ./skein instance show                              (what is set, and the versions of the terms)`;

const RULES_USAGE = `Usage:
  ./skein rules add TEXT [--hint TEXT]
  ./skein rules list
  ./skein rules remove ID`;

const ANNOUNCEMENTS_USAGE = `Usage:
  ./skein announcements add TEXT [--starts-at TIME] [--ends-at TIME] [--all-day] [--draft]
      (TIME: ISO 8601; --draft: shown to nobody until published)
  ./skein announcements list
  ./skein announcements publish ID
  ./skein announcements remove ID`;

async function withRuntime(work: (runtime: Runtime, out: (line: string) => void) => Promise<void>): Promise<number> {
  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  try {
    await work(runtime, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } finally {
    await runtime.close();
  }
}

async function readText(file: string): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
  if (info.size > MAX_TEXT_BYTES) throw new UsageError(`${file} is larger than ${MAX_TEXT_BYTES / 1024} KB`);
  return readFile(file, "utf8");
}

export async function instance(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, [], INSTANCE_USAGE);
  const what = positional[0];
  if (sub === "set") {
    if (positional.length !== 2 || !["privacy-policy", "extended-description", "terms-of-service"].includes(what)) throw new UsageError(`set needs a text and a FILE\n${INSTANCE_USAGE}`);
    const text = await readText(positional[1]);
    const effective = typeof options.effective === "string" ? options.effective : undefined;
    return withRuntime(async ({ services }, out) => {
      if (what === "terms-of-service") {
        const version = await services.instanceTexts.addTerms(text, effective);
        out(`Terms of service effective ${version.effective_date} set`);
      } else {
        await services.instanceTexts.set(what as "privacy-policy" | "extended-description", text);
        out(`Set the ${what.replace("-", " ")}`);
      }
    });
  }
  if (sub === "clear") {
    if (positional.length !== 1 || !["privacy-policy", "extended-description"].includes(what)) throw new UsageError(`clear needs privacy-policy or extended-description\n${INSTANCE_USAGE}`);
    return withRuntime(async ({ services }, out) => {
      await services.instanceTexts.set(what as "privacy-policy" | "extended-description", "");
      out(`Cleared the ${what.replace("-", " ")}`);
    });
  }
  if (sub === "remove-terms") {
    if (positional.length !== 1) throw new UsageError(`remove-terms needs a date\n${INSTANCE_USAGE}`);
    return withRuntime(async ({ services }, out) => {
      if (!(await services.instanceTexts.removeTerms(what))) throw new UsageError(`No terms of service effective ${what}`);
      out(`Removed the terms of service effective ${what}`);
    });
  }
  if (sub === "show") {
    return withRuntime(async ({ services }, out) => {
      const texts = services.instanceTexts;
      const [privacy, description, terms] = await Promise.all([texts.privacyPolicy(), texts.extendedDescription(), texts.termsVersions()]);
      out(`privacy policy:        ${privacy.content.length} characters, updated ${privacy.updated_at}`);
      out(`extended description:  ${description.updated_at ? `${description.content.length} characters, updated ${description.updated_at}` : "not set"}`);
      out(`terms of service:      ${terms.length ? terms.map((t) => t.effective_date).join(", ") : "none"}`);
    });
  }
  throw new UsageError(`unknown instance command "${sub ?? ""}"\n${INSTANCE_USAGE}`);
}

export async function rules(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, [], RULES_USAGE);
  if (sub === "add" && positional.length === 1) {
    return withRuntime(async ({ services }, out) => {
      const row = await services.rules.add(positional[0], typeof options.hint === "string" ? options.hint : "");
      out(`Added rule ${row.id}: ${row.text}`);
    });
  }
  if (sub === "list" && positional.length === 0) {
    return withRuntime(async ({ services }, out) => {
      const rows = await services.rules.list();
      if (rows.length === 0) out("No rules.");
      for (const row of rows) out(`${row.id}  ${row.text}${row.hint ? `\n${" ".repeat(row.id.length + 2)}${row.hint}` : ""}`);
    });
  }
  if (sub === "remove" && positional.length === 1) {
    return withRuntime(async ({ services }, out) => {
      await services.rules.remove(positional[0]);
      out(`Removed rule ${positional[0]}`);
    });
  }
  throw new UsageError(`${sub ? `wrong arguments for rules ${sub}` : "rules needs a command"}\n${RULES_USAGE}`);
}

export async function announcements(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, ["all-day", "draft"], ANNOUNCEMENTS_USAGE);
  const time = (name: string) => (typeof options[name] === "string" ? (options[name] as string) : null);
  if (sub === "add" && positional.length === 1) {
    return withRuntime(async ({ services }, out) => {
      const row = await services.announcements.create({ text: positional[0], startsAt: time("starts-at"), endsAt: time("ends-at"), allDay: options["all-day"] === true, published: options.draft !== true });
      out(`Added announcement ${row.id}${row.published ? "" : " (draft)"}`);
    });
  }
  if (sub === "list" && positional.length === 0) {
    return withRuntime(async ({ services }, out) => {
      const rows = await services.announcements.listAll();
      if (rows.length === 0) out("No announcements.");
      for (const r of rows) {
        const when = r.starts_at || r.ends_at ? ` ${r.starts_at ?? "…"} → ${r.ends_at ?? "…"}${r.all_day ? " (all day)" : ""}` : "";
        out(`${r.id}  ${r.published ? "published" : "draft    "}${when}  ${r.text.length > 60 ? `${r.text.slice(0, 57)}…` : r.text}`);
      }
    });
  }
  if ((sub === "publish" || sub === "remove") && positional.length === 1) {
    return withRuntime(async ({ services }, out) => {
      if (sub === "publish") await services.announcements.publish(positional[0]);
      else await services.announcements.remove(positional[0]);
      out(`${sub === "publish" ? "Published" : "Removed"} announcement ${positional[0]}`);
    });
  }
  throw new UsageError(`${sub ? `wrong arguments for announcements ${sub}` : "announcements needs a command"}\n${ANNOUNCEMENTS_USAGE}`);
}
