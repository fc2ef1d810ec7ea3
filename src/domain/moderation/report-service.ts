// Reports: filed by local users (POST /api/v1/reports), received from other servers (Flag), and
// worked through by moderators (the admin API). Every way in goes through here, so the same
// rules hold: what a report may name, who is told about it, what is forwarded where, and that
// each moderator's change lands in the audit log.
import type { RoleBook } from "./role-book.ts";
import { RuleService } from "../instance/rules.ts";
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { ReportFilter, ReportRow } from "../../store/moderation/reports.ts";
export type { ReportFilter, ReportRow };
import type { PageRequest } from "../../store/pagination.ts";
import type { ReportCategory, UserRole } from "../../db/schema.ts";
import type { UserRow } from "../../store/users.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { Outbox } from "../outbox.ts";
import type { EventBus } from "../events.ts";
import type { AuditLog } from "./audit-log.ts";
import type { DomainPolicy } from "./domain-policy.ts";
import { notFound, validationFailed } from "../errors.ts";
import { canSee } from "../statuses/visibility.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { normalizeDomain } from "./domain-names.ts";

export const REPORT_CATEGORIES: readonly ReportCategory[] = ["spam", "legal", "violation", "other"];
/** Mastodon's default limit for a report's comment. */
export const MAX_REPORT_COMMENT = 1000;
/** Bounds on what one report may name (Mastodon has none; a report naming thousands of posts helps nobody). */
export const MAX_REPORT_STATUSES = 100;
export const MAX_REPORT_RULES = 50;
export const MAX_FORWARD_DOMAINS = 20;
/** Roles whose users hold manage_reports (domain/moderation/roles.ts) and are told of new reports. */
/** Who handles reports without a role book (tests): the built-in staff roles. */
const REPORT_HANDLERS = ["moderator", "admin", "owner"] as const;

export interface ReportInput {
  targetAccountId: string;
  statusIds: string[];
  comment: string;
  category: string | undefined;
  ruleIds: string[];
  forward: boolean;
  /** null: the client did not say (the target's own server only, as Mastodon). */
  forwardToDomains: string[] | null;
}

/** What a Flag from another server names, already read from the activity. */
export interface IncomingFlag {
  uri: string | null;
  /** Stored accounts and statuses the Flag's `object` named (unknown URIs left out). */
  accounts: AccountRow[];
  statuses: StatusRow[];
  content: string;
}

export class ReportService {
  private readonly stores: Stores;
  private readonly audit: AuditLog;
  private readonly policy: DomainPolicy;
  private readonly outbox: Outbox | null;
  private readonly events: EventBus | null;
  private readonly origin: string;

  /** Roles in memory: admin.report goes to every role holding manage_reports, custom ones too. */
  private readonly roles: RoleBook | null;
  constructor(stores: Stores, audit: AuditLog, policy: DomainPolicy, origin: string, ports: { outbox?: Outbox; events?: EventBus; roles?: RoleBook }) {
    this.roles = ports.roles ?? null;
    this.stores = stores;
    this.audit = audit;
    this.policy = policy;
    this.origin = origin;
    this.outbox = ports.outbox ?? null;
    this.events = ports.events ?? null;
  }

  /**
   * A local user reports an account. Every named status must be the reported account's and one
   * the reporter can see (naming a post is not permission to quote it to moderators). With
   * `forward`, a report about another server's account goes to that server as a Flag from this
   * server's instance actor (the reporter stays anonymous), and to the servers of accounts the
   * reported posts replied to, when their domains are among `forwardToDomains`.
   */
  async create(reporter: AccountRow, input: ReportInput): Promise<{ report: ReportRow; target: AccountRow }> {
    const target = await this.stores.accounts.byId(input.targetAccountId);
    if (!target) throw notFound();
    if (input.comment.length > MAX_REPORT_COMMENT) throw validationFailed(`Validation failed: Comment is too long (maximum is ${MAX_REPORT_COMMENT} characters)`);
    const ruleIds = unique(input.ruleIds);
    if (ruleIds.length > MAX_REPORT_RULES) throw validationFailed(`Validation failed: at most ${MAX_REPORT_RULES} rules`);
    // Each id must name one of the server's rules in force (domain/instance/rules.ts).
    await new RuleService(this.stores).check(ruleIds);
    // Mastodon: naming rules makes the report a violation report, whatever category was given.
    const category = ruleIds.length > 0 ? "violation" : (input.category ?? "other");
    if (!REPORT_CATEGORIES.includes(category as ReportCategory)) throw validationFailed(`Validation failed: Category must be one of ${REPORT_CATEGORIES.join(", ")}`);
    const statuses = await this.reportableStatuses(reporter, target, input.statusIds);
    const forwardDomains = input.forward && target.domain !== null ? this.forwardDomains(target, input.forwardToDomains) : [];
    const inboxes = forwardDomains.length ? await this.forwardInboxes(target, statuses, forwardDomains) : [];

    const id = newId();
    const now = nowIso();
    const row: ReportRow = {
      id,
      account_id: reporter.id,
      target_account_id: target.id,
      status_ids: JSON.stringify(statuses.map((s) => s.id)),
      comment: input.comment,
      // The Flag's id when forwarded; other servers dedupe by it.
      uri: `${this.origin}/reports/${id}`,
      created_at: now,
      category: category as ReportCategory,
      rule_ids: JSON.stringify(ruleIds),
      forwarded: inboxes.length > 0 ? 1 : 0,
      assigned_account_id: null,
      action_taken_at: null,
      action_taken_by_account_id: null,
      updated_at: now,
    };
    const handlers = await this.handlerRoles();
    const notifications = await this.stores.transaction(async (tx) => {
      await tx.reports.insert(row);
      return this.notifyHandlers(row, tx, handlers);
    });
    this.announce(notifications);
    if (inboxes.length > 0 && this.outbox) await this.outbox.reportForwarded(row, target, statuses, inboxes);
    return { report: row, target };
  }

  /**
   * A Flag from another server. Its actor (usually that server's instance actor) becomes the
   * reporter; each account it names that we can act on becomes the target of one report, with
   * the named posts that are that account's. Accounts of this server count, and accounts of
   * other servers whose named posts replied to ours (Mastodon forwards those to us, so we may
   * protect our users). Nothing is stored when this server rejects that domain's reports.
   */
  async receiveFlag(sender: AccountRow, flag: IncomingFlag): Promise<ReportRow[]> {
    if (sender.domain === null) return [];
    await this.policy.fresh();
    if (this.policy.decide(sender.domain).rejectReports) return [];
    const targets = new Map<string, AccountRow>();
    for (const account of flag.accounts) if (!account.suspended_at) targets.set(account.id, account);
    // A Flag naming only posts reports their local authors.
    for (const status of flag.statuses) {
      if (status.local && !targets.has(status.account_id)) {
        const author = await this.stores.accounts.byId(status.account_id);
        if (author && !author.suspended_at) targets.set(author.id, author);
      }
    }
    const created: ReportRow[] = [];
    const notifications: NotificationRow[] = [];
    for (const target of targets.values()) {
      const statuses = flag.statuses.filter((s) => s.account_id === target.id).slice(0, MAX_REPORT_STATUSES);
      if (target.domain !== null && !(await this.repliesToLocal(statuses))) continue;
      if (flag.uri && (await this.stores.reports.byUri(flag.uri))?.target_account_id === target.id) continue;
      const now = nowIso();
      const row: ReportRow = {
        id: newId(),
        account_id: sender.id,
        target_account_id: target.id,
        status_ids: JSON.stringify(statuses.map((s) => s.id)),
        comment: flag.content.slice(0, MAX_REMOTE_COMMENT),
        uri: flag.uri,
        created_at: now,
        category: "other",
        rule_ids: "[]",
        forwarded: 0,
        assigned_account_id: null,
        action_taken_at: null,
        action_taken_by_account_id: null,
        updated_at: now,
      };
      const handlers = await this.handlerRoles();
      notifications.push(
        ...(await this.stores.transaction(async (tx) => {
          await tx.reports.insert(row);
          return this.notifyHandlers(row, tx, handlers);
        })),
      );
      created.push(row);
    }
    this.announce(notifications);
    return created;
  }

  // ---- The moderators' side (the admin API) ----

  async get(id: string): Promise<ReportRow> {
    const report = await this.stores.reports.byId(id);
    if (!report) throw notFound();
    return report;
  }

  list(filter: ReportFilter, page: PageRequest): Promise<ReportRow[]> {
    return this.stores.reports.page(filter, page);
  }

  /** PUT /api/v1/admin/reports/:id: a moderator reclassifies the report. */
  async update(actorId: string, id: string, changes: { category?: string; ruleIds?: string[] }): Promise<ReportRow> {
    const report = await this.get(id);
    const ruleIds = changes.ruleIds === undefined ? null : unique(changes.ruleIds);
    if (ruleIds) await new RuleService(this.stores).check(ruleIds);
    const category = changes.category ?? report.category;
    if (!REPORT_CATEGORIES.includes(category as ReportCategory)) throw validationFailed(`Validation failed: Category must be one of ${REPORT_CATEGORIES.join(", ")}`);
    const rules = category === "violation" ? (ruleIds ?? (JSON.parse(report.rule_ids) as string[])) : [];
    return this.change(report, actorId, "update", { category: category as ReportCategory, rule_ids: JSON.stringify(rules) });
  }

  assignToSelf(actorId: string, id: string): Promise<ReportRow> {
    return this.get(id).then((report) => this.change(report, actorId, "assigned_to_self", { assigned_account_id: actorId }));
  }

  unassign(actorId: string, id: string): Promise<ReportRow> {
    return this.get(id).then((report) => this.change(report, actorId, "unassigned", { assigned_account_id: null }));
  }

  resolve(actorId: string, id: string): Promise<ReportRow> {
    return this.get(id).then((report) => this.change(report, actorId, "resolve", { action_taken_at: nowIso(), action_taken_by_account_id: actorId }));
  }

  reopen(actorId: string, id: string): Promise<ReportRow> {
    return this.get(id).then((report) => this.change(report, actorId, "reopen", { action_taken_at: null, action_taken_by_account_id: null }));
  }

  /**
   * A moderator acted on the reported account with this report in hand (the account action's
   * report_id): the report counts as resolved by that action. `actorAccountId` null is the CLI.
   */
  async markActionTaken(reportId: string, actorAccountId: string | null): Promise<void> {
    const report = await this.get(reportId);
    await this.change(report, actorAccountId, "resolve", { action_taken_at: nowIso(), action_taken_by_account_id: actorAccountId });
  }

  /** Reports with their target accounts (what an admin.report notification shows), by report id. */
  async withTargets(ids: readonly string[]): Promise<Map<string, { report: ReportRow; target: AccountRow }>> {
    const reports = await this.stores.reports.byIds(unique(ids));
    const targets = new Map((await this.stores.accounts.byIds(unique(reports.map((r) => r.target_account_id)))).map((a) => [a.id, a]));
    const out = new Map<string, { report: ReportRow; target: AccountRow }>();
    for (const report of reports) {
      const target = targets.get(report.target_account_id);
      if (target) out.set(report.id, { report, target });
    }
    return out;
  }

  /** Everything the admin view of these reports shows: accounts, their users, the named posts. */
  async details(reports: readonly ReportRow[]): Promise<ReportDetails> {
    const accountIds = new Set<string>();
    const statusIds = new Set<string>();
    for (const r of reports) {
      for (const id of [r.account_id, r.target_account_id, r.assigned_account_id, r.action_taken_by_account_id]) if (id) accountIds.add(id);
      for (const id of statusIdsOf(r)) statusIds.add(id);
    }
    const [accounts, users, statuses] = await Promise.all([
      this.stores.accounts.byIds([...accountIds]),
      this.stores.reports.usersOfAccounts([...accountIds]),
      this.stores.statuses.byIds([...statusIds]),
    ]);
    return {
      accounts: new Map(accounts.map((a) => [a.id, a])),
      users: new Map(users.map((u) => [u.account_id, u])),
      statuses: new Map(statuses.map((s) => [s.id, s])),
    };
  }

  // ---- Rules ----

  private async change(report: ReportRow, actorId: string | null, action: string, patch: Partial<ReportRow>): Promise<ReportRow> {
    const updated: ReportRow = { ...report, ...patch, updated_at: nowIso() };
    await this.stores.transaction(async (tx) => {
      await tx.reports.update(report.id, { ...patch, updated_at: updated.updated_at });
      await this.audit.record({ actorId, action, targetType: "Report", targetId: report.id, humanIdentifier: await this.handleOf(report.target_account_id, tx) }, tx);
    });
    return updated;
  }

  /** The named statuses, each the target's and visible to the reporter; 422 otherwise. */
  private async reportableStatuses(reporter: AccountRow, target: AccountRow, ids: readonly string[]): Promise<StatusRow[]> {
    const wanted = unique(ids);
    if (wanted.length > MAX_REPORT_STATUSES) throw validationFailed(`Validation failed: at most ${MAX_REPORT_STATUSES} statuses per report`);
    const rows = new Map((await this.stores.statuses.byIds(wanted)).map((s) => [s.id, s]));
    const out: StatusRow[] = [];
    for (const id of wanted) {
      const status = rows.get(id);
      if (!status || status.account_id !== target.id || status.reblog_of_id || !(await canSee(this.stores, reporter.id, status))) {
        throw validationFailed(`Validation failed: Status ${id} is not a post of the reported account that you can see`);
      }
      out.push(status);
    }
    return out;
  }

  /** Mastodon: without forward_to_domains, the target's own server; with it, only the domains named. */
  private forwardDomains(target: AccountRow, requested: string[] | null): string[] {
    if (requested === null) return [hostName(target.domain!)];
    if (requested.length > MAX_FORWARD_DOMAINS) throw validationFailed(`Validation failed: at most ${MAX_FORWARD_DOMAINS} forward_to_domains`);
    return unique(requested.map((d) => normalizeDomain(d)));
  }

  /** Inboxes for the Flag: the target's server's (shared inbox preferred), and those of replied-to accounts' servers. */
  private async forwardInboxes(target: AccountRow, statuses: readonly StatusRow[], domains: readonly string[]): Promise<string[]> {
    const inboxes = new Set<string>();
    const targetInboxes = [target.shared_inbox_url, target.inbox_url].filter((i): i is string => i !== null);
    if (domains.includes(hostName(target.domain!)) && targetInboxes.length) inboxes.add(targetInboxes[0]);
    const repliedTo = unique(statuses.map((s) => s.in_reply_to_account_id).filter((id): id is string => id !== null));
    for (const account of await this.stores.accounts.byIds(repliedTo)) {
      if (account.domain === null || !domains.includes(hostName(account.domain))) continue;
      const inbox = account.shared_inbox_url ?? account.inbox_url;
      if (inbox && !targetInboxes.includes(inbox)) inboxes.add(inbox);
    }
    return [...inboxes];
  }

  private async repliesToLocal(statuses: readonly StatusRow[]): Promise<boolean> {
    const ids = unique(statuses.map((s) => s.in_reply_to_account_id).filter((id): id is string => id !== null));
    return (await this.stores.accounts.byIds(ids)).some((a) => a.domain === null);
  }

  /**
   * The roles that handle reports. Asked before the report's transaction opens, never inside it:
   * bringing the roles up to date reads the settings outside the transaction, and on SQLite (one
   * connection) a read waiting behind its own open transaction never runs — every request after it
   * would wait too.
   */
  private async handlerRoles(): Promise<readonly UserRole[]> {
    return this.roles ? (await this.roles.fresh()).holding("manage_reports") : REPORT_HANDLERS;
  }

  /** admin.report to every local account whose role (`handlers`) handles reports (but the reporter), in the report's transaction. */
  private async notifyHandlers(report: ReportRow, tx: Stores, handlers: readonly UserRole[]): Promise<NotificationRow[]> {
    const out: NotificationRow[] = [];
    for (const accountId of await tx.reports.handlerAccountIds(handlers)) {
      if (accountId === report.account_id) continue;
      const id = newId();
      // Not subject to the recipient's notification policy: moderators see every report.
      const row = {
        id, account_id: accountId, from_account_id: report.account_id, type: "admin.report", status_id: null,
        group_key: `ungrouped-${id}`, created_at: report.created_at, report_id: report.id, relationship_severance_event_id: null, account_warning_id: null,
      } as NotificationRow;
      await tx.notifications.insert(row);
      out.push(row);
    }
    return out;
  }

  /** Streaming hears of notifications once they are committed. */
  private announce(notifications: readonly NotificationRow[]): void {
    for (const notification of notifications) this.events?.publish({ type: "notification.created", notification });
  }

  private async handleOf(accountId: string, stores: Stores = this.stores): Promise<string> {
    const account = await stores.accounts.byId(accountId);
    if (!account) return accountId;
    return account.domain ? `${account.username}@${account.domain}` : account.username;
  }
}

export interface ReportDetails {
  accounts: Map<string, AccountRow>;
  /** Local accounts' users, by account id. */
  users: Map<string, UserRow>;
  statuses: Map<string, StatusRow>;
}

/** A remote comment is kept whole up to this (a local one is refused past MAX_REPORT_COMMENT). */
const MAX_REMOTE_COMMENT = 10_000;

export function statusIdsOf(report: Pick<ReportRow, "status_ids">): string[] {
  return parseIdList(report.status_ids);
}

export function ruleIdsOf(report: Pick<ReportRow, "rule_ids">): string[] {
  return parseIdList(report.rule_ids);
}

function parseIdList(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** An account's domain as a host name (accounts keep a port when the actor's URL has one). */
function hostName(domain: string): string {
  return domain.toLowerCase().replace(/:\d+$/, "");
}
