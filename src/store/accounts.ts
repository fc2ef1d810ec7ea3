// Data access for accounts, local and remote.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import { sql } from "kysely";
import type { AccountsTable, DB } from "../db/schema.ts";
import { queryTemplate } from "../db/query-templates.ts";

export type AccountRow = Selectable<AccountsTable>;

// A page of statuses reads its authors' rows: compiled once (db/query-templates.ts), and kept
// prepared on PostgreSQL (lookups by key: the generic plan is the custom one).
const accountsByIds = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) => db.selectFrom("accounts").selectAll().where("id", "in", p.ids), { keepPrepared: true });
// One account by key: read by most requests (a post reads its author's twice). PostgreSQL planned
// it afresh each time, 0.08 ms a post (docs/performance/search.md, "Tenth pass").
const accountById = queryTemplate((db: Kysely<DB>, p: { id: string }) => db.selectFrom("accounts").selectAll().where("id", "=", p.id), { keepPrepared: true });
// Every post runs it (Kysely's building and compiling were ~0.45 ms of a post's ~2 ms of CPU, over
// its statements: docs/PERFORMANCE.md, "What a post's statements cost to build").
const countNewStatusOf = queryTemplate(
  (db: Kysely<DB>, p: { id: string; at: string }) => db.updateTable("accounts").set({ statuses_count: sql`statuses_count + 1`, last_status_at: p.at } as never).where("id", "=", p.id),
  { keepPrepared: true },
);

export class AccountStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<AccountsTable>): Promise<void> {
    await this.db.insertInto("accounts").values(row).execute();
  }

  async byId(id: string): Promise<AccountRow | undefined> {
    return (await accountById(this.db, { id }))[0];
  }

  /** A user's account (users.account_id) in one query, without reading the user first. */
  async byUserId(userId: string): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", (eb) => eb.selectFrom("users").select("users.account_id").where("users.id", "=", userId))
      .executeTakeFirst();
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

  async byUri(uri: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("uri", "=", uri).executeTakeFirst();
  }

  /** Distinct inboxes of the remote followers of an account: one per server where they share one. */
  async followerInboxes(accountId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("follows")
      .innerJoin("accounts", "accounts.id", "follows.account_id")
      .select(sql<string>`coalesce(accounts.shared_inbox_url, accounts.inbox_url)`.as("inbox"))
      .distinct()
      .where("follows.target_account_id", "=", accountId)
      .where("accounts.domain", "is not", null)
      .execute();
    return rows.map((r) => r.inbox).filter((i): i is string => Boolean(i));
  }

  async byIds(ids: readonly string[]): Promise<AccountRow[]> {
    const unique = [...new Set(ids)];
    const rows: AccountRow[] = [];
    // Batches stay under SQLite's and PostgreSQL's limits on bound parameters.
    for (let i = 0; i < unique.length; i += 1000) rows.push(...(await accountsByIds(this.db, { ids: unique.slice(i, i + 1000) })));
    return rows;
  }

  /** Adds `by` to a counter column, never below zero. */
  async bumpCounter(id: string, column: "followers_count" | "following_count" | "statuses_count", by: number): Promise<void> {
    const col = sql.ref(column);
    await this.db
      .updateTable("accounts")
      .set({ [column]: sql`case when ${col} + ${by} < 0 then 0 else ${col} + ${by} end` } as never)
      .where("id", "=", id)
      .execute();
  }

  /** A new status by the account: one more counted, and when it was posted (one statement for the two). */
  async countNewStatus(id: string, at: string): Promise<void> {
    await countNewStatusOf(this.db, { id, at });
  }

  /** Local and known remote accounts matching a query on username or display name. */
  async search(query: string, limit: number, offset: number): Promise<AccountRow[]> {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .selectFrom("accounts")
      .selectAll()
      .where("suspended_at", "is", null)
      .where((eb) => eb.or([eb(sql`lower(username)`, "like", sql`${pattern} escape '\\'`), eb(sql`lower(display_name)`, "like", sql`${pattern} escape '\\'`)]))
      .orderBy(sql`case when lower(username) = ${query.toLowerCase()} then 0 else 1 end`)
      .orderBy("followers_count", "desc")
      .orderBy("id")
      .limit(limit)
      .offset(offset)
      .execute();
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
