// Data access for link previews (domain/cards): the server-wide card per URL with its fetch
// lease, the status ↔ card links, and what link trends and the link timeline read. Queries only;
// the rules (what is due, who fetches) are in domain/cards/card-service.ts.
import { sql, type Kysely } from "kysely";
import type { DB, PreviewCardsTable } from "../db/schema.ts";
import type { StatusRow } from "./statuses.ts";
import { paginate, type PageRequest } from "./pagination.ts";
import { notDomainBlockedBy, notLimitedFor, notMutedBy, readableBy } from "./visibility-sql.ts";
import { listable } from "./discovery.ts";
import { queryTemplate } from "../db/query-templates.ts";

// A page of statuses reads their cards: compiled once (db/query-templates.ts).
const readyCardsOf = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) =>
  db
    .selectFrom("status_cards")
    .innerJoin("preview_cards", "preview_cards.id", "status_cards.card_id")
    .selectAll("preview_cards")
    .select("status_cards.status_id as status_id")
    .where("status_cards.status_id", "in", p.ids)
    .where("preview_cards.state", "=", "ready"),
  { keepPrepared: true },
);

export type PreviewCardRow = PreviewCardsTable;
/** What a fetch found, written onto the card row. */
export type CardContent = Omit<PreviewCardsTable, "id" | "url" | "state" | "lease_owner" | "lease_until" | "fetched_at" | "expires_at" | "last_error" | "created_at" | "updated_at">;

export const EMPTY_CARD: CardContent = {
  type: "link",
  title: "",
  description: "",
  author_name: "",
  author_url: "",
  author_account_id: null,
  provider_name: "",
  provider_url: "",
  html: "",
  width: 0,
  height: 0,
  image_url: null,
  image_description: "",
  blurhash: null,
  embed_url: "",
  language: null,
  published_at: null,
};

export interface LinkUse {
  cardId: string;
  uses: number;
  accounts: number;
}

export class CardStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** The card row of `url`, made (pending) if there is none; concurrent callers get the same row. */
  async ensure(id: string, url: string, now: string): Promise<PreviewCardRow> {
    await this.db
      .insertInto("preview_cards")
      .values({ id, url, state: "pending", lease_owner: null, lease_until: null, fetched_at: null, expires_at: null, last_error: null, ...EMPTY_CARD, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column("url").doNothing())
      .execute();
    return (await this.byUrl(url))!;
  }

  async byUrl(url: string): Promise<PreviewCardRow | null> {
    return (await this.db.selectFrom("preview_cards").selectAll().where("url", "=", url).executeTakeFirst()) ?? null;
  }

  async byId(id: string): Promise<PreviewCardRow | null> {
    return (await this.db.selectFrom("preview_cards").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  }

  /**
   * Takes the card's fetch lease when it is due (pending, or expired) and nobody holds the lease:
   * one conditional UPDATE, atomic on both engines, so exactly one caller of all processes wins.
   */
  async claim(id: string, owner: string, now: string, leaseUntil: string): Promise<boolean> {
    const result = await this.db
      .updateTable("preview_cards")
      .set({ lease_owner: owner, lease_until: leaseUntil })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .where((eb) => eb.or([eb("state", "=", "pending"), eb("expires_at", "is", null), eb("expires_at", "<", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Stores a fetch's outcome and gives the lease back (only the lease's holder may). */
  async finish(id: string, owner: string, outcome: { state: "ready" | "failed"; content: CardContent; lastError: string | null; now: string; expiresAt: string }): Promise<boolean> {
    const result = await this.db
      .updateTable("preview_cards")
      .set({ ...outcome.content, state: outcome.state, last_error: outcome.lastError, fetched_at: outcome.now, expires_at: outcome.expiresAt, updated_at: outcome.now, lease_owner: null, lease_until: null })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setBlurhash(id: string, blurhash: string): Promise<void> {
    await this.db.updateTable("preview_cards").set({ blurhash }).where("id", "=", id).execute();
  }

  /** Gives the lease back without an outcome (the process is stopping). */
  async release(id: string, owner: string): Promise<void> {
    await this.db.updateTable("preview_cards").set({ lease_owner: null, lease_until: null }).where("id", "=", id).where("lease_owner", "=", owner).execute();
  }

  /**
   * Deletes up to `limit` cards no status shows any more, last changed before `before` and not
   * being fetched (their statuses were deleted or pruned, the link edited away); returns how many.
   */
  async deleteUnused(before: string, now: string, limit: number): Promise<number> {
    const ids = await this.db
      .selectFrom("preview_cards")
      .select("id")
      .where("updated_at", "<", before)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom("status_cards").select("status_cards.card_id").whereRef("status_cards.card_id", "=", "preview_cards.id"))))
      .limit(limit)
      .execute();
    if (ids.length === 0) return 0;
    const result = await this.db
      .deleteFrom("preview_cards")
      .where("id", "in", ids.map((r) => r.id))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom("status_cards").select("status_cards.card_id").whereRef("status_cards.card_id", "=", "preview_cards.id"))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async cardIdOfStatus(statusId: string): Promise<string | null> {
    const row = await this.db.selectFrom("status_cards").select("card_id").where("status_id", "=", statusId).executeTakeFirst();
    return row?.card_id ?? null;
  }

  /** Links the status to the card (replacing another card); false when the status is gone. */
  async link(statusId: string, cardId: string, now: string): Promise<boolean> {
    const exists = await this.db.selectFrom("statuses").select("id").where("id", "=", statusId).executeTakeFirst();
    if (!exists) return false;
    await this.db
      .insertInto("status_cards")
      .values({ status_id: statusId, card_id: cardId, created_at: now })
      .onConflict((oc) => oc.column("status_id").doUpdateSet({ card_id: cardId, created_at: now }))
      .execute();
    return true;
  }

  async unlink(statusId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("status_cards").where("status_id", "=", statusId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The statuses showing this card, newest first (those to tell when it is ready). */
  async statusIdsOf(cardId: string, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom("status_cards").select("status_id").where("card_id", "=", cardId).orderBy("status_id", "desc").limit(limit).execute();
    return rows.map((r) => r.status_id);
  }

  /** The ready cards of these statuses. */
  async readyOf(statusIds: readonly string[]): Promise<Map<string, PreviewCardRow>> {
    if (statusIds.length === 0) return new Map();
    const rows = await readyCardsOf(this.db, { ids: [...new Set(statusIds)] });
    return new Map(rows.map(({ status_id, ...card }) => [status_id, card as PreviewCardRow]));
  }

  async byIds(ids: readonly string[]): Promise<PreviewCardRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("preview_cards").selectAll().where("id", "in", [...new Set(ids)]).execute();
  }

  /** Public, original statuses of listable, discoverable, unlimited accounts linking to a ready card: what link trends count. */
  private publicLinkUses(sinceId: string) {
    return this.db
      .selectFrom("status_cards")
      .innerJoin("statuses", "statuses.id", "status_cards.status_id")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .innerJoin("preview_cards", "preview_cards.id", "status_cards.card_id")
      .where("statuses.id", ">=", sinceId)
      .where("statuses.visibility", "=", "public")
      .where("statuses.reblog_of_id", "is", null)
      .where("preview_cards.state", "=", "ready")
      .where("accounts.discoverable", "=", 1)
      .where("accounts.silenced_at", "is", null)
      .where(listable());
  }

  /** Cards shared by the most distinct accounts since `sinceId`, then by uses. */
  async trending(sinceId: string, limit: number, offset: number): Promise<LinkUse[]> {
    const rows = await this.publicLinkUses(sinceId)
      .select((eb) => ["status_cards.card_id", eb.fn.countAll().as("use_count"), eb.fn.count("statuses.account_id").distinct().as("account_count")])
      .groupBy("status_cards.card_id")
      .orderBy("account_count", "desc")
      .orderBy("use_count", "desc")
      .orderBy("status_cards.card_id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({ cardId: r.card_id, uses: Number(r.use_count), accounts: Number(r.account_count) }));
  }

  /** Per-day uses of these cards since `sinceId`. */
  async history(cardIds: readonly string[], sinceId: string): Promise<(LinkUse & { day: string })[]> {
    if (cardIds.length === 0) return [];
    const day = sql<string>`substr(statuses.created_at, 1, 10)`;
    const rows = await this.publicLinkUses(sinceId)
      .select((eb) => ["status_cards.card_id", day.as("day"), eb.fn.countAll().as("use_count"), eb.fn.count("statuses.account_id").distinct().as("account_count")])
      .where("status_cards.card_id", "in", cardIds)
      .groupBy(["status_cards.card_id", day])
      .execute();
    return rows.map((r) => ({ cardId: r.card_id, day: String(r.day), uses: Number(r.use_count), accounts: Number(r.account_count) }));
  }

  /** GET /api/v1/timelines/link: public statuses of discoverable accounts showing this card, readable by the viewer. */
  async timeline(cardId: string, viewerId: string | null, page: PageRequest): Promise<StatusRow[]> {
    const q = this.db
      .selectFrom("status_cards")
      .innerJoin("statuses", "statuses.id", "status_cards.status_id")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .selectAll("statuses")
      .where("status_cards.card_id", "=", cardId)
      .where("statuses.visibility", "=", "public")
      .where("statuses.reblog_of_id", "is", null)
      .where("accounts.discoverable", "=", 1)
      .where(listable())
      .where(readableBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId))
      .where(notLimitedFor(viewerId));
    return paginate(q, "statuses.id", page);
  }
}
