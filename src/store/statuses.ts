// Data access for statuses and what hangs off them (mentions, tags, edit history).
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from "kysely";
import type { DB, StatusesTable, StatusEditsTable, TagsTable } from "../db/schema.ts";
import { pageOrder, pageQuery, paginate, type PageRequest } from "./pagination.ts";
import { queryTemplate } from "../db/query-templates.ts";
import { notDomainBlockedBy, notLimitedFor, notMutedBy, readableBy, readableWithBoostBy } from "./visibility-sql.ts";
import { notInExclusiveListOf } from "./lists.ts";
import { insertStatusQueued } from "../db/dialects/full-text.ts";

export type StatusRow = Selectable<StatusesTable>;
export type StatusEditRow = Selectable<StatusEditsTable>;
export type TagRow = Selectable<TagsTable>;

// Compiled once (db/query-templates.ts) and kept prepared (a key lookup): read by most actions on a status.
const statusById = queryTemplate((db: Kysely<DB>, p: { id: string }) => db.selectFrom("statuses").selectAll().where("id", "=", p.id), { keepPrepared: true });

export interface AccountStatusesFilter {
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  onlyMedia?: boolean;
  pinnedOnly?: boolean;
  taggedTagId?: string | null;
}

/** The status has at least one media attachment. */
function hasMedia() {
  return sql<boolean>`exists (select 1 from media_attachments ma where ma.status_id = statuses.id and ma.position >= 0)`;
}

/** The materialized home feed, re-checked against privacy and mutes at read time (compiled once: the home timeline's query). */
const homePage = queryTemplate((db: Kysely<DB>, p: PageRequest & { viewerId: string; now: string }) =>
  pageQuery(
    db
      .selectFrom("home_feed")
      .innerJoin("statuses", "statuses.id", "home_feed.status_id")
      .selectAll("statuses")
      .where("home_feed.account_id", "=", p.viewerId)
      .where(readableWithBoostBy(p.viewerId))
      .where(notMutedBy(p.viewerId, "statuses", p.now))
      .where(notDomainBlockedBy(p.viewerId))
      .where(notInExclusiveListOf(p.viewerId)),
    "home_feed.status_id",
    p,
    { literalLimit: true },
  ),
  // PostgreSQL planned it in 8-11 ms at every request (13 anti-joins), for ~1 ms of execution; its
  // generic plan is the same, once it knows the LIMIT.
  { keepPrepared: true, inline: ["limit"] },
);

// What a page of statuses reads about them (status-views.ts), compiled once and kept prepared on
// PostgreSQL (lookups by key: the generic plan is the custom one).
const statusesByIds = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) => db.selectFrom("statuses").selectAll().where("id", "in", p.ids), { keepPrepared: true });
const mentionsOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) =>
  db.selectFrom("mentions").select(["status_id", "account_id"]).where("status_id", "in", p.ids).orderBy("id"),
  { keepPrepared: true },
);
const tagsOfStatuses = queryTemplate((db: Kysely<DB>, p: { ids: readonly string[] }) =>
  db
    .selectFrom("status_tags")
    .innerJoin("tags", "tags.id", "status_tags.tag_id")
    .select(["status_tags.status_id", "tags.id", "tags.name", "tags.display_name", "tags.created_at"])
    .where("status_tags.status_id", "in", p.ids),
  { keepPrepared: true },
);

export class StatusStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** `searchQueuedAt`: queue it for indexing too (StatusIndexer.queuedAt), in the same statement where the engine can. */
  async insert(row: Insertable<StatusesTable>, searchQueuedAt: string | null = null): Promise<void> {
    await insertStatusQueued(this.db, row, searchQueuedAt);
  }

  async byId(id: string): Promise<StatusRow | undefined> {
    return (await statusById(this.db, { id }))[0];
  }

  /** The status, only if `viewerId` may read it (see visibility-sql.ts). */
  async readableById(id: string, viewerId: string | null): Promise<StatusRow | undefined> {
    return this.db.selectFrom("statuses").selectAll().where("id", "=", id).where(readableWithBoostBy(viewerId)).executeTakeFirst();
  }

  /** Ids of the readers whose home feed holds this status. */
  async feedReaders(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom("home_feed").select("account_id").where("status_id", "=", id).execute();
    return rows.map((r) => r.account_id);
  }

  /** The author's latest statuses a new follower may read, for their home feed. */
  async recentReadable(authorId: string, viewerId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", authorId)
      .where(readableWithBoostBy(viewerId))
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async tagsByPrefix(prefix: string, limit: number, offset: number): Promise<TagRow[]> {
    const escaped = prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db
      .selectFrom("tags")
      .selectAll()
      .where("name", "like", sql<string>`${escaped + "%"} escape '\\'`)
      .orderBy(sql`length(name)`)
      .orderBy("name")
      .limit(limit)
      .offset(offset)
      .execute();
  }

  async byUri(uri: string): Promise<StatusRow | undefined> {
    return this.db.selectFrom("statuses").selectAll().where("uri", "=", uri).executeTakeFirst();
  }

  async byIds(ids: readonly string[]): Promise<StatusRow[]> {
    if (ids.length === 0) return [];
    return statusesByIds(this.db, { ids: [...new Set(ids)] });
  }

  async update(id: string, changes: Updateable<StatusesTable>): Promise<void> {
    await this.db.updateTable("statuses").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("statuses").where("id", "=", id).execute();
  }

  /** Adds `by` to a counter column (replies, reblogs, favourites), never below zero. */
  async bumpCounter(id: string, column: "replies_count" | "reblogs_count" | "favourites_count", by: 1 | -1): Promise<void> {
    const col = sql.ref(column);
    await this.db
      .updateTable("statuses")
      .set({ [column]: sql`case when ${col} + ${by} < 0 then 0 else ${col} + ${by} end` } as never)
      .where("id", "=", id)
      .execute();
  }

  /** The boost of `statusId` by `accountId`, if they boosted it. */
  async reblogOf(accountId: string, statusId: string): Promise<StatusRow | undefined> {
    return this.db.selectFrom("statuses").selectAll().where("account_id", "=", accountId).where("reblog_of_id", "=", statusId).executeTakeFirst();
  }

  async reblogsOf(statusId: string): Promise<StatusRow[]> {
    return this.db.selectFrom("statuses").selectAll().where("reblog_of_id", "=", statusId).execute();
  }

  /** Of `statusIds`, those the account boosted. */
  async reblogged(accountId: string, statusIds: readonly string[]): Promise<Set<string>> {
    if (statusIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("statuses").select("reblog_of_id").where("account_id", "=", accountId).where("reblog_of_id", "in", statusIds).execute();
    return new Set(rows.map((r) => r.reblog_of_id!));
  }

  async replies(parentIds: readonly string[], viewerId: string | null): Promise<StatusRow[]> {
    if (parentIds.length === 0) return [];
    return this.db.selectFrom("statuses").selectAll().where("in_reply_to_id", "in", parentIds).where(readableBy(viewerId)).orderBy("id").execute();
  }

  // --- timelines -------------------------------------------------------------------------

  async accountStatuses(accountId: string, viewerId: string | null, filter: AccountStatusesFilter, page: PageRequest): Promise<StatusRow[]> {
    let q = this.db.selectFrom("statuses").selectAll("statuses").where("statuses.account_id", "=", accountId).where(readableWithBoostBy(viewerId));
    if (filter.excludeReplies) {
      // Replies to oneself (threads) stay, as on Mastodon.
      q = q.where((eb) => eb.or([eb("statuses.in_reply_to_id", "is", null), eb("statuses.in_reply_to_account_id", "=", accountId)]));
    }
    if (filter.excludeReblogs) q = q.where("statuses.reblog_of_id", "is", null);
    if (filter.onlyMedia) q = q.where(hasMedia());
    if (filter.pinnedOnly) q = q.where((eb) => eb.exists(eb.selectFrom("status_pins").select("status_pins.id").whereRef("status_pins.status_id", "=", "statuses.id").where("status_pins.account_id", "=", accountId)));
    if (filter.taggedTagId) q = q.where((eb) => eb.exists(eb.selectFrom("status_tags").select("status_tags.tag_id").whereRef("status_tags.status_id", "=", "statuses.id").where("status_tags.tag_id", "=", filter.taggedTagId!)));
    return paginate(q, "statuses.id", page);
  }

  async publicTimeline(viewerId: string | null, scope: { local?: boolean; remote?: boolean; onlyMedia?: boolean }, page: PageRequest): Promise<StatusRow[]> {
    let q = this.db
      .selectFrom("statuses")
      .selectAll("statuses")
      .where("statuses.visibility", "=", "public")
      .where("statuses.reblog_of_id", "is", null)
      .where(readableBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId))
      .where(notLimitedFor(viewerId));
    if (scope.local) q = q.where("statuses.local", "=", 1);
    if (scope.remote) q = q.where("statuses.local", "=", 0);
    if (scope.onlyMedia) q = q.where(hasMedia());
    return paginate(q, "statuses.id", page);
  }

  async tagTimeline(tagId: string, viewerId: string | null, localOnly: boolean, page: PageRequest): Promise<StatusRow[]> {
    let q = this.db
      .selectFrom("statuses")
      .innerJoin("status_tags", "status_tags.status_id", "statuses.id")
      .selectAll("statuses")
      .where("status_tags.tag_id", "=", tagId)
      .where("statuses.visibility", "=", "public")
      .where(readableBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId))
      .where(notLimitedFor(viewerId));
    if (localOnly) q = q.where("statuses.local", "=", 1);
    return paginate(q, "statuses.id", page);
  }

  /** GET /api/v1/timelines/direct: direct statuses the viewer wrote or is mentioned in, nobody else's. */
  async directTimeline(viewerId: string, page: PageRequest): Promise<StatusRow[]> {
    const q = this.db
      .selectFrom("statuses")
      .selectAll("statuses")
      .where("statuses.visibility", "=", "direct")
      .where((eb) => eb.or([
        eb("statuses.account_id", "=", viewerId),
        eb.exists(eb.selectFrom("mentions").select("mentions.id").whereRef("mentions.status_id", "=", "statuses.id").where("mentions.account_id", "=", viewerId)),
      ]))
      .where(readableBy(viewerId))
      .where(notMutedBy(viewerId))
      .where(notDomainBlockedBy(viewerId));
    return paginate(q, "statuses.id", page);
  }

  /** The materialized home feed, re-checked against privacy and mutes at read time. */
  async homeTimeline(viewerId: string, page: PageRequest): Promise<StatusRow[]> {
    const params = { viewerId, now: new Date().toISOString(), maxId: page.maxId || null, sinceId: page.sinceId || null, minId: page.minId || null, limit: page.limit };
    return pageOrder(await homePage(this.db, params), params);
  }

  // --- mentions, tags, history ----------------------------------------------------------

  async insertMentions(statusId: string, accountIds: readonly string[], newId: () => string): Promise<void> {
    if (accountIds.length === 0) return;
    await this.db.insertInto("mentions").values(accountIds.map((account_id) => ({ id: newId(), status_id: statusId, account_id }))).execute();
  }

  async deleteMentions(statusId: string): Promise<void> {
    await this.db.deleteFrom("mentions").where("status_id", "=", statusId).execute();
  }

  /** status id → mentioned account ids, in mention order. */
  async mentionsOf(statusIds: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (statusIds.length === 0) return map;
    const rows = await mentionsOfStatuses(this.db, { ids: statusIds });
    for (const r of rows) map.set(r.status_id, [...(map.get(r.status_id) ?? []), r.account_id]);
    return map;
  }

  async tagByName(name: string): Promise<TagRow | undefined> {
    return this.db.selectFrom("tags").selectAll().where("name", "=", name.toLowerCase()).executeTakeFirst();
  }

  /** Finds or creates each tag; returns them in the given order. */
  async ensureTags(names: readonly string[], newId: () => string, now: string): Promise<TagRow[]> {
    const out: TagRow[] = [];
    for (const displayName of names) {
      const name = displayName.toLowerCase();
      await this.db
        .insertInto("tags")
        .values({ id: newId(), name, display_name: displayName, created_at: now })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
      out.push((await this.tagByName(name))!);
    }
    return out;
  }

  /** A new status's tags (it has none yet, so nothing to delete first). */
  async addTags(statusId: string, tagIds: readonly string[]): Promise<void> {
    if (tagIds.length) await this.db.insertInto("status_tags").values(tagIds.map((tag_id) => ({ status_id: statusId, tag_id }))).execute();
  }

  async setTags(statusId: string, tagIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom("status_tags").where("status_id", "=", statusId).execute();
    await this.addTags(statusId, tagIds);
  }

  /** status id → tags. */
  async tagsOf(statusIds: readonly string[]): Promise<Map<string, TagRow[]>> {
    const map = new Map<string, TagRow[]>();
    if (statusIds.length === 0) return map;
    const rows = await tagsOfStatuses(this.db, { ids: statusIds });
    for (const { status_id, ...tag } of rows) map.set(status_id, [...(map.get(status_id) ?? []), tag]);
    return map;
  }

  async insertEdit(row: Insertable<StatusEditsTable>): Promise<void> {
    await this.db.insertInto("status_edits").values(row).execute();
  }

  async editsOf(statusId: string): Promise<StatusEditRow[]> {
    return this.db.selectFrom("status_edits").selectAll().where("status_id", "=", statusId).orderBy("id").execute();
  }

  async byIdempotencyKey(accountId: string, key: string): Promise<StatusRow | undefined> {
    return this.db
      .selectFrom("idempotency_keys")
      .innerJoin("statuses", "statuses.id", "idempotency_keys.status_id")
      .selectAll("statuses")
      .where("idempotency_keys.account_id", "=", accountId)
      .where("idempotency_keys.key", "=", key)
      .executeTakeFirst();
  }

  async saveIdempotencyKey(accountId: string, key: string, statusId: string, now: string): Promise<void> {
    await this.db.insertInto("idempotency_keys").values({ account_id: accountId, key, status_id: statusId, created_at: now }).execute();
  }

  async countLocal(): Promise<number> {
    const row = await this.db.selectFrom("statuses").select((eb) => eb.fn.countAll().as("n")).where("local", "=", 1).where("reblog_of_id", "is", null).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
