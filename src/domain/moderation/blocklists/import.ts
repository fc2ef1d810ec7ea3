// Importing a blocklist by hand (`./skein blocklist import`, POST /api/v1/admin/blocklists/import)
// and exporting the server's own. An import is a moderator's decision: what it creates or
// changes is the moderators' (no subscription owns it), through the one domain block service,
// in one batch. A dry run plans the same thing and changes nothing; both say, per domain, what
// happens and how many follow relationships a new suspension would cut.
import type { Stores } from "../../../store/stores.ts";
import type { DomainBlockRow } from "../../../store/moderation/domain-blocks.ts";
import type { BlocklistFormat, DomainBlockSeverity } from "../../../db/schema.ts";
import { stricterThan, type DomainBlockOperation, type DomainBlockService, type PolicyActor } from "../domain-block-service.ts";
import { domainAndParents } from "../domain-names.ts";
import { parseBlocklist, serializeBlocklist, type BlocklistEntry, type InvalidLine, type ParsedBlocklist, type SerializedBlocklist } from "./formats.ts";

/** Changes described one by one in a report; the counts cover all of them. */
const MAX_DESCRIBED = 1000;

export interface PlannedChange {
  domain: string;
  action: "create" | "update" | "unchanged" | "skipped";
  severity: DomainBlockSeverity;
  /** The severity before, for updates. */
  previous?: DomainBlockSeverity;
  /** Why an entry is skipped. */
  reason?: string;
  /** Follows between local accounts and this domain's (both ways) that a new suspension cuts. */
  severs?: number;
}

export interface ImportReport {
  format: BlocklistFormat;
  dry_run: boolean;
  counts: { entries: number; create: number; update: number; unchanged: number; skipped: number; invalid: number; obfuscated: number; duplicates: number; not_blocked: number };
  /** Follow relationships all new suspensions together cut. */
  severed_follows: number;
  /** Creates and updates that cut follows come first, then the rest by domain; at most MAX_DESCRIBED. */
  changes: PlannedChange[];
  changes_truncated: boolean;
  invalid: InvalidLine[];
}

interface Plan {
  changes: PlannedChange[];
  operations: DomainBlockOperation[];
}

/** How a list's entry compares with the block a domain has. */
export function sameAsEntry(block: Pick<DomainBlockRow, "severity" | "reject_media" | "reject_reports" | "public_comment" | "obfuscate">, entry: BlocklistEntry): boolean {
  return block.severity === entry.severity && block.reject_media === (entry.reject_media ? 1 : 0) && block.reject_reports === (entry.reject_reports ? 1 : 0) &&
    block.obfuscate === (entry.obfuscate ? 1 : 0) && (entry.public_comment === "" || block.public_comment === entry.public_comment);
}

export function entryFields(entry: BlocklistEntry) {
  return {
    severity: entry.severity,
    reject_media: entry.reject_media,
    reject_reports: entry.reject_reports,
    obfuscate: entry.obfuscate,
    // A list without a comment does not erase the one a block has.
    ...(entry.public_comment ? { public_comment: entry.public_comment } : {}),
  };
}

const asFields = (entry: BlocklistEntry) => ({
  severity: entry.severity,
  reject_media: entry.reject_media ? 1 : 0,
  reject_reports: entry.reject_reports ? 1 : 0,
}) as const;

/**
 * The parent block covering `domain` among `blocks` (the closest one), if any. Lists are
 * planned parents first, so a list holding both "example.com" and "a.example.com" sees the
 * first when it reaches the second.
 */
export function coveringParent(domain: string, blocks: ReadonlyMap<string, Pick<DomainBlockRow, "domain" | "severity" | "reject_media" | "reject_reports">>) {
  for (const name of domainAndParents(domain).slice(1)) {
    const block = blocks.get(name);
    if (block) return block;
  }
  return null;
}

/** Parents before their subdomains: fewer labels first, then by name (a stable order). */
export function parentsFirst<T extends { domain: string }>(items: readonly T[]): T[] {
  const labels = (d: string) => d.split(".").length;
  return [...items].sort((a, b) => labels(a.domain) - labels(b.domain) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}

function plan(parsed: ParsedBlocklist, existing: readonly DomainBlockRow[], note: string): Plan {
  const byDomain = new Map<string, Pick<DomainBlockRow, "domain" | "severity" | "reject_media" | "reject_reports">>(existing.map((row) => [row.domain, row]));
  const rows = new Map(existing.map((row) => [row.domain, row]));
  const changes: PlannedChange[] = [];
  const operations: DomainBlockOperation[] = [];
  for (const entry of parentsFirst(parsed.entries)) {
    const block = rows.get(entry.domain);
    if (block) {
      if (sameAsEntry(block, entry)) {
        changes.push({ domain: entry.domain, action: "unchanged", severity: block.severity });
        continue;
      }
      changes.push({ domain: entry.domain, action: "update", severity: entry.severity, previous: block.severity });
      // The moderators take over a block a subscription made: an import is their decision.
      operations.push({ kind: "update", id: block.id, input: entryFields(entry), subscriptionId: null, note });
      byDomain.set(entry.domain, { domain: entry.domain, ...asFields(entry) });
      continue;
    }
    const parent = coveringParent(entry.domain, byDomain);
    if (parent && !stricterThan({ ...asFields(entry), private_comment: "", public_comment: "", obfuscate: 0 }, { ...parent, private_comment: "", public_comment: "", obfuscate: 0 })) {
      changes.push({ domain: entry.domain, action: "skipped", severity: entry.severity, reason: `covered by the block of ${parent.domain} (${parent.severity})` });
      continue;
    }
    changes.push({ domain: entry.domain, action: "create", severity: entry.severity });
    operations.push({ kind: "create", input: { domain: entry.domain, ...entryFields(entry) }, subscriptionId: null, note });
    byDomain.set(entry.domain, { domain: entry.domain, ...asFields(entry) });
  }
  return { changes, operations };
}

/**
 * Adds to each new suspension (a create, or an update from a milder severity) the follows it
 * cuts: every remote domain with follows is walked up its parents once, so the cost is the
 * number of remote domains, not their product with the list.
 */
export async function countSevered(stores: Stores, changes: PlannedChange[]): Promise<number> {
  const suspending = new Map<string, PlannedChange>();
  for (const change of changes) {
    if ((change.action === "create" || change.action === "update") && change.severity === "suspend" && change.previous !== "suspend") {
      change.severs = 0;
      suspending.set(change.domain, change);
    }
  }
  if (suspending.size === 0) return 0;
  let total = 0;
  for (const [domain, { following, followers }] of await stores.blocklists.followsByDomain()) {
    // The closest suspension covering this domain cuts its follows.
    const change = domainAndParents(domain).map((name) => suspending.get(name)).find(Boolean);
    if (change) {
      change.severs! += following + followers;
      total += following + followers;
    }
  }
  return total;
}

export function reportOf(parsed: ParsedBlocklist, changes: PlannedChange[], severed: number, dryRun: boolean): ImportReport {
  const count = (action: PlannedChange["action"]) => changes.filter((c) => c.action === action).length;
  const ordered = [...changes].filter((c) => c.action !== "unchanged").sort((a, b) => (b.severs ?? 0) - (a.severs ?? 0) || (a.domain < b.domain ? -1 : 1));
  return {
    format: parsed.format,
    dry_run: dryRun,
    counts: {
      entries: parsed.entries.length,
      create: count("create"),
      update: count("update"),
      unchanged: count("unchanged"),
      skipped: count("skipped"),
      invalid: parsed.invalidCount,
      obfuscated: parsed.obfuscated,
      duplicates: parsed.duplicates,
      not_blocked: parsed.notBlocked,
    },
    severed_follows: severed,
    changes: ordered.slice(0, MAX_DESCRIBED),
    changes_truncated: ordered.length > MAX_DESCRIBED,
    invalid: parsed.invalid,
  };
}

/** Reads `text` in `format` and applies it as the moderators' blocks (or only plans it: `dryRun`). */
export async function importBlocklist(
  stores: Stores,
  domainBlocks: DomainBlockService,
  actor: PolicyActor,
  input: { text: string; format: BlocklistFormat; dryRun: boolean },
): Promise<ImportReport> {
  const parsed = parseBlocklist(input.text, input.format);
  const { changes, operations } = plan(parsed, await domainBlocks.all(), `blocklist import (${input.format})`);
  const severed = await countSevered(stores, changes);
  if (!input.dryRun && operations.length > 0) await domainBlocks.applyBatch(actor, operations);
  return reportOf(parsed, changes, severed, input.dryRun);
}

/** The server's blocks in `format` (see serializeBlocklist for what each format carries). */
export async function exportBlocklist(domainBlocks: DomainBlockService, format: BlocklistFormat): Promise<SerializedBlocklist> {
  return serializeBlocklist(await domainBlocks.all(), format);
}
