// Data access for blocklist subscriptions: the subscriptions with their status, the entries
// each list said at its last successful fetch, drafts awaiting review, the moderators' blocks a
// list adopted — and the one count a dry run needs (follows per remote domain). The merging
// rules live in domain/moderation/blocklists.
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from "kysely";
import type { BlocklistAdoptionsTable, BlocklistDraftsTable, BlocklistEntriesTable, BlocklistSubscriptionsTable, DB } from "../../db/schema.ts";

export type BlocklistSubscriptionRow = Selectable<BlocklistSubscriptionsTable>;
export type BlocklistEntryRow = Selectable<BlocklistEntriesTable>;
export type BlocklistDraftRow = Selectable<BlocklistDraftsTable>;
export type BlocklistAdoptionRow = Selectable<BlocklistAdoptionsTable>;

/** Rows per INSERT: 7 columns × 1000 stays far below both engines' parameter limits. */
const CHUNK = 1000;

export class BlocklistStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  // ---- subscriptions

  subscriptions(): Promise<BlocklistSubscriptionRow[]> {
    return this.db.selectFrom("blocklist_subscriptions").selectAll().orderBy("id").execute();
  }

  subscriptionById(id: string): Promise<BlocklistSubscriptionRow | undefined> {
    return this.db.selectFrom("blocklist_subscriptions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  subscriptionByUrl(url: string): Promise<BlocklistSubscriptionRow | undefined> {
    return this.db.selectFrom("blocklist_subscriptions").selectAll().where("url", "=", url).executeTakeFirst();
  }

  async insertSubscription(row: Insertable<BlocklistSubscriptionsTable>): Promise<void> {
    await this.db.insertInto("blocklist_subscriptions").values(row).execute();
  }

  async updateSubscription(id: string, changes: Updateable<BlocklistSubscriptionsTable>): Promise<void> {
    await this.db.updateTable("blocklist_subscriptions").set(changes).where("id", "=", id).execute();
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.db.deleteFrom("blocklist_subscriptions").where("id", "=", id).execute();
  }

  /** Enabled subscriptions not fetched since `before` (or never). */
  due(before: string): Promise<BlocklistSubscriptionRow[]> {
    return this.db
      .selectFrom("blocklist_subscriptions")
      .selectAll()
      .where("enabled", "=", 1)
      .where((eb) => eb.or([eb("last_fetched_at", "is", null), eb("last_fetched_at", "<", before)]))
      .orderBy("id")
      .execute();
  }

  /**
   * Marks a fetch as started, if no other process started one since `previous` was read:
   * the row is claimed by the compare-and-set, so two servers never fetch the same list at once.
   */
  async claimFetch(id: string, previous: string | null, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("blocklist_subscriptions")
      .set({ last_fetched_at: now })
      .where("id", "=", id)
      .where((eb) => (previous === null ? eb("last_fetched_at", "is", null) : eb("last_fetched_at", "=", previous)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // ---- entries

  allEntries(): Promise<BlocklistEntryRow[]> {
    return this.db.selectFrom("blocklist_entries").selectAll().execute();
  }

  async replaceEntries(subscriptionId: string, rows: readonly Insertable<BlocklistEntriesTable>[]): Promise<void> {
    await this.db.deleteFrom("blocklist_entries").where("subscription_id", "=", subscriptionId).execute();
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.insertInto("blocklist_entries").values(rows.slice(i, i + CHUNK)).execute();
    }
  }

  // ---- drafts

  drafts(): Promise<BlocklistDraftRow[]> {
    return this.db.selectFrom("blocklist_drafts").selectAll().orderBy("id").execute();
  }

  draftById(id: string): Promise<BlocklistDraftRow | undefined> {
    return this.db.selectFrom("blocklist_drafts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async insertDrafts(rows: readonly Insertable<BlocklistDraftsTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.insertInto("blocklist_drafts").values(rows.slice(i, i + CHUNK)).execute();
    }
  }

  async deleteDrafts(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.db.deleteFrom("blocklist_drafts").where("id", "in", ids.slice(i, i + CHUNK)).execute();
    }
  }

  async setDraftStatus(id: string, status: BlocklistDraftRow["status"]): Promise<void> {
    await this.db.updateTable("blocklist_drafts").set({ status }).where("id", "=", id).execute();
  }

  // ---- adoptions

  adoptions(): Promise<BlocklistAdoptionRow[]> {
    return this.db.selectFrom("blocklist_adoptions").selectAll().execute();
  }

  async insertAdoptions(rows: readonly Insertable<BlocklistAdoptionsTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.insertInto("blocklist_adoptions").values(rows.slice(i, i + CHUNK)).execute();
    }
  }

  async deleteAdoptions(blockIds: readonly string[]): Promise<void> {
    for (let i = 0; i < blockIds.length; i += CHUNK) {
      await this.db.deleteFrom("blocklist_adoptions").where("domain_block_id", "in", blockIds.slice(i, i + CHUNK)).execute();
    }
  }

  // ---- what a block would sever

  /**
   * Follow relationships between local and remote accounts, per remote domain, both ways:
   * `following` (local accounts following that domain's) and `followers` (that domain's
   * accounts following local ones). Two grouped counts over the follows, whatever the list size.
   */
  async followsByDomain(): Promise<Map<string, { following: number; followers: number }>> {
    const [out, inbound] = await Promise.all([
      this.db
        .selectFrom("follows as f")
        .innerJoin("accounts as remote", "remote.id", "f.target_account_id")
        .innerJoin("accounts as local", "local.id", "f.account_id")
        .where("remote.domain", "is not", null)
        .where("local.domain", "is", null)
        .select(["remote.domain as domain", sql<string | number>`count(*)`.as("n")])
        .groupBy("remote.domain")
        .execute(),
      this.db
        .selectFrom("follows as f")
        .innerJoin("accounts as remote", "remote.id", "f.account_id")
        .innerJoin("accounts as local", "local.id", "f.target_account_id")
        .where("remote.domain", "is not", null)
        .where("local.domain", "is", null)
        .select(["remote.domain as domain", sql<string | number>`count(*)`.as("n")])
        .groupBy("remote.domain")
        .execute(),
    ]);
    const counts = new Map<string, { following: number; followers: number }>();
    const entry = (domain: string) => counts.get(domain) ?? counts.set(domain, { following: 0, followers: 0 }).get(domain)!;
    for (const row of out) entry(row.domain!.toLowerCase()).following += Number(row.n);
    for (const row of inbound) entry(row.domain!.toLowerCase()).followers += Number(row.n);
    return counts;
  }
}
