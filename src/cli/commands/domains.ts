// `./skein domains block|unblock|allow|disallow|list`: the server's domain policy from the
// command line, beside a running server (the server notices within 2 s: the policy version).
// Every change goes through the same service as the admin API, and into the audit log.
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { normalizeDomain } from "../../domain/moderation/domain-names.ts";
import { notFound } from "../../domain/errors.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = `Usage:
  ./skein domains block DOMAIN [--severity noop|silence|suspend] [--reject-media] [--reject-reports]
                               [--public-comment TEXT] [--private-comment TEXT] [--obfuscate]
      (severity suspend unless given; blocking a domain that has a block changes that block)
  ./skein domains unblock DOMAIN
  ./skein domains allow DOMAIN       (FEDERATION_MODE=allowlist: may federate; blocklist mode: lifts a subscription's block)
  ./skein domains disallow DOMAIN
  ./skein domains list [--allows]`;

const FLAGS = ["reject-media", "reject-reports", "obfuscate", "allows"];
const CLI = { accountId: null, note: "command line" };

export async function domains(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, options } = parseArgs(rest, FLAGS, USAGE);
  if (!sub || !["block", "unblock", "allow", "disallow", "list"].includes(sub)) throw new UsageError(`unknown domains command "${sub ?? ""}"\n${USAGE}`);
  if (sub !== "list" && positional.length !== 1) throw new UsageError(`one DOMAIN is needed\n${USAGE}`);
  for (const name of ["severity", "public-comment", "private-comment"]) {
    if (options[name] === true) throw new UsageError(`--${name} needs a value\n${USAGE}`);
  }

  loadDotEnv();
  const runtime = await openRuntime(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const service = runtime.services.moderation.domainBlocks;
    if (sub === "list") {
      if (options.allows) {
        const rows = await allAllows(service);
        table(["DOMAIN", "CREATED"], rows.map((r) => [r.domain, r.created_at.slice(0, 10)]));
      } else {
        const rows = (await service.all()).sort((a, b) => (a.domain < b.domain ? -1 : 1));
        table(
          ["DOMAIN", "SEVERITY", "OPTIONS", "SOURCE", "PUBLIC COMMENT"],
          rows.map((r) => [
            r.domain,
            r.severity,
            [r.reject_media ? "reject-media" : "", r.reject_reports ? "reject-reports" : "", r.obfuscate ? "obfuscate" : ""].filter(Boolean).join(",") || "-",
            r.subscription_id ? `subscription ${r.subscription_id}` : "moderators",
            r.public_comment.slice(0, 60),
          ]),
        );
      }
      return 0;
    }
    const domain = normalizeDomain(positional[0]);
    if (sub === "block") {
      const input = {
        domain,
        severity: typeof options.severity === "string" ? options.severity : undefined,
        reject_media: options["reject-media"] ? true : undefined,
        reject_reports: options["reject-reports"] ? true : undefined,
        obfuscate: options.obfuscate ? true : undefined,
        public_comment: typeof options["public-comment"] === "string" ? options["public-comment"] : undefined,
        private_comment: typeof options["private-comment"] === "string" ? options["private-comment"] : undefined,
      };
      const existing = (await service.all()).find((r) => r.domain === domain);
      if (existing) {
        const row = await service.update(CLI, existing.id, input);
        out(`Updated the block of ${row.domain}: ${row.severity}${flags(row)}`);
      } else {
        const row = await service.create(CLI, { ...input, severity: input.severity ?? "suspend" });
        out(`Blocked ${row.domain}: ${row.severity}${flags(row)}`);
      }
    } else if (sub === "unblock") {
      const existing = (await service.all()).find((r) => r.domain === domain);
      if (!existing) throw notFound(`${domain} has no block`);
      await service.remove(CLI, existing.id);
      out(`Unblocked ${domain}`);
    } else if (sub === "allow") {
      const row = await service.allow(CLI, domain);
      out(`Allowed ${row.domain}`);
    } else {
      const existing = (await allAllows(service)).find((r) => r.domain === domain);
      if (!existing) throw notFound(`${domain} is not allowed`);
      await service.removeAllow(CLI, existing.id);
      out(`Disallowed ${domain}`);
    }
  } finally {
    await runtime.close();
  }
  return 0;
}

type Service = Awaited<ReturnType<typeof openRuntime>>["services"]["moderation"]["domainBlocks"];

async function allAllows(service: Service) {
  const rows = [];
  let maxId: string | null = null;
  for (;;) {
    const page = await service.allows({ maxId, limit: 1000 });
    rows.push(...page);
    if (page.length < 1000) return rows.sort((a, b) => (a.domain < b.domain ? -1 : 1));
    maxId = page[page.length - 1].id;
  }
}

function flags(row: { reject_media: number; reject_reports: number; obfuscate: number }): string {
  const parts = [row.reject_media ? "reject media" : "", row.reject_reports ? "reject reports" : "", row.obfuscate ? "obfuscated" : ""].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** Prints rows as aligned columns under a header. */
export function table(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  for (const row of all) process.stdout.write(row.map((cell, i) => (cell ?? "").padEnd(widths[i])).join("  ").trimEnd() + "\n");
}
