// Reports: filed by local users (POST /api/v1/reports), received from other servers (Flag), and
// worked through by moderators (the admin API). Every way in goes through here, so the same
// rules hold: what a report may name, who is told about it, what is forwarded where, and that
// each moderator's change lands in the audit log.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { ReportFilter, ReportRow } from "../../store/moderation/reports.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { ReportCategory } from "../../db/schema.ts";
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

  constructor(stores: Stores, audit: AuditLog, policy: DomainPolicy, outbox: Outbox | null, events: EventBus | null) {
    this.stores = stores;
    this.audit = audit;
    this.policy = policy;
    this.outbox = outbox;
    this.events = events;
  }

  /**
   * A moderator acted on the reported account with this report in hand (the account action's
   * report_id): the report counts as resolved by that action. `actorAccountId` null is the CLI.
   */
  async markActionTaken(reportId: string, actorAccountId: string | null): Promise<void> {
    const report = await this.get(reportId);
    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      await tx.reports.update(report.id, { action_taken_at: now, action_taken_by_account_id: actorAccountId, updated_at: now });
      await this.audit.record({ actorId: actorAccountId, action: "resolve", targetType: "Report", targetId: report.id, humanIdentifier: await this.handleOf(report.target_account_id, tx) }, tx);
    });
  }

  async get(id: string): Promise<ReportRow> {
    const report = await this.stores.reports.byId(id);
    if (!report) throw notFound();
    return report;
  }

  private async handleOf(accountId: string, stores: Stores = this.stores): Promise<string> {
    const account = await stores.accounts.byId(accountId);
    if (!account) return accountId;
    return account.domain ? `${account.username}@${account.domain}` : account.username;
  }
}
