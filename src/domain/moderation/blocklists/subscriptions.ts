// Blocklists as moderators use them: import and export by hand, and subscriptions — lists at a
// URL fetched daily (and on demand), merged by priority into the server's domain blocks
// (merge.ts), every change made through the domain block service with its source named, so
// each one is in the audit log and can be undone.
//
// A refresh that fails changes nothing: a list that cannot be fetched, is too large or too
// slow, does not parse, is mostly not entries, or is suddenly empty only sets last_error. The
// entries of the last good fetch stay and go on counting.
import type { Config } from "../../../config/config.ts";
import type { Stores } from "../../../store/stores.ts";
import type { BlocklistDraftRow, BlocklistSubscriptionRow } from "../../../store/moderation/blocklists.ts";
import type { BlocklistFormat, DomainBlockSeverity } from "../../../db/schema.ts";
import { DomainError, notFound, validationFailed } from "../../errors.ts";
import { newId } from "../../../util/ids.ts";
import { nowIso } from "../../../util/time.ts";
import { normalizeDomain } from "../domain-names.ts";
import { SEVERITIES, type DomainBlockService, type PolicyActor } from "../domain-block-service.ts";
import { parseBlocklist, parseFormat, type BlocklistEntry, type SerializedBlocklist } from "./formats.ts";
import { exportBlocklist, importBlocklist, type ImportReport } from "./import.ts";
import { merge, type MergeInput, type MergeResult } from "./merge.ts";

/** A subscription as the service gives it to its callers (the console's pages among them). */
export type { BlocklistSubscriptionRow };
import type { BlocklistSource } from "./fetch.ts";

const MAX_URL = 2048;
const MAX_EXCLUDES = 1000;
const MAX_SUBSCRIPTIONS = 100;

export interface SubscriptionInput {
  url?: string;
  format?: string;
  priority?: number;
  create_as_drafts?: boolean;
  adopt_existing?: boolean;
  remove_retracted?: boolean;
  apply_silence?: boolean;
  max_severity?: string;
  /** Domains (any spelling); replaces the list. */
  excludes?: readonly string[];
  enabled?: boolean;
}

export interface RefreshOutcome {
  subscription: BlocklistSubscriptionRow;
  /** "updated": fetched and merged; "not_modified": 304; "failed": see subscription.last_error. */
  result: "updated" | "not_modified" | "failed";
  changes: number;
}

export class BlocklistService {
  private readonly stores: Stores;
  private readonly config: Pick<Config, "environment" | "blocklists">;
  private readonly domainBlocks: DomainBlockService;
  private readonly source: BlocklistSource;
  /** Merges read everything and then write: one at a time in this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(stores: Stores, config: Pick<Config, "environment" | "blocklists">, domainBlocks: DomainBlockService, source: BlocklistSource) {
    this.stores = stores;
    this.config = config;
    this.domainBlocks = domainBlocks;
    this.source = source;
  }

  // ---- import and export by hand

  importList(actor: PolicyActor, input: { text: string; format: string | undefined; dryRun: boolean }): Promise<ImportReport> {
    const format = parseFormat(input.format);
    return this.serialized(() => importBlocklist(this.stores, this.domainBlocks, actor, { text: input.text, format, dryRun: input.dryRun }));
  }

  exportList(format: string | undefined): Promise<SerializedBlocklist> {
    return exportBlocklist(this.domainBlocks, parseFormat(format ?? "csv"));
  }

  // ---- subscriptions

  subscriptions(): Promise<BlocklistSubscriptionRow[]> {
    return this.stores.blocklists.subscriptions();
  }

  async get(id: string): Promise<BlocklistSubscriptionRow> {
    const row = /^\d{1,19}$/.test(id) ? await this.stores.blocklists.subscriptionById(id) : undefined;
    if (!row) throw notFound("Blocklist subscription not found");
    return row;
  }

  /** Adds a subscription and fetches it once now (its status tells how that went). */
  async subscribe(actor: PolicyActor, input: SubscriptionInput): Promise<RefreshOutcome> {
    const url = this.checkUrl(input.url);
    const format = parseFormat(input.format);
    if (await this.stores.blocklists.subscriptionByUrl(url)) throw new DomainError("conflict", `Already subscribed to ${url}`);
    if ((await this.stores.blocklists.subscriptions()).length >= MAX_SUBSCRIPTIONS) throw validationFailed(`At most ${MAX_SUBSCRIPTIONS} blocklist subscriptions`);
    const now = nowIso();
    const row: BlocklistSubscriptionRow = {
      id: newId(),
      url,
      format,
      ...options(input, { priority: 0, create_as_drafts: 0, adopt_existing: 0, remove_retracted: 0, apply_silence: 0, max_severity: "suspend", excludes: "", enabled: 1 }),
      etag: null,
      last_modified: null,
      last_fetched_at: null,
      last_success_at: null,
      last_error: null,
      entries_count: 0,
      changes_applied: 0,
      created_at: now,
      updated_at: now,
    };
    await this.stores.blocklists.insertSubscription(row);
    await this.stores.auditLog.insert({ id: newId(), account_id: actor.accountId, action: "create", target_type: "BlocklistSubscription", target_id: row.id, human_identifier: url, text: describeOptions(row), created_at: now });
    return this.refresh(row.id);
  }

  /** Changes a subscription's options; the lists are merged again at once (no fetch), so an edit can undo what the list did. */
  async update(actor: PolicyActor, id: string, input: SubscriptionInput): Promise<BlocklistSubscriptionRow> {
    const before = await this.get(id);
    if (input.url !== undefined && this.checkUrl(input.url) !== before.url) throw validationFailed("The URL of a subscription cannot be changed; subscribe to the other URL");
    const format = input.format === undefined ? before.format : parseFormat(input.format);
    const changes = { format, ...options(input, before), updated_at: nowIso() };
    return this.serialized(async () => {
      await this.stores.transaction(async (tx) => {
        await tx.blocklists.updateSubscription(id, changes);
        await tx.auditLog.insert({ id: newId(), account_id: actor.accountId, action: "update", target_type: "BlocklistSubscription", target_id: id, human_identifier: before.url, text: describeOptions({ ...before, ...changes }), created_at: changes.updated_at });
      });
      // A new format means the stored entries were read another way: fetch again, unconditionally.
      if (format !== before.format) await this.stores.blocklists.updateSubscription(id, { etag: null, last_modified: null });
      await this.apply(actor, {});
      return this.get(id);
    });
  }

  /** Removes a subscription: with `undo` what it created goes (adopted blocks go back to the moderators); without, its blocks stay as the moderators'. */
  async unsubscribe(actor: PolicyActor, id: string, undo: boolean): Promise<{ subscription: BlocklistSubscriptionRow; changes: number }> {
    const sub = await this.get(id);
    return this.serialized(async () => {
      const result = await this.apply(actor, { removing: { id, undo } }, async (tx) => {
        await tx.blocklists.deleteSubscription(id);
        await tx.auditLog.insert({ id: newId(), account_id: actor.accountId, action: "destroy", target_type: "BlocklistSubscription", target_id: id, human_identifier: sub.url, text: undo ? "unsubscribed, undoing its blocks" : "unsubscribed, its blocks kept", created_at: nowIso() });
      });
      return { subscription: sub, changes: result.operations.length };
    });
  }

  /** Fetches one list now and merges it. Never throws for the list's own faults: they are its status. */
  async refresh(id: string): Promise<RefreshOutcome> {
    const sub = await this.get(id);
    const fetchedAt = nowIso();
    await this.stores.blocklists.updateSubscription(id, { last_fetched_at: fetchedAt });
    return this.fetchAndMerge(sub, fetchedAt);
  }

  /** The scheduler's sweep: every enabled list not fetched for the refresh interval; each claimed by one process. */
  async refreshDue(): Promise<number> {
    const before = new Date(Date.now() - this.config.blocklists.refreshIntervalSeconds * 1000).toISOString();
    let handled = 0;
    for (const sub of await this.stores.blocklists.due(before)) {
      const now = nowIso();
      if (!(await this.stores.blocklists.claimFetch(sub.id, sub.last_fetched_at, now))) continue;
      await this.fetchAndMerge(sub, now);
      handled++;
    }
    return handled;
  }

  /**
   * What the list changed lately among the domain blocks (from the audit log, where each change
   * names its list): newest first, grouped by when they were made — one fetch, edit or
   * approval is one batch with one time.
   */
  async recentChanges(id: string, limit = 100): Promise<{ at: string; changes: { action: string; domain: string; detail: string }[] }[]> {
    const sub = await this.get(id);
    const rows = await this.stores.auditLog.list({ targetType: "DomainBlock", textContains: `blocklist subscription ${sub.id} (` }, { maxId: null, minId: null, sinceId: null, limit });
    const batches: { at: string; changes: { action: string; domain: string; detail: string }[] }[] = [];
    for (const row of rows) {
      let batch = batches.at(-1);
      if (!batch || batch.at !== row.created_at) batches.push((batch = { at: row.created_at, changes: [] }));
      batch.changes.push({ action: row.action, domain: row.human_identifier, detail: row.text });
    }
    return batches;
  }

  /**
   * Undoes what the list did to `domain`: the domain joins the list's excludes and the lists are
   * merged again, so the list's block of it goes (an adopted one goes back to the moderators)
   * and later fetches leave it alone.
   */
  async exclude(actor: PolicyActor, id: string, domainInput: string): Promise<BlocklistSubscriptionRow> {
    const sub = await this.get(id);
    const domain = normalizeDomain(domainInput);
    const excludes = sub.excludes ? sub.excludes.split("\n") : [];
    if (excludes.includes(domain)) return sub;
    return this.update(actor, id, { excludes: [...excludes, domain] });
  }

  // ---- drafts

  drafts(): Promise<BlocklistDraftRow[]> {
    return this.stores.blocklists.drafts();
  }

  /** Makes the change a draft proposes (as the list's, recorded with the approving moderator). */
  async approve(actor: PolicyActor, draftId: string): Promise<BlocklistDraftRow> {
    const draft = await this.draft(draftId);
    if (draft.status !== "pending") throw validationFailed("This draft was rejected; it comes back if the list changes the entry");
    return this.serialized(async () => {
      await this.apply({ ...actor, note: `draft ${draft.id} approved` }, { approved: new Set([draft.domain]) });
      return draft;
    });
  }

  /** Rejects a draft: it stays rejected (and is not proposed again) until its list changes the entry. */
  async reject(actor: PolicyActor, draftId: string): Promise<BlocklistDraftRow> {
    const draft = await this.draft(draftId);
    await this.stores.transaction(async (tx) => {
      await tx.blocklists.setDraftStatus(draft.id, "rejected");
      await tx.auditLog.insert({ id: newId(), account_id: actor.accountId, action: "reject", target_type: "BlocklistDraft", target_id: draft.id, human_identifier: draft.domain, text: `${draft.action} ${draft.severity}`, created_at: nowIso() });
    });
    return { ...draft, status: "rejected" };
  }

  private async draft(id: string): Promise<BlocklistDraftRow> {
    const row = /^\d{1,19}$/.test(id) ? await this.stores.blocklists.draftById(id) : undefined;
    if (!row) throw notFound("Draft not found");
    return row;
  }

  // ---- the work

  private async fetchAndMerge(sub: BlocklistSubscriptionRow, fetchedAt: string): Promise<RefreshOutcome> {
    const failed = async (message: string): Promise<RefreshOutcome> => {
      await this.stores.blocklists.updateSubscription(sub.id, { last_fetched_at: fetchedAt, last_error: message.slice(0, 1000) });
      return { subscription: await this.get(sub.id), result: "failed", changes: 0 };
    };
    let fetched;
    try {
      fetched = await this.source.fetch(sub.url, sub.format, { etag: sub.etag, lastModified: sub.last_modified });
    } catch (error) {
      return failed((error as Error).message);
    }
    if (fetched.notModified) {
      await this.stores.blocklists.updateSubscription(sub.id, { last_fetched_at: fetchedAt, last_success_at: nowIso(), last_error: null, changes_applied: 0 });
      return { subscription: await this.get(sub.id), result: "not_modified", changes: 0 };
    }
    let entries: BlocklistEntry[];
    try {
      const parsed = parseBlocklist(fetched.text, sub.format);
      entries = parsed.entries;
      if (parsed.invalidCount > entries.length) {
        return failed(`most of the list is not ${sub.format} entries (${parsed.invalidCount} invalid, ${entries.length} valid; first: line ${parsed.invalid[0].line}: ${parsed.invalid[0].reason}); is the format right?`);
      }
      if (entries.length === 0 && sub.entries_count > 0) {
        return failed(`the list is empty now (it had ${sub.entries_count} entries); nothing was changed — unsubscribe to remove what it created`);
      }
    } catch (error) {
      return failed((error as Error).message);
    }
    try {
      const outcome = await this.serialized(() =>
        this.apply({ accountId: null, subscriptionId: sub.id }, { replacing: { id: sub.id, entries } }, async (tx, result) => {
          await tx.blocklists.replaceEntries(sub.id, entries.map((e) => ({
            subscription_id: sub.id, domain: e.domain, severity: e.severity, reject_media: e.reject_media ? 1 : 0, reject_reports: e.reject_reports ? 1 : 0, public_comment: e.public_comment, obfuscate: e.obfuscate ? 1 : 0,
          })));
          await tx.blocklists.updateSubscription(sub.id, {
            etag: fetched.etag,
            last_modified: fetched.lastModified,
            last_fetched_at: fetchedAt,
            last_success_at: nowIso(),
            last_error: null,
            entries_count: entries.length,
            changes_applied: result.changesBy.get(sub.id) ?? 0,
          });
        }),
      );
      return { subscription: await this.get(sub.id), result: "updated", changes: outcome.changesBy.get(sub.id) ?? 0 };
    } catch (error) {
      return failed(`the list could not be applied: ${(error as Error).message}`);
    }
  }

  /**
   * Merges every list with the blocks (merge.ts) and makes the changes in one batch, with the
   * drafts, adoptions and the caller's own rows (`also`) in the same transaction.
   */
  private async apply(
    actor: PolicyActor,
    options: { replacing?: { id: string; entries: BlocklistEntry[] }; removing?: MergeInput["removing"]; approved?: ReadonlySet<string> },
    also?: (tx: Stores, result: MergeResult) => Promise<void>,
  ): Promise<MergeResult> {
    const [subscriptions, entryRows, blocks, adoptions, drafts] = await Promise.all([
      this.stores.blocklists.subscriptions(),
      this.stores.blocklists.allEntries(),
      this.domainBlocks.all(),
      this.stores.blocklists.adoptions(),
      this.stores.blocklists.drafts(),
    ]);
    const entries = new Map<string, BlocklistEntry[]>();
    for (const row of entryRows) {
      const list = entries.get(row.subscription_id) ?? entries.set(row.subscription_id, []).get(row.subscription_id)!;
      list.push({ domain: row.domain, severity: row.severity, reject_media: row.reject_media === 1, reject_reports: row.reject_reports === 1, public_comment: row.public_comment, obfuscate: row.obfuscate === 1 });
    }
    if (options.replacing) entries.set(options.replacing.id, options.replacing.entries);
    const result = merge({
      subscriptions,
      entries,
      blocks,
      adopted: new Set(adoptions.map((a) => a.domain_block_id)),
      drafts,
      ties: this.config.blocklists.ties,
      removing: options.removing,
      approved: options.approved,
    });
    const now = nowIso();
    await this.domainBlocks.applyBatch(actor, result.operations, async (tx) => {
      await tx.blocklists.deleteAdoptions(result.release);
      await tx.blocklists.insertAdoptions(result.adopt.map((a) => ({ domain_block_id: a.blockId, subscription_id: a.subscriptionId, created_at: now })));
      await tx.blocklists.deleteDrafts(result.staleDrafts);
      await tx.blocklists.insertDrafts(result.newDrafts.map((d) => ({ id: newId(), ...d, status: "pending" as const, created_at: now })));
      await also?.(tx, result);
    });
    return result;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private checkUrl(input: string | undefined): string {
    if (!input?.trim()) throw validationFailed("URL can't be blank");
    const text = input.trim();
    if (text.length > MAX_URL) throw validationFailed(`URL is too long (at most ${MAX_URL} characters)`);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw validationFailed(`"${text.slice(0, 100)}" is not a URL`);
    }
    const plainHttp = url.protocol === "http:" && this.config.environment !== "production";
    if (url.protocol !== "https:" && !plainHttp) throw validationFailed("A blocklist is fetched over https (http only outside production)");
    if (url.username || url.password) throw validationFailed("A blocklist URL cannot hold a user name or password");
    url.hash = "";
    return url.toString();
  }
}

type OptionFields = Pick<BlocklistSubscriptionRow, "priority" | "create_as_drafts" | "adopt_existing" | "remove_retracted" | "apply_silence" | "max_severity" | "excludes" | "enabled">;

function options(input: SubscriptionInput, base: OptionFields): OptionFields {
  const flag = (value: boolean | undefined, current: 0 | 1): 0 | 1 => (value === undefined ? current : value ? 1 : 0);
  const priority = input.priority ?? base.priority;
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) throw validationFailed(`Priority must be a whole number from 0 to 255 (got ${input.priority})`);
  const maxSeverity = (input.max_severity ?? base.max_severity) as DomainBlockSeverity;
  if (!SEVERITIES.includes(maxSeverity)) throw validationFailed(`Maximum severity must be one of ${SEVERITIES.join(", ")} (got "${input.max_severity}")`);
  let excludes = base.excludes;
  if (input.excludes !== undefined) {
    if (input.excludes.length > MAX_EXCLUDES) throw validationFailed(`At most ${MAX_EXCLUDES} excluded domains`);
    excludes = [...new Set(input.excludes.map((d) => normalizeDomain(d)))].sort().join("\n");
  }
  return {
    priority,
    create_as_drafts: flag(input.create_as_drafts, base.create_as_drafts),
    adopt_existing: flag(input.adopt_existing, base.adopt_existing),
    remove_retracted: flag(input.remove_retracted, base.remove_retracted),
    apply_silence: flag(input.apply_silence, base.apply_silence),
    max_severity: maxSeverity,
    excludes,
    enabled: flag(input.enabled, base.enabled),
  };
}

function describeOptions(row: OptionFields & { format: BlocklistFormat }): string {
  const parts = [`${row.format}`, `priority ${row.priority}`, `max ${row.max_severity}`];
  if (row.apply_silence) parts.push("applies silence");
  if (row.create_as_drafts) parts.push("drafts");
  if (row.adopt_existing) parts.push("adopts existing");
  if (row.remove_retracted) parts.push("removes retracted");
  if (row.excludes) parts.push(`excludes ${row.excludes.split("\n").length}`);
  if (!row.enabled) parts.push("disabled");
  return parts.join(", ");
}
