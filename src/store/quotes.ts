// Data access for quote posts and statuses' interaction policies (domain/quotes/). Queries only.
import type { Insertable, Kysely, Selectable } from "kysely";
import type { DB, QuotesTable, QuoteState, StatusInteractionPoliciesTable } from "../db/schema.ts";
import type { StatusRow } from "./statuses.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { readableBy } from "./visibility-sql.ts";
import { queryTemplate } from "../db/query-templates.ts";

// What a page of statuses reads about quotes (domain/quotes/quote-views.ts), compiled once.
const quotesOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) => db.selectFrom("quotes").selectAll().where("status_id", "in", p.ids), { keepPrepared: true });
const acceptedQuoteCounts = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) =>
  db
    .selectFrom("quotes")
    .select(["quoted_status_id", (eb) => eb.fn.countAll().as("n")])
    .where("quoted_status_id", "in", p.ids)
    .where("state", "=", "accepted")
    .groupBy("quoted_status_id"),
  { keepPrepared: true },
);
const policiesOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) => db.selectFrom("status_interaction_policies").selectAll().where("status_id", "in", p.ids), { keepPrepared: true });

export type QuoteRow = Selectable<QuotesTable>;
export type InteractionPolicyRow = Selectable<StatusInteractionPoliciesTable>;

// Written with every post, compiled once (db/query-templates.ts).
const upsertPolicy = queryTemplate(
  (db: Kysely<DB>, row: InteractionPolicyRow) =>
    db
      .insertInto("status_interaction_policies")
      .values(row)
      .onConflict((oc) => oc.column("status_id").doUpdateSet({ quote_policy: row.quote_policy, reply_policy: row.reply_policy, remote_policy: row.remote_policy })),
  { keepPrepared: true },
);

export class QuoteStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<QuotesTable>): Promise<void> {
    await this.db.insertInto("quotes").values(row).execute();
  }

  async byStatusId(statusId: string): Promise<QuoteRow | undefined> {
    return this.db.selectFrom("quotes").selectAll().where("status_id", "=", statusId).executeTakeFirst();
  }

  async byStatusIds(statusIds: readonly string[]): Promise<QuoteRow[]> {
    if (statusIds.length === 0) return [];
    return quotesOfStatuses(this.db, { ids: statusIds });
  }

  async byRequestUri(uri: string): Promise<QuoteRow | undefined> {
    return this.db.selectFrom("quotes").selectAll().where("request_uri", "=", uri).executeTakeFirst();
  }

  async byAuthorizationUri(uri: string): Promise<QuoteRow | undefined> {
    return this.db.selectFrom("quotes").selectAll().where("authorization_uri", "=", uri).executeTakeFirst();
  }

  async byId(id: string): Promise<QuoteRow | undefined> {
    return this.db.selectFrom("quotes").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async update(id: string, changes: Partial<Pick<QuoteRow, "state" | "authorization_uri" | "request_uri" | "quoted_status_id" | "quoted_account_id" | "updated_at">>): Promise<void> {
    await this.db.updateTable("quotes").set(changes).where("id", "=", id).execute();
  }

  /** Quotes waiting for a quoted post this server did not have yet, now stored (by its URI). */
  async linkQuoted(uri: string, statusId: string, accountId: string): Promise<void> {
    await this.db.updateTable("quotes").set({ quoted_status_id: statusId, quoted_account_id: accountId }).where("quoted_uri", "=", uri).where("quoted_status_id", "is", null).execute();
  }

  /** How many accepted quotes a status has (Status.quotes_count). */
  async acceptedCounts(statusIds: readonly string[]): Promise<Map<string, number>> {
    if (statusIds.length === 0) return new Map();
    const rows = await acceptedQuoteCounts(this.db, { ids: statusIds });
    return new Map(rows.map((r) => [String(r.quoted_status_id), Number(r.n)]));
  }

  /** Statuses quoting `quotedId` in one of `states`, that `viewerId` may read; newest first. */
  async quotingStatuses(quotedId: string, states: readonly QuoteState[], viewerId: string | null, page: PageRequest): Promise<StatusRow[]> {
    const q = this.db
      .selectFrom("quotes")
      .innerJoin("statuses", "statuses.id", "quotes.status_id")
      .selectAll("statuses")
      .where("quotes.quoted_status_id", "=", quotedId)
      .where("quotes.state", "in", states)
      .where(readableBy(viewerId));
    return paginate(q, "statuses.id", page) as Promise<StatusRow[]>;
  }

  /** Accepted quotes of `quotedId` (to tell their local authors of an edit). */
  async acceptedOf(quotedId: string, limit: number): Promise<QuoteRow[]> {
    return this.db.selectFrom("quotes").selectAll().where("quoted_status_id", "=", quotedId).where("state", "=", "accepted").limit(limit).execute();
  }

  /** Of `ids`, the statuses `viewerId` may read. */
  async readableAmong(ids: readonly string[], viewerId: string | null): Promise<StatusRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("statuses").selectAll().where("statuses.id", "in", ids).where(readableBy(viewerId)).execute();
  }

  /** Of `ids`, those still stored. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom("statuses").select("id").where("id", "in", ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  // --- interaction policies ----------------------------------------------------------------

  async setPolicy(row: InteractionPolicyRow): Promise<void> {
    await upsertPolicy(this.db, { status_id: row.status_id, quote_policy: row.quote_policy, reply_policy: row.reply_policy, remote_policy: row.remote_policy });
  }

  async policiesOf(statusIds: readonly string[]): Promise<Map<string, InteractionPolicyRow>> {
    if (statusIds.length === 0) return new Map();
    const rows = await policiesOfStatuses(this.db, { ids: statusIds });
    return new Map(rows.map((r) => [r.status_id, r]));
  }
}
