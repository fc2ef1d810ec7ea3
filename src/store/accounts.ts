// Data access for accounts, local and remote.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import { sql } from "kysely";
import type { AccountsTable, DB } from "../db/schema.ts";

export type AccountRow = Selectable<AccountsTable>;

export class AccountStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<AccountsTable>): Promise<void> {
    await this.db.insertInto("accounts").values(row).execute();
  }

  async byId(id: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Case-insensitive, as usernames are; `domain` null means a local account. */
  async byUsername(username: string, domain: string | null): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom("accounts")
      .selectAll()
      .where(sql`lower(username)`, "=", username.toLowerCase())
      .where(sql`coalesce(lower(domain), '')`, "=", (domain ?? "").toLowerCase())
      .executeTakeFirst();
  }

  async update(id: string, changes: Updateable<AccountsTable>): Promise<void> {
    await this.db.updateTable("accounts").set(changes).where("id", "=", id).execute();
  }

  async countLocal(): Promise<number> {
    const row = await this.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("domain", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
