// Domain blocks and allows as moderators (the admin API, the CLI) and blocklist subscriptions
// change them. Each change is validated here, recorded in the audit log, published to the
// in-memory policy of every process, and handed to the listeners that carry it out (severing
// follows, purging a suspended server's data, …) — so every way in behaves the same.
import type { Stores } from "../../store/stores.ts";
import type { DomainAllowRow, DomainBlockRow } from "../../store/moderation/domain-blocks.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { DomainBlockSeverity } from "../../db/schema.ts";
import { DomainError, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { normalizeDomain } from "./domain-names.ts";
import { SEVERITY_RANK, type DomainPolicy } from "./domain-policy.ts";
import type { AuditEntry, AuditLog } from "./audit-log.ts";

export const SEVERITIES: readonly DomainBlockSeverity[] = ["noop", "silence", "suspend"];
const MAX_COMMENT = 1000;

export interface DomainBlockInput {
  domain?: string;
  severity?: string;
  reject_media?: boolean;
  reject_reports?: boolean;
  private_comment?: string | null;
  public_comment?: string | null;
  obfuscate?: boolean;
}

/** Who changes the policy: a moderator's account, or null for the CLI; a subscription names itself. */
export interface PolicyActor {
  accountId: string | null;
  subscriptionId?: string | null;
  /** Written to the audit log (e.g. which subscription and list made the change). */
  note?: string;
}

export interface DomainPolicyChange {
  domain: string;
  /** The block before and after (null: none). */
  before: DomainBlockRow | null;
  after: DomainBlockRow | null;
}

/** Told of every committed change, a batch's all at once (a 10,000-entry import is one call). */
export type DomainPolicyListener = (changes: readonly DomainPolicyChange[]) => void | Promise<void>;

/** One change of a batch (applyBatch); `note` says where it came from, for the audit log. */
export type DomainBlockOperation =
  | { kind: "create"; input: DomainBlockInput; subscriptionId: string | null; note?: string }
  /** `subscriptionId` moves the block to a subscription, or to the moderators (null); undefined keeps it. */
  | { kind: "update"; id: string; input: DomainBlockInput; subscriptionId?: string | null; note?: string }
  | { kind: "remove"; id: string; note?: string };

export interface DomainBlockBatchResult {
  created: DomainBlockRow[];
  updated: DomainBlockRow[];
  removed: DomainBlockRow[];
}

/** A new block that adds nothing to an existing one; Mastodon answers it with 422 and the existing block. */
export class ExistingDomainBlockError extends DomainError {
  readonly existing: DomainBlockRow;
  constructor(existing: DomainBlockRow, domain: string) {
    super("conflict", existing.domain === domain ? `Domain ${domain} is already blocked` : `You have already imposed stricter limits on ${existing.domain}`);
    this.existing = existing;
  }
}

export class DomainBlockService {
  private readonly stores: Stores;
  private readonly policy: DomainPolicy;
  private readonly audit: AuditLog;
  private readonly listeners = new Set<DomainPolicyListener>();
  private readonly allowRemovedListeners = new Set<(domain: string) => void | Promise<void>>();

  constructor(stores: Stores, policy: DomainPolicy, audit: AuditLog) {
    this.stores = stores;
    this.policy = policy;
    this.audit = audit;
  }

  /** Called after every committed change to a block (enforcement subscribes here). */
  onChange(listener: DomainPolicyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after an allow is removed (in allowlist mode, enforcement purges that server's data). */
  onAllowRemoved(listener: (domain: string) => void | Promise<void>): () => void {
    this.allowRemovedListeners.add(listener);
    return () => this.allowRemovedListeners.delete(listener);
  }

  list(page: PageRequest): Promise<DomainBlockRow[]> {
    return this.stores.domainBlocks.page(page);
  }

  all(): Promise<DomainBlockRow[]> {
    return this.stores.domainBlocks.all();
  }

  async get(id: string): Promise<DomainBlockRow> {
    const row = await this.stores.domainBlocks.byId(id);
    if (!row) throw notFound();
    return row;
  }

  async create(actor: PolicyActor, input: DomainBlockInput): Promise<DomainBlockRow> {
    if (input.domain === undefined) throw validationFailed("Domain can't be blank");
    const domain = normalizeDomain(input.domain);
    const fields = blockFields(input, { severity: "silence", reject_media: 0, reject_reports: 0, private_comment: "", public_comment: "", obfuscate: 0 });
    const covering = (await this.policy.fresh()).decide(domain).block;
    if (covering && (covering.domain === domain || !stricterThan(fields, covering))) throw new ExistingDomainBlockError(covering, domain);
    const now = nowIso();
    const row: DomainBlockRow = { id: newId(), domain, ...fields, subscription_id: actor.subscriptionId ?? null, created_at: now, updated_at: now };
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.insert(row);
      await this.audit.record(entryFor(actor, "create", "DomainBlock", row), tx);
    });
    await this.published({ domain, before: null, after: row });
    return row;
  }

  async update(actor: PolicyActor, id: string, input: DomainBlockInput): Promise<DomainBlockRow> {
    const before = await this.get(id);
    if (input.domain !== undefined && normalizeDomain(input.domain) !== before.domain) throw validationFailed("The domain of a block cannot be changed; remove it and block the other domain");
    const fields = blockFields(input, before);
    const after: DomainBlockRow = { ...before, ...fields, updated_at: nowIso() };
    if (sameBlock(before, after)) return before;
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.update(id, { ...fields, updated_at: after.updated_at });
      await this.audit.record(entryFor(actor, "update", "DomainBlock", after), tx);
    });
    await this.published({ domain: before.domain, before, after });
    return after;
  }

  async remove(actor: PolicyActor, id: string): Promise<DomainBlockRow> {
    const before = await this.get(id);
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.delete(id);
      await this.audit.record(entryFor(actor, "destroy", "DomainBlock", before), tx);
    });
    await this.published({ domain: before.domain, before, after: null });
    return before;
  }

  /**
   * Many changes in one transaction, with one policy reload (a blocklist of 10,000 entries
   * applied by an import or a subscription): the same fields and audit entries as create,
   * update and remove, the listeners told of each change after the commit. The caller has
   * planned the batch (blocklists/import.ts, merge.ts): a create names a domain without a block
   * whose parents' blocks, if any, are milder. `alsoInTransaction` writes the caller's own rows
   * (a subscription's entries and status) so that they commit or fail with the blocks.
   */
  async applyBatch(
    actor: PolicyActor,
    operations: readonly DomainBlockOperation[],
    alsoInTransaction?: (tx: Stores, result: DomainBlockBatchResult) => Promise<void>,
  ): Promise<DomainBlockBatchResult> {
    const existing = new Map((await this.stores.domainBlocks.all()).map((row) => [row.id, row]));
    const now = nowIso();
    const result: DomainBlockBatchResult = { created: [], updated: [], removed: [] };
    const changes: DomainPolicyChange[] = [];
    const audits: AuditEntry[] = [];
    const updates = new Map<string, { ids: string[]; changes: BlockFields & { subscription_id: string | null } }>();
    // The operation's source first (a subscription, an import), then the actor's own note (the command line, an approval).
    const noted = (note: string | undefined): PolicyActor => (note ? { ...actor, note: actor.note ? `${note}; ${actor.note}` : note } : actor);
    for (const op of operations) {
      if (op.kind === "create") {
        if (op.input.domain === undefined) throw validationFailed("Domain can't be blank");
        const domain = normalizeDomain(op.input.domain);
        const fields = blockFields(op.input, { severity: "silence", reject_media: 0, reject_reports: 0, private_comment: "", public_comment: "", obfuscate: 0 });
        const row: DomainBlockRow = { id: newId(), domain, ...fields, subscription_id: op.subscriptionId, created_at: now, updated_at: now };
        result.created.push(row);
        changes.push({ domain, before: null, after: row });
        audits.push(entryFor(noted(op.note), "create", "DomainBlock", row));
      } else if (op.kind === "update") {
        const before = existing.get(op.id);
        if (!before) throw notFound();
        const fields = blockFields(op.input, before);
        const after: DomainBlockRow = { ...before, ...fields, subscription_id: op.subscriptionId === undefined ? before.subscription_id : op.subscriptionId, updated_at: now };
        if (sameBlock(before, after) && before.subscription_id === after.subscription_id) continue;
        const changed = { ...fields, subscription_id: after.subscription_id };
        const key = JSON.stringify(changed);
        (updates.get(key) ?? updates.set(key, { ids: [], changes: changed }).get(key)!).ids.push(op.id);
        result.updated.push(after);
        changes.push({ domain: before.domain, before, after });
        audits.push(entryFor(noted(op.note), "update", "DomainBlock", after));
      } else {
        const before = existing.get(op.id);
        if (!before) throw notFound();
        result.removed.push(before);
        changes.push({ domain: before.domain, before, after: null });
        audits.push(entryFor(noted(op.note), "destroy", "DomainBlock", before));
      }
    }
    if (changes.length === 0 && !alsoInTransaction) return result;
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.deleteMany(result.removed.map((row) => row.id));
      await tx.domainBlocks.insertMany(result.created);
      // Updates grouped by what they set: a list usually sets the same few severities.
      for (const { ids, changes: set } of updates.values()) await tx.domainBlocks.updateMany(ids, { ...set, updated_at: now });
      await this.audit.recordMany(audits, tx);
      await alsoInTransaction?.(tx, result);
    });
    if (changes.length === 0) return result;
    await this.policy.changed();
    await this.notify(changes);
    return result;
  }

  allows(page: PageRequest): Promise<DomainAllowRow[]> {
    return this.stores.domainBlocks.allowsPage(page);
  }

  async getAllow(id: string): Promise<DomainAllowRow> {
    const row = await this.stores.domainBlocks.allowById(id);
    if (!row) throw notFound();
    return row;
  }

  /** Allows a domain; allowing one already allowed returns the existing entry (as Mastodon does). */
  async allow(actor: PolicyActor, input: string | undefined): Promise<DomainAllowRow> {
    if (input === undefined) throw validationFailed("Domain can't be blank");
    const domain = normalizeDomain(input);
    const existing = await this.stores.domainBlocks.allowByDomain(domain);
    if (existing) return existing;
    const row: DomainAllowRow = { id: newId(), domain, created_at: nowIso() };
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.insertAllow(row);
      await this.audit.record({ ...actorFields(actor), action: "create", targetType: "DomainAllow", targetId: row.id, humanIdentifier: domain }, tx);
    });
    await this.published(null);
    return row;
  }

  async removeAllow(actor: PolicyActor, id: string): Promise<DomainAllowRow> {
    const row = await this.getAllow(id);
    await this.stores.transaction(async (tx) => {
      await tx.domainBlocks.deleteAllow(id);
      await this.audit.record({ ...actorFields(actor), action: "destroy", targetType: "DomainAllow", targetId: row.id, humanIdentifier: row.domain }, tx);
    });
    await this.published(null);
    for (const listener of this.allowRemovedListeners) {
      try {
        await listener(row.domain);
      } catch {
        /* logged by the listener */
      }
    }
    return row;
  }

  private async published(change: DomainPolicyChange | null): Promise<void> {
    await this.policy.changed();
    if (!change) return;
    await this.notify([change]);
  }

  private async notify(changes: readonly DomainPolicyChange[]): Promise<void> {
    for (const listener of this.listeners) {
      // Enforcement runs in durable jobs the listeners enqueue; a failing listener must not
      // undo a change that is already stored and announced (and a crash between the two is
      // caught up by DomainEnforcement.reconcile).
      try {
        await listener(changes);
      } catch {
        /* logged by the listener */
      }
    }
  }
}

type BlockFields = Pick<DomainBlockRow, "severity" | "reject_media" | "reject_reports" | "private_comment" | "public_comment" | "obfuscate">;

function blockFields(input: DomainBlockInput, base: BlockFields): BlockFields {
  const severity = input.severity ?? base.severity;
  if (!SEVERITIES.includes(severity as DomainBlockSeverity)) throw validationFailed(`Severity must be one of ${SEVERITIES.join(", ")} (got "${severity}")`);
  const comment = (value: string | null | undefined, current: string, name: string) => {
    if (value === undefined) return current;
    const text = value ?? "";
    if (text.length > MAX_COMMENT) throw validationFailed(`${name} is too long (at most ${MAX_COMMENT} characters)`);
    return text;
  };
  return {
    severity: severity as DomainBlockSeverity,
    reject_media: input.reject_media === undefined ? base.reject_media : input.reject_media ? 1 : 0,
    reject_reports: input.reject_reports === undefined ? base.reject_reports : input.reject_reports ? 1 : 0,
    private_comment: comment(input.private_comment, base.private_comment, "Private comment"),
    public_comment: comment(input.public_comment, base.public_comment, "Public comment"),
    obfuscate: input.obfuscate === undefined ? base.obfuscate : input.obfuscate ? 1 : 0,
  };
}

/** Mastodon's rule: a block on a subdomain is worth having only if it is stricter than its parent's. */
export function stricterThan(block: BlockFields, other: BlockFields): boolean {
  if (block.severity === "suspend") return other.severity !== "suspend";
  if (SEVERITY_RANK[block.severity] < SEVERITY_RANK[other.severity]) return false;
  if (SEVERITY_RANK[block.severity] > SEVERITY_RANK[other.severity]) return true;
  return (block.reject_media > other.reject_media && block.reject_reports >= other.reject_reports) ||
    (block.reject_reports > other.reject_reports && block.reject_media >= other.reject_media);
}

function sameBlock(a: DomainBlockRow, b: DomainBlockRow): boolean {
  return a.severity === b.severity && a.reject_media === b.reject_media && a.reject_reports === b.reject_reports &&
    a.private_comment === b.private_comment && a.public_comment === b.public_comment && a.obfuscate === b.obfuscate;
}

function actorFields(actor: PolicyActor): { actorId: string | null; text?: string } {
  return { actorId: actor.accountId, text: actor.note };
}

function entryFor(actor: PolicyActor, action: string, targetType: string, row: DomainBlockRow) {
  const summary = `${row.severity}${row.reject_media ? ", reject media" : ""}${row.reject_reports ? ", reject reports" : ""}`;
  return { ...actorFields(actor), action, targetType, targetId: row.id, humanIdentifier: row.domain, text: actor.note ? `${summary} (${actor.note})` : summary };
}
