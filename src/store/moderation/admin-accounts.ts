// Data access for the admin accounts API: accounts (local and remote) with their users, filtered
// in SQL and paged on accounts.id (the primary key, newest first), and the few writes a
// moderator's decision makes beyond the account and user rows themselves.
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { DB, UserRole } from "../../db/schema.ts";
import type { AccountRow } from "../accounts.ts";
import type { UserRow } from "../users.ts";
import type { AccountWarningRow } from "./audit-log.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export interface AdminAccountRow {
  account: AccountRow;
  /** null for remote accounts. */
  user: UserRow | null;
}

export type AccountStatusFilter = "active" | "pending" | "disabled" | "silenced" | "suspended" | "sensitized";

/** Mastodon's admin account filters, v1 and v2 alike (the HTTP layer maps each version's names). */
export interface AdminAccountFilter {
  origin?: "local" | "remote";
  /** Exact domain (remote accounts). */
  byDomain?: string;
  status?: AccountStatusFilter;
  /** Also sensitized (v1 allows it beside another status). */
  sensitized?: boolean;
  /** Moderators, admins and owners. */
  staff?: boolean;
  roles?: UserRole[];
  invitedBy?: string;
  /** Prefix of the username, case-insensitive. */
  username?: string;
  /** Substring of the display name, case-insensitive. */
  displayName?: string;
  /** Substring of the e-mail address, case-insensitive. */
  email?: string;
  /** An address the user signed up or last signed in from (exact). */
  ip?: string;
}

/** `value` as a LIKE pattern matching itself literally (with `escape '\'`). */
function literal(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

function like(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

export class AdminAccountStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async list(filter: AdminAccountFilter, page: PageRequest): Promise<AdminAccountRow[]> {
    let q = this.db.selectFrom("accounts").leftJoin("users", "users.account_id", "accounts.id").selectAll("accounts");
    if (filter.origin === "local") q = q.where("accounts.domain", "is", null);
    if (filter.origin === "remote") q = q.where("accounts.domain", "is not", null);
    if (filter.byDomain !== undefined) q = q.where("accounts.domain", "=", filter.byDomain);
    switch (filter.status) {
      case "active":
        q = q.where("accounts.suspended_at", "is", null);
        break;
      case "pending":
        q = q.where("users.approved", "=", 0);
        break;
      case "disabled":
        q = q.where("users.disabled", "=", 1);
        break;
      case "silenced":
        q = q.where("accounts.silenced_at", "is not", null);
        break;
      case "suspended":
        q = q.where("accounts.suspended_at", "is not", null);
        break;
      case "sensitized":
        q = q.where("accounts.sensitized_at", "is not", null);
        break;
    }
    if (filter.sensitized) q = q.where("accounts.sensitized_at", "is not", null);
    // Any role above the plain user's, custom roles included.
    if (filter.staff) q = q.where("users.role", "!=", "user");
    if (filter.roles) q = filter.roles.length ? q.where("users.role", "in", filter.roles) : q.where(sql<SqlBool>`1 = 0`);
    if (filter.invitedBy !== undefined) q = q.where("users.invited_by_account_id", "=", filter.invitedBy);
    if (filter.username) q = q.where(like("accounts.username", `${literal(filter.username)}%`));
    if (filter.displayName) q = q.where(like("accounts.display_name", `%${literal(filter.displayName)}%`));
    if (filter.email) q = q.where(like("users.email", `%${literal(filter.email)}%`));
    if (filter.ip) {
      const ip = filter.ip;
      q = q.where((eb) => eb.or([eb("users.sign_up_ip", "=", ip), eb("users.last_sign_in_ip", "=", ip)]));
    }
    const accounts = await paginate(q, "accounts.id", page);
    return this.withUsers(accounts);
  }

  async byId(accountId: string): Promise<AdminAccountRow | undefined> {
    const account = await this.db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
    return account ? (await this.withUsers([account]))[0] : undefined;
  }

  /** An account by its handle: a local username (domain null) or a remote user@domain, case-insensitively. */
  async byHandle(username: string, domain: string | null): Promise<AdminAccountRow | undefined> {
    let q = this.db.selectFrom("accounts").selectAll().where(sql`lower(username)`, "=", username.toLowerCase());
    q = domain === null ? q.where("domain", "is", null) : q.where(sql`lower(domain)`, "=", domain.toLowerCase());
    const account = await q.executeTakeFirst();
    return account ? (await this.withUsers([account]))[0] : undefined;
  }

  /** Removes a local account that never got past approval (its user, tokens and keys go with it). */
  async deleteLocal(accountId: string): Promise<void> {
    await this.db.deleteFrom("users").where("account_id", "=", accountId).execute();
    await this.db.deleteFrom("actor_keys").where("account_id", "=", accountId).execute();
    await this.db.deleteFrom("accounts").where("id", "=", accountId).where("domain", "is", null).execute();
  }

  /** Warnings among `ids` whose target is `accountId` (at most 100: a page of notifications). */
  warningsOf(accountId: string, ids: readonly string[]): Promise<AccountWarningRow[]> {
    const wanted = [...new Set(ids)].slice(0, 100);
    if (wanted.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("account_warnings").selectAll().where("target_account_id", "=", accountId).where("id", "in", wanted).execute();
  }

  private async withUsers(accounts: AccountRow[]): Promise<AdminAccountRow[]> {
    const local = accounts.filter((a) => a.domain === null).map((a) => a.id);
    const users = local.length ? await this.db.selectFrom("users").selectAll().where("account_id", "in", local).execute() : [];
    const byAccount = new Map(users.map((u) => [u.account_id, u]));
    return accounts.map((account) => ({ account, user: byAccount.get(account.id) ?? null }));
  }
}
