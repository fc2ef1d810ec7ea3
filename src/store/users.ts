// Data access for local users: the sign-in side of a local account.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import { sql } from "kysely";
import type { DB, UsersTable } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";

export type UserRow = Selectable<UsersTable>;

export interface UserWithAccount {
  user: UserRow;
  account: AccountRow;
}

export class UserStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<UsersTable>): Promise<void> {
    await this.db.insertInto("users").values(row).execute();
  }

  async byId(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where(sql`lower(email)`, "=", email.toLowerCase()).executeTakeFirst();
  }

  async byUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom("users")
      .innerJoin("accounts", "accounts.id", "users.account_id")
      .selectAll("users")
      .where(sql`lower(accounts.username)`, "=", username.toLowerCase())
      .where("accounts.domain", "is", null)
      .executeTakeFirst();
  }

  async update(id: string, changes: Updateable<UsersTable>): Promise<void> {
    await this.db.updateTable("users").set(changes).where("id", "=", id).execute();
  }

  /** Every local user with their account, oldest first (for the admin CLI). */
  async listWithAccounts(): Promise<UserWithAccount[]> {
    const users = await this.db.selectFrom("users").selectAll().orderBy("id").execute();
    const accounts = users.length
      ? await this.db.selectFrom("accounts").selectAll().where("id", "in", users.map((u) => u.account_id)).execute()
      : [];
    const byId = new Map(accounts.map((a) => [a.id, a]));
    return users.map((user) => ({ user, account: byId.get(user.account_id)! }));
  }

  /** The oldest admin's account: the server's public contact. */
  async firstAdminAccount(): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom("users")
      .innerJoin("accounts", "accounts.id", "users.account_id")
      .selectAll("accounts")
      .where("users.role", "=", "admin")
      .orderBy("users.id")
      .limit(1)
      .executeTakeFirst();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
