// Data access for what accounts do to accounts: follows, follow requests, blocks, mutes.
import type { Kysely, Selectable } from "kysely";
import type { DB, FollowsTable, MutesTable, AccountRelationTable } from "../db/schema.ts";
import type { AccountRow } from "./accounts.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { queryTemplate } from "../db/query-templates.ts";

export type FollowRow = Selectable<FollowsTable>;
export type MuteRow = Selectable<MutesTable>;
export type BlockRow = Selectable<AccountRelationTable>;

type PairTable = "follows" | "follow_requests" | "blocks" | "mutes";

// Read for every post (its fan-out), compiled once (db/query-templates.ts). Not kept prepared: the
// best plan for an account with 50,000 followers is not the one for an account with ten.
const localFollowersOfAccount = queryTemplate((db: Kysely<DB>, p: { targetId: string }) =>
  db
    .selectFrom("follows")
    .innerJoin("accounts", "accounts.id", "follows.account_id")
    .select(["follows.account_id", "follows.show_reblogs"])
    .where("follows.target_account_id", "=", p.targetId)
    .where("accounts.domain", "is", null),
);
const subscribersOfAccount = queryTemplate((db: Kysely<DB>, p: { targetId: string }) =>
  db.selectFrom("follows").select("account_id").where("target_account_id", "=", p.targetId).where("notify", "=", 1),
);

/** An account listed because of a relation, with the relation's id as the pagination cursor. */
export interface RelatedAccount {
  relationId: string;
  account: AccountRow;
}

export class RelationshipStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async find(table: PairTable, accountId: string, targetId: string) {
    return this.db.selectFrom(table).selectAll().where("account_id", "=", accountId).where("target_account_id", "=", targetId).executeTakeFirst();
  }

  async follow(row: Selectable<FollowsTable>): Promise<void> {
    await this.db
      .insertInto("follows")
      .values(row)
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ show_reblogs: row.show_reblogs, notify: row.notify }))
      .execute();
  }

  async request(row: Selectable<FollowsTable>): Promise<void> {
    await this.db
      .insertInto("follow_requests")
      .values(row)
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ show_reblogs: row.show_reblogs, notify: row.notify }))
      .execute();
  }

  async block(row: Selectable<AccountRelationTable>): Promise<void> {
    await this.db.insertInto("blocks").values(row).onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing()).execute();
  }

  async mute(row: Selectable<MutesTable>): Promise<void> {
    await this.db
      .insertInto("mutes")
      .values(row)
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ hide_notifications: row.hide_notifications, expires_at: row.expires_at }))
      .execute();
  }

  /** Removes the relation; true if there was one. */
  async remove(table: PairTable, accountId: string, targetId: string): Promise<boolean> {
    const result = await this.db.deleteFrom(table).where("account_id", "=", accountId).where("target_account_id", "=", targetId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Of `targetIds`, those `accountId` has a relation to (in `table`). */
  async targetsAmong(table: PairTable, accountId: string, targetIds: readonly string[]): Promise<Set<string>> {
    if (targetIds.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select("target_account_id").where("account_id", "=", accountId).where("target_account_id", "in", targetIds).execute();
    return new Set(rows.map((r) => r.target_account_id));
  }

  /** Of `accountIds`, those that have a relation to `targetId` (in `table`). */
  async sourcesAmong(table: PairTable, targetId: string, accountIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select("account_id").where("target_account_id", "=", targetId).where("account_id", "in", accountIds).execute();
    return new Set(rows.map((r) => r.account_id));
  }

  /**
   * Of `accountIds`, those `accountId` follows and those following it, in one statement (a page of
   * statuses asks both of its authors; one wait for the database instead of two).
   */
  async followsBothWays(accountId: string, accountIds: readonly string[]): Promise<{ follows: Set<string>; followedBy: Set<string> }> {
    const found = { follows: new Set<string>(), followedBy: new Set<string>() };
    if (accountIds.length === 0) return found;
    const rows = await this.db
      .selectFrom("follows")
      .select(["account_id", "target_account_id"])
      .where((eb) => eb.or([eb.and([eb("account_id", "=", accountId), eb("target_account_id", "in", accountIds)]), eb.and([eb("target_account_id", "=", accountId), eb("account_id", "in", accountIds)])]))
      .execute();
    for (const row of rows) {
      if (String(row.account_id) === accountId) found.follows.add(String(row.target_account_id));
      if (String(row.target_account_id) === accountId) found.followedBy.add(String(row.account_id));
    }
    return found;
  }

  async followsAmong(accountId: string, targetIds: readonly string[]): Promise<FollowRow[]> {
    if (targetIds.length === 0) return [];
    return this.db.selectFrom("follows").selectAll().where("account_id", "=", accountId).where("target_account_id", "in", targetIds).execute();
  }

  async mutesAmong(accountId: string, targetIds: readonly string[]): Promise<MuteRow[]> {
    if (targetIds.length === 0) return [];
    return this.db.selectFrom("mutes").selectAll().where("account_id", "=", accountId).where("target_account_id", "in", targetIds).execute();
  }

  /** Local accounts following `targetId`, with whether they want its boosts: the home fan-out set. */
  async localFollowersOf(targetId: string): Promise<{ account_id: string; show_reblogs: number }[]> {
    return localFollowersOfAccount(this.db, { targetId });
  }

  /** Accounts on one side of a relation, newest relation first. */
  async listAccounts(table: PairTable, side: "targets_of" | "sources_of", accountId: string, page: PageRequest): Promise<RelatedAccount[]> {
    const [mine, theirs] = side === "targets_of" ? (["account_id", "target_account_id"] as const) : (["target_account_id", "account_id"] as const);
    const q = this.db
      .selectFrom(table)
      .innerJoin("accounts", "accounts.id", `${table}.${theirs}` as never)
      .selectAll("accounts")
      .select(`${table}.id as relation_id` as never)
      .where(`${table}.${mine}` as never, "=", accountId as never)
      // A suspended account (here, or gone from its server) is listed nowhere, as on Mastodon.
      .where("accounts.suspended_at", "is", null);
    const rows = (await paginate(q, `${table}.id`, page)) as unknown as (AccountRow & { relation_id: string })[];
    return rows.map(({ relation_id, ...account }) => ({ relationId: String(relation_id), account }));
  }

  /** Accounts that asked to be notified of `targetId`'s posts (follow with notify). */
  async subscribersOf(targetId: string): Promise<string[]> {
    const rows = await subscribersOfAccount(this.db, { targetId });
    return rows.map((r) => r.account_id);
  }

  /** Pending follow requests to an account (with their activity URIs). */
  async requestsTo(targetId: string): Promise<FollowRow[]> {
    return this.db.selectFrom("follow_requests").selectAll().where("target_account_id", "=", targetId).execute();
  }

  /** The follow (established) of `targetId` whose Follow activity had this id. */
  async followToByUri(targetId: string, uri: string): Promise<FollowRow | undefined> {
    return this.db.selectFrom("follows").selectAll().where("target_account_id", "=", targetId).where("uri", "=", uri).executeTakeFirst();
  }

  async countPending(targetId: string): Promise<number> {
    const row = await this.db.selectFrom("follow_requests").select((eb) => eb.fn.countAll().as("n")).where("target_account_id", "=", targetId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
