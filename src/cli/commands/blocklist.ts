// `./skein blocklist …`: import and export blocklists, and manage subscriptions to published
// ones, beside a running server (it notices changed blocks within 2 s). The same service as
// the admin API (/api/v1/admin/blocklists); every change is in the audit log.
import fs from "node:fs";
import path from "node:path";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { BLOCKLIST_LIMITS, guessFormat } from "../../domain/moderation/blocklists/formats.ts";
import type { ImportReport } from "../../domain/moderation/blocklists/import.ts";
import type { RefreshOutcome, SubscriptionInput } from "../../domain/moderation/blocklists/subscriptions.ts";
import { validationFailed } from "../../domain/errors.ts";
import { parseArgs, UsageError } from "../usage.ts";
import { table } from "./domains.ts";

const USAGE = `Usage:
  ./skein blocklist import FILE [--format csv|json|rapidblock|text] [--dry-run]
  ./skein blocklist export [--format csv|json|rapidblock|text] [FILE]      (csv unless given; stdout without FILE)
  ./skein blocklist subscribe URL --format F [--priority 0-255] [--drafts] [--adopt] [--remove-retracted]
                              [--silence] [--max-severity noop|silence|suspend] [--exclude DOMAIN]...
  ./skein blocklist edit ID [the options of subscribe] [--no-drafts] [--no-adopt] [--keep-retracted]
                            [--no-silence] [--enable | --disable]       (--exclude replaces the excludes; --exclude "" clears them)
  ./skein blocklist subscriptions
  ./skein blocklist refresh [ID]                                          (every subscription without ID)
  ./skein blocklist unsubscribe ID [--undo]
  ./skein blocklist drafts
  ./skein blocklist approve DRAFT_ID
  ./skein blocklist reject DRAFT_ID`;

const FLAGS = ["dry-run", "drafts", "adopt", "remove-retracted", "silence", "undo", "no-drafts", "no-adopt", "keep-retracted", "no-silence", "enable", "disable"];
const COMMANDS = ["import", "export", "subscribe", "edit", "subscriptions", "refresh", "unsubscribe", "drafts", "approve", "reject"];
const CLI = { accountId: null, note: "command line" };

export async function blocklist(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || !COMMANDS.includes(sub)) throw new UsageError(`unknown blocklist command "${sub ?? ""}"\n${USAGE}`);
  // --exclude may be repeated (and comma-separated); the generic parser keeps only the last.
  const excludes: string[] = [];
  let excludeGiven = false;
  const others: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--exclude" && i + 1 < rest.length) {
      excludeGiven = true;
      excludes.push(...rest[++i].split(",").map((d) => d.trim()).filter(Boolean));
    } else others.push(rest[i]);
  }
  const { positional, options } = parseArgs(others, FLAGS, USAGE);
  const needs = { import: 1, export: -1, subscribe: 1, edit: 1, subscriptions: 0, refresh: -1, unsubscribe: 1, drafts: 0, approve: 1, reject: 1 }[sub]!;
  if (needs >= 0 && positional.length !== needs) throw new UsageError(`${needs === 0 ? "no argument" : "one argument"} expected\n${USAGE}`);
  if (needs < 0 && positional.length > 1) throw new UsageError(`at most one argument expected\n${USAGE}`);
  for (const name of ["format", "priority", "max-severity"]) if (options[name] === true) throw new UsageError(`--${name} needs a value\n${USAGE}`);
  if (sub === "subscribe" && typeof options.format !== "string") throw new UsageError(`--format is needed\n${USAGE}`);

  let importText: string | null = null;
  if (sub === "import") {
    // Refused before it is read: a file beyond the bound never enters memory.
    const size = fs.statSync(positional[0], { throwIfNoEntry: false })?.size;
    if (size === undefined) throw new UsageError(`no such file: ${positional[0]}`);
    if (size > BLOCKLIST_LIMITS.maxBytes) throw validationFailed(`${positional[0]} is ${(size / 1024 / 1024).toFixed(1)} MiB; lists larger than ${BLOCKLIST_LIMITS.maxBytes / 1024 / 1024} MiB are refused`);
    importText = fs.readFileSync(positional[0], "utf8");
  }

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const service = runtime.services.moderation.blocklists;
    switch (sub) {
      case "import": {
        const format = typeof options.format === "string" ? options.format : guessFormat(importText!, positional[0]);
        const report = await service.importList(CLI, { text: importText!, format, dryRun: Boolean(options["dry-run"]) });
        printReport(report, out);
        break;
      }
      case "export": {
        const format = typeof options.format === "string" ? options.format : positional[0] ? formatOfName(positional[0]) : "csv";
        const list = await service.exportList(format);
        if (positional[0]) fs.writeFileSync(positional[0], list.text);
        else process.stdout.write(list.text);
        process.stderr.write(`${list.written} block${list.written === 1 ? "" : "s"} written${list.omitted ? `; ${list.omitted} not written (${format} carries only suspensions that are not obfuscated)` : ""}\n`);
        break;
      }
      case "subscribe": {
        const outcome = await service.subscribe(CLI, { ...subscriptionInput(options, excludeGiven ? excludes : undefined), url: positional[0] });
        out(`Subscribed to ${outcome.subscription.url} (subscription ${outcome.subscription.id})`);
        printOutcome(outcome, out);
        break;
      }
      case "edit": {
        const row = await service.update(CLI, positional[0], subscriptionInput(options, excludeGiven ? excludes : undefined));
        out(`Updated subscription ${row.id} (${row.url})`);
        break;
      }
      case "subscriptions": {
        const rows = await service.subscriptions();
        if (rows.length === 0) out("No blocklist subscriptions.");
        else {
          table(
            ["ID", "URL", "FORMAT", "PRI", "OPTIONS", "ENTRIES", "CHANGES", "LAST SUCCESS", "LAST ERROR"],
            rows.map((r) => [
              r.id, r.url, r.format, String(r.priority), optionsOf(r), String(r.entries_count), String(r.changes_applied),
              r.last_success_at?.slice(0, 19).replace("T", " ") ?? "never", r.last_error ?? "-",
            ]),
          );
        }
        break;
      }
      case "refresh": {
        // Without an ID: the enabled subscriptions (a disabled one is refreshed only by name).
        const ids = positional[0] ? [positional[0]] : (await service.subscriptions()).filter((r) => r.enabled).map((r) => r.id);
        if (ids.length === 0) out("No blocklist subscriptions.");
        let failed = 0;
        for (const id of ids) {
          const outcome = await service.refresh(id);
          if (outcome.result === "failed") failed++;
          printOutcome(outcome, out);
        }
        return failed > 0 ? 1 : 0;
      }
      case "unsubscribe": {
        const { subscription, changes } = await service.unsubscribe(CLI, positional[0], Boolean(options.undo));
        out(`Unsubscribed from ${subscription.url}: ${changes} block${changes === 1 ? "" : "s"} ${options.undo ? "removed or given back to the moderators" : "kept as the moderators'"}`);
        break;
      }
      case "drafts": {
        const rows = await service.drafts();
        if (rows.length === 0) out("No drafts.");
        else table(["ID", "DOMAIN", "ACTION", "SEVERITY", "SUBSCRIPTION", "STATUS"], rows.map((d) => [d.id, d.domain, d.action, d.severity, d.subscription_id, d.status]));
        break;
      }
      case "approve": {
        const draft = await service.approve(CLI, positional[0]);
        out(`Approved: ${draft.action} ${draft.domain} (${draft.severity})`);
        break;
      }
      case "reject": {
        const draft = await service.reject(CLI, positional[0]);
        out(`Rejected: ${draft.action} ${draft.domain} (${draft.severity})`);
        break;
      }
    }
  } finally {
    await runtime.close();
  }
  return 0;
}

function formatOfName(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ext === ".json" ? "json" : ext === ".txt" ? "text" : "csv";
}

function subscriptionInput(options: Record<string, string | true>, excludes: string[] | undefined): SubscriptionInput {
  const both = (on: string, off: string): boolean | undefined => {
    if (options[on] && options[off]) throw new UsageError(`--${on} and --${off} contradict each other\n${USAGE}`);
    return options[on] ? true : options[off] ? false : undefined;
  };
  let priority: number | undefined;
  if (typeof options.priority === "string") {
    priority = Number(options.priority);
    if (!/^\d{1,3}$/.test(options.priority)) throw new UsageError(`--priority must be a whole number from 0 to 255\n${USAGE}`);
  }
  return {
    url: undefined,
    ...(typeof options.format === "string" ? { format: options.format } : {}),
    priority,
    create_as_drafts: both("drafts", "no-drafts"),
    adopt_existing: both("adopt", "no-adopt"),
    remove_retracted: both("remove-retracted", "keep-retracted"),
    apply_silence: both("silence", "no-silence"),
    max_severity: typeof options["max-severity"] === "string" ? options["max-severity"] : undefined,
    excludes,
    enabled: both("enable", "disable"),
  };
}

function optionsOf(r: { create_as_drafts: number; adopt_existing: number; remove_retracted: number; apply_silence: number; max_severity: string; excludes: string; enabled: number }): string {
  const parts = [r.apply_silence ? "silence" : "", r.max_severity !== "suspend" ? `max ${r.max_severity}` : "", r.create_as_drafts ? "drafts" : "", r.adopt_existing ? "adopt" : "",
    r.remove_retracted ? "remove-retracted" : "", r.excludes ? `${r.excludes.split("\n").length} excluded` : "", r.enabled ? "" : "DISABLED"].filter(Boolean);
  return parts.join(",") || "-";
}

function printOutcome(outcome: RefreshOutcome, out: (line: string) => void): void {
  const s = outcome.subscription;
  if (outcome.result === "failed") out(`subscription ${s.id} (${s.url}): failed, nothing changed: ${s.last_error}`);
  else if (outcome.result === "not_modified") out(`subscription ${s.id} (${s.url}): not modified since the last fetch`);
  else out(`subscription ${s.id} (${s.url}): ${s.entries_count} entries, ${outcome.changes} change${outcome.changes === 1 ? "" : "s"}${s.create_as_drafts ? " (drafts: ./skein blocklist drafts)" : ""}`);
}

const SHOWN = 50;

function printReport(report: ImportReport, out: (line: string) => void): void {
  const c = report.counts;
  if (report.dry_run) out("Dry run: nothing was changed.");
  out(`${report.format} list: ${c.entries} entries: ${c.create} ${report.dry_run ? "to create" : "created"}, ${c.update} ${report.dry_run ? "to update" : "updated"}, ${c.unchanged} unchanged, ${c.skipped} skipped`);
  const notes = [c.invalid ? `${c.invalid} invalid` : "", c.obfuscated ? `${c.obfuscated} obfuscated (no domain to block)` : "", c.duplicates ? `${c.duplicates} duplicates` : "", c.not_blocked ? `${c.not_blocked} not blocked` : ""].filter(Boolean);
  if (notes.length) out(`Not used: ${notes.join(", ")}`);
  out(`New suspensions ${report.dry_run ? "would sever" : "severed"} ${report.severed_follows} follow relationship${report.severed_follows === 1 ? "" : "s"}`);
  const shown = report.changes.slice(0, SHOWN);
  if (shown.length) {
    table(["ACTION", "DOMAIN", "SEVERITY", "FOLLOWS CUT", "NOTE"], shown.map((ch) => [
      ch.action, ch.domain, ch.previous ? `${ch.previous} -> ${ch.severity}` : ch.severity, ch.severs === undefined ? "-" : String(ch.severs), ch.reason ?? "",
    ]));
    const more = c.create + c.update + c.skipped - shown.length;
    if (more > 0) out(`… and ${more} more`);
  }
  for (const line of report.invalid.slice(0, SHOWN)) out(`invalid: line ${line.line}: ${line.reason}: ${line.text}`);
  if (c.invalid > Math.min(SHOWN, report.invalid.length)) out(`… and ${c.invalid - Math.min(SHOWN, report.invalid.length)} more invalid lines`);
}
