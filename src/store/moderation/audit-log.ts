// Data access for the audit log (admin_action_logs) and the warnings sent to accounts.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { AccountWarningsTable, AdminActionLogsTable, DB } from "../../db/schema.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export type AuditLogRow = Selectable<AdminActionLogsTable>;
export type AccountWarningRow = Selectable<AccountWarningsTable>;

export interface AuditLogFilter {
  accountId?: string;
  targetType?: string;
  targetId?: string;
  action?: string;
  /** Entries whose text holds this (a blocklist subscription names itself there); no wildcards. */
  textContains?: string;
}

export class AuditLogStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<AdminActionLogsTable>): Promise<void> {
    await this.db.insertInto("admin_action_logs").values(row).execute();
  }

  /** Many entries at once (a blocklist applied in one transaction); 9 columns × 1000 rows per INSERT. */
  async insertMany(rows: readonly Insertable<AdminActionLogsTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) await this.db.insertInto("admin_action_logs").values(rows.slice(i, i + 1000)).execute();
  }

  list(filter: AuditLogFilter, page: PageRequest): Promise<AuditLogRow[]> {
    let query = this.db.selectFrom("admin_action_logs").selectAll();
    if (filter.accountId) query = query.where("account_id", "=", filter.accountId);
    if (filter.targetType) query = query.where("target_type", "=", filter.targetType);
    if (filter.targetId) query = query.where("target_id", "=", filter.targetId);
    if (filter.action) query = query.where("action", "=", filter.action);
    if (filter.textContains) query = query.where("text", "like", `%${filter.textContains.replace(/[%_\\]/g, "")}%`);
    return paginate(query, "id", page);
  }

  async insertWarning(row: Insertable<AccountWarningsTable>): Promise<void> {
    await this.db.insertInto("account_warnings").values(row).execute();
  }

  warningById(id: string): Promise<AccountWarningRow | undefined> {
    return this.db.selectFrom("account_warnings").selectAll().where("id", "=", id).executeTakeFirst();
  }

  warningsFor(targetAccountId: string): Promise<AccountWarningRow[]> {
    return this.db.selectFrom("account_warnings").selectAll().where("target_account_id", "=", targetAccountId).orderBy("id", "desc").execute();
  }
}
