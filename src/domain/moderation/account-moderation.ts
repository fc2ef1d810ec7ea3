// What moderators do to accounts: Mastodon's admin account actions (warn, mark sensitive,
// disable, silence, suspend, and their reversals; approve or reject a sign-up; purge a suspended
// account; change a role), with the rules that bound them. The admin API and the command line
// both come here, so a rule holds however the action is taken.
//
// The states live on the rows every other part already reads: accounts.suspended_at (tokens stop
// working, sign-in is refused, the actor answers 410, its posts leave every listing through
// store/visibility-sql.ts), users.disabled (sign-in refused, data kept), accounts.silenced_at and
// accounts.sensitized_at (read where timelines and statuses are built).
import { getLogger } from "@logtape/logtape";
import type { Stores } from "../../store/stores.ts";
import type { AccountStatusFilter, AdminAccountFilter, AdminAccountRow } from "../../store/moderation/admin-accounts.ts";
import type { AccountWarningRow, AuditLogRow } from "../../store/moderation/audit-log.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { UserRole } from "../../db/schema.ts";
import type { EventBus } from "../events.ts";
import type { Outbox } from "../outbox.ts";
import type { JobPort } from "./domain-enforcement.ts";
import type { AuditLog } from "./audit-log.ts";
import type { ReportService } from "./report-service.ts";
import { isBuiltIn } from "./roles.ts";
import type { RoleBook } from "./role-book.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";

export type { AccountStatusFilter, AdminAccountFilter, AdminAccountRow };

const logger = getLogger(["skein", "moderation"]);

/** The mails moderators' actions send (implemented by domain/mail/email-service.ts). */
export interface ModerationMail {
  sendApproved(userId: string): Promise<void>;
  sendRejected(email: string, username: string): Promise<void>;
  sendWarning(userId: string, warning: { action: string; text: string }): Promise<void>;
}

/** Who acts: a moderator (their account and role), or the operator at the shell (role null: no rank limit). */
export interface Moderator {
  accountId: string | null;
  role: UserRole | null;
}

export const CLI_OPERATOR: Moderator = { accountId: null, role: null };

export const ACCOUNT_ACTIONS = ["none", "sensitive", "disable", "silence", "suspend"] as const;
export type AccountActionType = (typeof ACCOUNT_ACTIONS)[number];

export interface AccountActionInput {
  type: AccountActionType;
  reportId?: string | null;
  warningPresetId?: string | null;
  text?: string;
  /** Tell the account (a moderation_warning notification); Mastodon's default is true. */
  notify?: boolean;
}

/** The queue account purges go to (run beside deliveries, where the outbox federates). */
export const ACCOUNT_JOBS_QUEUE = "moderation:accounts";

interface PurgeAccountJob {
  kind: "purge_account";
  accountId: string;
}

export interface AuditEntryView {
  row: AuditLogRow;
  /** The moderator's account; null for the command line, automatic changes, or a moderator since removed. */
  actor: AccountRow | null;
}

const MAX_TEXT = 5000;

export class AccountModeration {
  private readonly stores: Stores;
  private readonly audit: AuditLog;
  private readonly reports: ReportService;
  private readonly events: EventBus | null;
  /** This server's domain: a handle naming it is a local account. */
  private readonly localDomain: string;
  /** The durable job queue, set where processes are assembled (server/context.ts); without one, DELETE is refused. */
  jobs: JobPort | null = null;
  /** The mails of these actions (domain/mail's EmailService), set in services.ts; null sends none. */
  mail: ModerationMail | null = null;
  private readonly outbox: Outbox | null;
  /** Roles in memory: custom roles' positions for the rank rule. */
  private readonly roles: RoleBook;

  constructor(stores: Stores, audit: AuditLog, reports: ReportService, ports: { events?: EventBus; outbox?: Outbox }, localDomain: string, roles: RoleBook) {
    this.roles = roles;
    this.outbox = ports.outbox ?? null;
    this.events = ports.events ?? null;
    this.stores = stores;
    this.audit = audit;
    this.reports = reports;
    this.localDomain = localDomain.toLowerCase();
  }

  list(filter: AdminAccountFilter, page: PageRequest): Promise<AdminAccountRow[]> {
    return this.stores.adminAccounts.list(filter, page);
  }

  async get(accountId: string): Promise<AdminAccountRow> {
    const row = await this.stores.adminAccounts.byId(accountId);
    if (!row) throw notFound();
    return row;
  }

  /** A local username ("alice", "@alice") or a remote handle ("bob@example.com"), for the command line. */
  async byHandle(handle: string): Promise<AdminAccountRow> {
    const match = /^@?([^@\s]+)(?:@([^@\s]+))?$/.exec(handle.trim());
    if (!match) throw validationFailed(`"${handle}" is not a username or user@domain`);
    const domain = match[2] && match[2].toLowerCase() !== this.localDomain ? match[2] : null;
    const row = await this.stores.adminAccounts.byHandle(match[1], domain);
    if (!row) throw notFound(`No account ${handle}`);
    return row;
  }

  /** POST /api/v1/admin/accounts/:id/action: one action, a warning to the account, the audit log, and the report it settles. */
  async act(moderator: Moderator, accountId: string, input: AccountActionInput): Promise<void> {
    if (!(ACCOUNT_ACTIONS as readonly string[]).includes(input.type)) throw validationFailed("Validation failed: Type is not included in the list");
    const target = await this.actionable(moderator, accountId);
    const { account, user } = target;
    // Mastodon offers remote accounts no warning and no disabling: neither would reach anyone.
    if (account.domain !== null && (input.type === "none" || input.type === "disable")) {
      throw validationFailed("Validation failed: Type is not included in the list");
    }
    // Skein keeps no warning presets, so an id names none (as Mastodon answers an unknown one).
    if (input.warningPresetId) throw notFound();
    const text = (input.text ?? "").slice(0, MAX_TEXT);
    // An unknown report is a 404 before anything changes.
    const report = input.reportId ? await this.reports.get(input.reportId) : null;
    const now = nowIso();
    const warningId = newId();
    await this.stores.transaction(async (tx) => {
      switch (input.type) {
        case "sensitive":
          await tx.accounts.update(account.id, { sensitized_at: now });
          break;
        case "silence":
          await tx.accounts.update(account.id, { silenced_at: now });
          break;
        case "suspend":
          await tx.accounts.update(account.id, { suspended_at: now, suspension_origin: "local" });
          break;
        case "disable":
          if (user) await tx.users.update(user.id, { disabled: 1 });
          break;
      }
      await tx.auditLog.insertWarning({
        id: warningId,
        account_id: moderator.accountId,
        target_account_id: account.id,
        action: input.type,
        text,
        report_id: report?.id ?? null,
        status_ids: report?.status_ids ?? "[]",
        created_at: now,
      });
      await this.audit.record({ actorId: moderator.accountId, action: input.type === "none" ? "warn" : input.type, targetType: "Account", targetId: account.id, humanIdentifier: handleOf(account), text }, tx);
    });
    if (report) await this.reports.markActionTaken(report.id, moderator.accountId);
    // A local account hears about it (a suspended one sees it when the suspension is lifted).
    if (account.domain === null && input.notify !== false) await this.notifyWarning(account.id, warningId, now);
    // send_email_notification: the warning also goes to the account's address (after the commit).
    if (account.domain === null && input.notify !== false && user) await this.mailAfter(() => this.mail?.sendWarning(user.id, { action: input.type, text }));
  }

  async approve(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    const after = await this.change(moderator, accountId, "approve", async (tx, { user }) => {
      if (!user || user.approved) throw forbidden("This account is not waiting for approval");
      await tx.users.update(user.id, { approved: 1 });
    });
    const user = after.user;
    if (user) await this.mailAfter(() => this.mail?.sendApproved(user.id));
    return after;
  }

  /** Refuses a pending sign-up: the account is deleted (its name is free again). */
  async reject(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    const before = await this.change(moderator, accountId, "reject", async (tx, { account, user }) => {
      if (!user || user.approved) throw forbidden("This account is not waiting for approval");
      await tx.adminAccounts.deleteLocal(account.id);
    });
    const { user, account } = before;
    if (user) await this.mailAfter(() => this.mail?.sendRejected(user.email, account.username));
    return before;
  }

  enable(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    return this.change(moderator, accountId, "enable", async (tx, { user }) => {
      if (!user) throw forbidden("Only local accounts can be enabled");
      await tx.users.update(user.id, { disabled: 0 });
    });
  }

  unsilence(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    return this.change(moderator, accountId, "unsilence", (tx, { account }) => tx.accounts.update(account.id, { silenced_at: null }));
  }

  unsensitive(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    return this.change(moderator, accountId, "unsensitive", (tx, { account }) => tx.accounts.update(account.id, { sensitized_at: null }));
  }

  unsuspend(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    return this.change(moderator, accountId, "unsuspend", async (tx, { account }) => {
      if (!account.suspended_at) throw forbidden("This account is not suspended");
      if (account.suspension_origin === "remote") throw forbidden("This account was deleted by its own server");
      // Every state is reversible until the purge: a purged account would come back empty.
      const purged = await tx.auditLog.list({ targetType: "Account", targetId: account.id, action: "destroy" }, { limit: 1 });
      if (purged.length) throw forbidden("This account's data has been deleted");
      await tx.accounts.update(account.id, { suspended_at: null, suspension_origin: null });
    });
  }

  /**
   * DELETE /api/v1/admin/accounts/:id: a suspended account's data is purged, by a durable job
   * (a restart mid-purge loses nothing; the purge itself can run again).
   */
  async purge(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    const target = await this.actionable(moderator, accountId);
    if (!target.account.suspended_at) throw forbidden("Only a suspended account can be deleted");
    if (!this.jobs) throw new Error("No job queue in this process: the purge was not queued");
    const job: PurgeAccountJob = { kind: "purge_account", accountId: target.account.id };
    await this.jobs.enqueue(ACCOUNT_JOBS_QUEUE, [job], { orderingKey: `purge-account:${target.account.id}` });
    await this.audit.record({ actorId: moderator.accountId, action: "destroy", targetType: "Account", targetId: target.account.id, humanIdentifier: handleOf(target.account) });
    return target;
  }

  /**
   * Runs one job of ACCOUNT_JOBS_QUEUE: unless the suspension was lifted meanwhile, a local
   * account's Delete goes to the servers that knew it (its followers' and followees' inboxes,
   * worked out now, before the follows go), then its data goes; the row stays, suspended, as
   * Mastodon keeps it, so the name is never reused. Malformed payloads are dropped.
   */
  async handleJob(payload: unknown): Promise<void> {
    const job = payload as Partial<PurgeAccountJob> | null;
    if (!job || job.kind !== "purge_account" || typeof job.accountId !== "string") return;
    const account = await this.stores.accounts.byId(job.accountId);
    if (!account?.suspended_at) return;
    if (account.domain === null) await this.outbox?.accountDeleted(account);
    await this.stores.accountPurge.purgeAccounts([account.id], { deleteAccountRows: false });
  }

  /** Gives a local user a built-in or custom role (the console, the command line; Mastodon's role editor is not part of the API). */
  async setRole(moderator: Moderator, accountId: string, role: UserRole): Promise<AdminAccountRow> {
    await this.roles.fresh();
    const info = this.roles.info(role);
    // An unknown custom role resolves to the user's entry: refuse it rather than give "user".
    if (!isBuiltIn(role) && info.key !== role) throw validationFailed(`Unknown role "${role}"`);
    // Nobody grants a role at or above their own.
    if (moderator.role !== null && !this.roles.outranks(moderator.role, role)) throw forbidden();
    const changed = await this.change(moderator, accountId, "change_role", async (tx, { user }) => {
      if (!user) throw validationFailed("Only local accounts have roles");
      await tx.users.update(user.id, { role });
    }, isBuiltIn(role) ? role : info.name);
    // Who holds a role shows on their profile (Account.roles): every process reloads.
    await this.roles.changed();
    return changed;
  }

  /** The warnings among `ids` addressed to `accountId` (its own, for its notifications), with that account. */
  async warningsOf(accountId: string, ids: readonly string[]): Promise<{ target: AccountRow; warnings: Map<string, AccountWarningRow> } | null> {
    const target = await this.stores.accounts.byId(accountId);
    if (!target) return null;
    const rows = await this.stores.adminAccounts.warningsOf(accountId, ids);
    return { target, warnings: new Map(rows.map((w) => [w.id, w])) };
  }

  /** GET /api/v1/admin/action_logs: newest first, with each moderator's account. */
  async auditEntries(page: PageRequest): Promise<AuditEntryView[]> {
    const rows = await this.audit.list({}, page);
    const ids = [...new Set(rows.map((r) => r.account_id).filter((id): id is string => id !== null))];
    const accounts = new Map((await this.stores.accounts.byIds(ids)).map((a) => [a.id, a]));
    return rows.map((row) => ({ row, actor: (row.account_id && accounts.get(row.account_id)) || null }));
  }

  /** The target, if it exists and the moderator outranks its role (nobody acts on their equal or better). */
  private async actionable(moderator: Moderator, accountId: string): Promise<AdminAccountRow> {
    const target = await this.stores.adminAccounts.byId(accountId);
    if (!target) throw notFound();
    await this.roles.fresh();
    if (moderator.role !== null && (moderator.accountId === target.account.id || !this.roles.outranks(moderator.role, target.user?.role ?? null))) {
      throw forbidden();
    }
    return target;
  }

  /** One reversible change, logged; returns the account as it is afterwards (as it was, when deleted). */
  private async change(
    moderator: Moderator,
    accountId: string,
    action: string,
    apply: (tx: Stores, target: AdminAccountRow) => Promise<void>,
    text = "",
  ): Promise<AdminAccountRow> {
    const target = await this.actionable(moderator, accountId);
    await this.stores.transaction(async (tx) => {
      await apply(tx, target);
      await this.audit.record({ actorId: moderator.accountId, action, targetType: "Account", targetId: target.account.id, humanIdentifier: handleOf(target.account), text }, tx);
    });
    return (await this.stores.adminAccounts.byId(accountId)) ?? target;
  }

  /** Queues a mail once the action is committed; a mail that cannot be queued does not undo the action. */
  private async mailAfter(queue: () => Promise<void> | undefined): Promise<void> {
    try {
      await queue();
    } catch (error) {
      logger.warn("Could not queue a moderation mail: {error}", { error });
    }
  }

  private async notifyWarning(accountId: string, warningId: string, at: string): Promise<void> {
    // Mastodon names the warned account itself as the notification's sender.
    const id = newId();
    const row = {
      id,
      account_id: accountId,
      from_account_id: accountId,
      type: "moderation_warning" as const,
      status_id: null,
      group_key: `ungrouped-${id}`,
      created_at: at,
      report_id: null,
      relationship_severance_event_id: null,
      account_warning_id: warningId,
    };
    await this.stores.notifications.insert(row);
    this.events?.publish({ type: "notification.created", notification: row });
  }
}

/** What the audit log calls an account: its handle, kept after the account is gone. */
function handleOf(account: AccountRow): string {
  return account.domain ? `${account.username}@${account.domain}` : account.username;
}
