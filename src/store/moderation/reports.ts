// Data access for reports: from local users (POST /api/v1/reports) and from other servers (Flag
// activities). Rows only; who may file, see or change a report is domain/moderation/report-service.ts.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { DB, ReportsTable, UserRole } from "../../db/schema.ts";
import type { UserRow } from "../users.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export type ReportRow = Selectable<ReportsTable>;

export interface ReportFilter {
  /** true: only resolved reports (action taken); false: only open ones. */
  resolved?: boolean;
  /** The reporter. */
  accountId?: string;
  targetAccountId?: string;
  /** Reports about accounts of this domain (lower case, as accounts store it). */
  targetDomain?: string;
}

export class ReportStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<ReportsTable>): Promise<void> {
    await this.db.insertInto("reports").values(row).execute();
  }

  byId(id: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom("reports").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byIds(ids: readonly string[]): Promise<ReportRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("reports").selectAll().where("id", "in", [...ids]).execute();
  }

  byUri(uri: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom("reports").selectAll().where("uri", "=", uri).executeTakeFirst();
  }

  async update(id: string, patch: Updateable<ReportsTable>): Promise<void> {
    await this.db.updateTable("reports").set(patch).where("id", "=", id).execute();
  }

  page(filter: ReportFilter, page: PageRequest): Promise<ReportRow[]> {
    let query = this.db.selectFrom("reports").selectAll();
    if (filter.resolved === true) query = query.where("action_taken_at", "is not", null);
    if (filter.resolved === false) query = query.where("action_taken_at", "is", null);
    if (filter.accountId) query = query.where("account_id", "=", filter.accountId);
    if (filter.targetAccountId) query = query.where("target_account_id", "=", filter.targetAccountId);
    if (filter.targetDomain) {
      const domain = filter.targetDomain;
      query = query.where("target_account_id", "in", (qb) => qb.selectFrom("accounts").select("accounts.id").where("accounts.domain", "=", domain));
    }
    return paginate(query, "id", page);
  }

  /** Open reports about an account (an action on the account resolves them). */
  openAbout(targetAccountId: string): Promise<ReportRow[]> {
    return this.db
      .selectFrom("reports")
      .selectAll()
      .where("target_account_id", "=", targetAccountId)
      .where("action_taken_at", "is", null)
      .orderBy("id", "desc")
      .limit(1000)
      .execute();
  }

  /** Local accounts that handle reports (by role), able to sign in: they are told of new reports. */
  async handlerAccountIds(roles: readonly UserRole[], limit = 1000): Promise<string[]> {
    const rows = await this.db
      .selectFrom("users")
      .innerJoin("accounts", "accounts.id", "users.account_id")
      .select("users.account_id")
      .where("users.role", "in", [...roles])
      .where("users.disabled", "=", 0)
      .where("accounts.suspended_at", "is", null)
      .orderBy("users.account_id")
      .limit(limit)
      .execute();
    return rows.map((r) => r.account_id);
  }

  /** The users behind these accounts (remote accounts have none), for the admin view of a report. */
  usersOfAccounts(accountIds: readonly string[]): Promise<UserRow[]> {
    if (accountIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("users").selectAll().where("account_id", "in", [...accountIds]).execute();
  }
}
