// The full-text index of statuses (issue 15): writing documents, the statuses waiting to be indexed
// (status_search_pending), reading what a document is made of, and finding statuses by their words within what a reader may search (the privacy rules are
// SQL here, decided in domain/search/status-search.ts). Engine differences: db/dialects/full-text.ts.
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { DB, StatusesTable } from "../../db/schema.ts";
import { RECENCY, lexemeStatistics, type LexemeStatistics, claimPendingDocuments, fullTextMatch, hasDayLexemes, indexedIdBounds, mergePendingEntries, removeDocument, upsertDocuments, type FullTextDocument, type FullTextPhrase } from "../../db/dialects/full-text.ts";
import { keptPrepared } from "../../db/prepared.ts";
import { notDomainBlockedBy, notLimitedFor, notMutedBy, readableBy } from "../visibility-sql.ts";

export type { FullTextDocument } from "../../db/dialects/full-text.ts";

/** What a status's index document is made of. */
export interface IndexSource {
  id: string;
  content: string;
  spoiler_text: string;
  language: string | null;
  pollOptions: string[];
  mediaDescriptions: (string | null)[];
}

export interface StatusSearchFilter {
  viewerId: string;
  /** Null: no words, only the filters (e.g. "from:me has:poll"). */
  text: { terms: readonly FullTextPhrase[]; excluded: readonly FullTextPhrase[]; language: string | null } | null;
  /** Which statuses the reader may find: their "library" (own and interacted with), public ones of authors who opted in, or both. */
  scope: "all" | "library" | "public";
  authorIs: string[];
  authorIsNot: string[];
  followingOnly: boolean;
  has: { include: string[]; exclude: string[] };
  is: { include: string[]; exclude: string[] };
  language: { include: string[]; exclude: string[] };
  since: string | null;
  until: string | null;
  minId: string | null;
  maxId: string | null;
  /** At most this many candidates, the newest matches the reader may find… */
  window: number;
  /** …among this many newest matches of the words first (without an author filter); older ones, twice as many each time, while the window is short (search). */
  matches: number;
}

/** Beyond this many newest days, PostgreSQL searches the whole index at once (see search()). */
const RECENCY_MAX_DAYS = 120;
/** Words in at least this share of posts are looked for among the newest rows first (see search()). */
const WALK_MIN_FREQUENCY = 0.05;
/** A word PostgreSQL's statistics leave out, when that means at most this many posts, is looked for in the whole index at once. */
const RARE_MAX_MATCHES = 5000;
/** A search short of its window reads on among older matches, at most this many times `matches` in all (see search()). */
const MATCHES_READ_FACTOR = 10;

/**
 * The share of posts holding every word of the query, at most: its rarest word's share as the
 * statistics show it, and whether that word is one they leave out (rarer than the least common
 * they list). Prefixes are not counted; no statistics: 0.
 */
function commonness(text: NonNullable<StatusSearchFilter["text"]>, stats: LexemeStatistics): { share: number; unlisted: boolean } {
  if (stats.frequencies.size === 0) return { share: 0, unlisted: false };
  let share = 1;
  let unlisted = false;
  for (const term of text.terms) {
    if (term.prefix) continue;
    for (const word of term.text.split(" ")) {
      const listed = stats.frequencies.get(word);
      if (listed === undefined) unlisted = true;
      share = Math.min(share, listed ?? stats.floor);
    }
  }
  return { share, unlisted };
}

export interface StatusSearchHit {
  id: string;
  /** The engine's relevance, or null: then `document` (the normalized text) is returned to be scored. */
  score: number | null;
  document: string | null;
  created_at: string;
}

export class StatusIndexStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  upsert(documents: readonly FullTextDocument[]): Promise<void> {
    return upsertDocuments(this.db, documents);
  }

  remove(statusId: string): Promise<void> {
    return removeDocument(this.db, statusId);
  }

  /** Merges the documents written lately into the index proper (PostgreSQL's GIN pending list; nothing on SQLite). */
  mergePending(): Promise<void> {
    return mergePendingEntries(this.db);
  }

  /** Marks statuses to be (re)indexed; a status already waiting is marked again (see claimPending). */
  async queue(statusIds: readonly string[], now: string): Promise<void> {
    if (statusIds.length === 0) return;
    await this.db
      .insertInto("status_search_pending")
      .values(statusIds.map((status_id) => ({ status_id, queued_at: now })))
      .onConflict((oc) => oc.column("status_id").doUpdateSet((eb) => ({ queued_at: eb.ref("excluded.queued_at") })))
      .execute();
  }

  /** Up to `limit` waiting statuses (or those of `only`), their rows deleted, for the calling transaction to index (db/dialects/full-text.ts). */
  claimPending(limit: number, only?: readonly string[]): Promise<string[]> {
    return claimPendingDocuments(this.db, limit, only);
  }

  async pendingCount(): Promise<number> {
    const row = await this.db.selectFrom("status_search_pending").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * What the documents of these statuses are made of, in one query (their text, poll options and
   * media descriptions as rows of one union, in order); statuses deleted since, and boosts, are
   * left out.
   */
  async sourcesOf(statusIds: readonly string[]): Promise<IndexSource[]> {
    if (statusIds.length === 0) return [];
    const ids = sql.join(statusIds);
    const result = await sql<{ status_id: string | number | bigint; part: number | string; text: string | null; spoiler_text: string | null; language: string | null }>`
      select s.id as status_id, 0 as part, 0 as position, s.content as text, s.spoiler_text as spoiler_text, s.language as language
        from statuses s where s.id in (${ids}) and s.reblog_of_id is null
      union all
      select p.status_id, 1, o.position, o.title, null, null
        from polls p inner join poll_options o on o.poll_id = p.id where p.status_id in (${ids})
      union all
      select m.status_id, 2, m.position, m.description, null, null
        from media_attachments m where m.status_id in (${ids}) and m.position >= 0
      order by 1, 2, 3`.execute(this.db);
    const sources = new Map<string, IndexSource>();
    for (const row of result.rows) {
      const id = String(row.status_id);
      const part = Number(row.part);
      if (part === 0) {
        sources.set(id, { id, content: row.text ?? "", spoiler_text: row.spoiler_text ?? "", language: row.language, pollOptions: [], mediaDescriptions: [] });
        continue;
      }
      // Parts sort after their status's text; a poll or media row of a boost or a deleted status has none.
      const source = sources.get(id);
      if (part === 1) source?.pollOptions.push(row.text ?? "");
      else source?.mediaDescriptions.push(row.text);
    }
    return [...sources.values()];
  }

  /**
   * The next `limit` statuses after `afterId` in id order, for rebuilding the index: `last` is
   * where to go on from (null at the end), `sources` those that are not boosts. Boosts are left out
   * here rather than in SQL, so that both engines walk the primary key (a condition on
   * reblog_of_id makes SQLite scan its index and sort, every batch).
   */
  async batchAfter(afterId: string | null, limit: number): Promise<{ last: string | null; sources: IndexSource[] }> {
    let q = this.db.selectFrom("statuses").select(["id", "content", "spoiler_text", "language", "reblog_of_id"]);
    if (afterId !== null) q = q.where("id", ">", afterId);
    const rows = await q.orderBy("id").limit(limit).execute();
    return { last: rows.length ? rows[rows.length - 1]!.id : null, sources: await this.withParts(rows.filter((r) => r.reblog_of_id === null)) };
  }

  private async withParts(rows: readonly Pick<StatusesTable, "id" | "content" | "spoiler_text" | "language">[]): Promise<IndexSource[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const options = await this.db
      .selectFrom("polls")
      .innerJoin("poll_options", "poll_options.poll_id", "polls.id")
      .select(["polls.status_id", "poll_options.title"])
      .where("polls.status_id", "in", ids)
      .orderBy("poll_options.position")
      .execute();
    const media = await this.db.selectFrom("media_attachments").select(["status_id", "description"]).where("status_id", "in", ids).where("position", ">=", 0).orderBy("position").execute();
    return rows.map((r) => ({
      id: r.id,
      content: r.content,
      spoiler_text: r.spoiler_text,
      language: r.language,
      pollOptions: options.filter((o) => o.status_id === r.id).map((o) => o.title),
      mediaDescriptions: media.filter((m) => m.status_id === r.id).map((m) => m.description),
    }));
  }

  /** How many statuses the index holds, and how many it could hold (for the reindex's progress). */
  async counts(): Promise<{ indexed: number; statuses: number }> {
    const indexed = await sql<{ n: number | string }>`select count(*) as n from status_search`.execute(this.db);
    const statuses = await this.db.selectFrom("statuses").select((eb) => eb.fn.countAll().as("n")).where("reblog_of_id", "is", null).executeTakeFirstOrThrow();
    return { indexed: Number(indexed.rows[0]?.n ?? 0), statuses: Number(statuses.n) };
  }

  /**
   * The newest `window` statuses matching the filter that the reader may find, with a relevance
   * score (0 without words). Newest first: both engines read matches in id order and stop. (No
   * JIT and no parallel workers: set on every PostgreSQL connection, db/dialects/postgres.ts.)
   *
   * A window the newest `matches` matches leave short (most of them private, or by authors who
   * did not opt in) goes on among the next, older matches — below the oldest match already read,
   * twice as many each time — until it is full, the matches run out, or MATCHES_READ_FACTOR times
   * `matches` have been read: a reader finds a readable older post behind thousands of newer
   * ones, and a search never reads the whole index for it. Each page is an ordinary search with
   * `max_id` at that match, so the hits stay the newest ones the reader may find.
   */
  async search(filter: StatusSearchFilter): Promise<StatusSearchHit[]> {
    const shape: SearchShape = { sparse: false, allRead: false };
    const hits = await this.searchIn(filter, shape);
    // Without words, or with an author, a search reads every match it needs already.
    if (hits.length >= filter.window || filter.text === null || filter.authorIs.length > 0) return hits;
    const budget = filter.matches * MATCHES_READ_FACTOR;
    let page = filter;
    let read = filter.matches;
    for (;;) {
      // The page counted its matches and read them all: there are no older ones (one statement fewer).
      if (shape.allRead) return hits;
      // The oldest match the page read (the `matches`-th newest), if it read as many as it could.
      const boundary = await this.oldestMatchRead(page, shape.sparse);
      if (boundary === null || read >= budget) return hits;
      const matches = Math.min(page.matches * 2, budget - read);
      page = { ...page, maxId: boundary, window: filter.window - hits.length, matches };
      read += matches;
      hits.push(...(await this.searchIn(page, shape)));
      if (hits.length >= filter.window) return hits;
    }
  }

  /**
   * The `filter.matches`-th newest match of the words within the filter's ids, or null when there
   * are fewer: where the page that read them stopped. `sparse` as the page's last statement read
   * them (PostgreSQL: sorted after the GIN index found them, not a walk of the primary key).
   */
  private async oldestMatchRead(filter: StatusSearchFilter, sparse: boolean): Promise<string | null> {
    const { db } = this;
    const m = fullTextMatch(db, filter.text!);
    const conditions = [
      m.where,
      ...(filter.minId ? [sql<SqlBool>`${m.statusId} > ${filter.minId}`] : []),
      ...(filter.maxId ? [sql<SqlBool>`${m.statusId} < ${filter.maxId}`] : []),
    ];
    const order = sparse ? sql`(${m.statusId} + 0)` : m.statusId;
    const result = await sql<{ sid: string | number | bigint }>`select ${m.statusId} as sid from ${m.from}
      where ${sql.join(conditions, sql` and `)} order by ${order} desc limit 1 offset ${filter.matches - 1}`.execute(db);
    const row = result.rows[0];
    return row ? String(row.sid) : null;
  }

  /** One search; `shape` tells how its last statement read the matches (for search's pages). */
  private async searchIn(filter: StatusSearchFilter, shape: SearchShape): Promise<StatusSearchHit[]> {
    const { db } = this;
    const conditions = [sql<SqlBool>`s.reblog_of_id is null`, ...this.privacy(filter), ...this.filters(filter)];
    const where = sql.join(conditions, sql` and `);
    if (filter.text === null) {
      const result = await sql<StatusSearchHit>`select s.id as id, s.created_at as created_at from statuses s
        where ${where} order by s.id desc limit ${filter.window}`.execute(db);
      return result.rows.map((r) => ({ id: String(r.id), score: 0, document: null, created_at: r.created_at }));
    }
    const match = fullTextMatch(db, filter.text);
    const score = match.score ?? sql`null`;
    const document = match.score === null ? sql`(select sd.document from status_search sd where sd.status_id = s.id)` : sql`null`;
    if (filter.authorIs.length > 0) {
      // One author's posts: few enough to check each match against the rules in one pass.
      const result = await sql<StatusSearchHit>`select s.id as id, ${score} as score, ${document} as document, s.created_at as created_at
        from ${match.from} inner join statuses s on s.id = ${match.statusId}
        where ${match.where} and ${where}
        order by ${match.statusId} desc limit ${filter.window}`.execute(db);
      return result.rows.map(hitOf);
    }
    // First the newest `matches` matches from the text index alone — so that each engine picks
    // its plan by the words' frequency only (PostgreSQL: walking the primary key for common
    // words, the GIN index for rarer ones) — then the rules and filters on those, newest first,
    // so that the database stops at `window` (the ranking is ours).
    const range = [
      ...(filter.minId ? [sql<SqlBool>`${match.statusId} > ${filter.minId}`] : []),
      ...(filter.maxId ? [sql<SqlBool>`${match.statusId} < ${filter.maxId}`] : []),
    ];
    /**
     * `days`: only matches of these days (newest first, contiguous), also as a range of ids, so
     * that a walk of the primary key stops at the first of them. `sparse`: the words are known to
     * be rare in the newest days, so the matches are sorted after the GIN index finds them all
     * (PostgreSQL's estimate of a word's frequency can be far off, and a LIMIT then makes it walk
     * the primary key newest-first through a table where few rows match — the whole table at worst).
     */
    const newest = async (days: readonly number[] | null, sparse = false, newestRows: number | null = null, count = false) => {
      shape.sparse = sparse;
      shape.allRead = false;
      const m = days || newestRows ? fullTextMatch(db, filter.text!, days, newestRows ? { limit: newestRows, belowId: filter.maxId } : null) : match;
      const within = days ? [sql<SqlBool>`${m.statusId} >= ${RECENCY.firstIdOf(days[days.length - 1]!)}`] : [];
      const order = sparse ? sql`(${m.statusId} + 0)` : m.statusId;
      // The matches in a subquery of their own (its LIMIT keeps either planner from merging it),
      // read first (SQLite keeps a CROSS JOIN's order of loops) and in their order, so that the
      // `window` kept are the newest and no sort comes after the join.
      // `count`: how many matches there are in all (counted before the limit; for a rare word whose
      // matches are all read and sorted anyway), so that a short window need not ask again.
      const total = count ? sql`count(*) over ()` : sql`null`;
      const query = sql<StatusSearchHit & { total: number | string | null }>`select s.id as id, m.score as score, ${document} as document, s.created_at as created_at, m.total as total
      from (select ${m.statusId} as sid, ${score} as score, ${total} as total from ${m.from}
        where ${sql.join([m.where, ...range, ...within], sql` and `)}
        order by ${order} desc limit ${filter.matches}) m
      cross join statuses s
      where s.id = m.sid and ${where}
      order by m.sid desc
      limit ${filter.window}`;
      // The walk of the newest rows and the rare word's sort are one plan whatever the words
      // (EXPLAIN: the generic plan as fast as the custom ones, planned in 0.05-0.1 ms instead of
      // ~2 ms): kept prepared. The days' statement is not: its generic plan walks the primary key
      // through the days (38-84 ms) where a custom plan intersects the GIN index with them (5-8 ms).
      const result = await (newestRows !== null || count ? keptPrepared(query) : query).execute(db);
      const counted = result.rows[0]?.total;
      shape.allRead = counted !== undefined && counted !== null && Number(counted) <= filter.matches;
      return result;
    };
    if (!hasDayLexemes(db)) return (await newest(null)).rows.map(hitOf);
    // PostgreSQL: the newest days first. A match found in the newest D days is newer than any
    // outside them, so once those days hold `window` hits the reader may find, they are exactly
    // the hits the whole index would give; otherwise the days widen, by what the days read so
    // far yielded, until RECENCY_MAX_DAYS, and then the whole index. A phrase or a CJK word then
    // re-checks about as many rows as it needs, not every row holding its words (docs/performance/search.md).
    // Words common enough (PostgreSQL's statistics) that the newest rows hold the window: those
    // rows alone, walking the primary key. A phrase of common words may be rare: then the days.
    const stats = await lexemeStatistics(db);
    const { share, unlisted } = commonness(filter.text, stats);
    if (share >= WALK_MIN_FREQUENCY && !filter.text.terms.some((t) => t.prefix)) {
      const result = await newest(null, false, Math.ceil((filter.window * 2) / share));
      if (result.rows.length >= filter.window) return result.rows.map(hitOf);
    }
    // A word too rare for the statistics to list, in few posts at most: all its matches at once,
    // sorted after the GIN index finds them.
    if (unlisted && stats.floor * stats.rows <= RARE_MAX_MATCHES) return (await newest(null, true, null, true)).rows.map(hitOf);
    const bounds = await indexedIdBounds(db);
    if (bounds === null) return [];
    const last = RECENCY.dayOf(filter.maxId !== null && BigInt(filter.maxId) < BigInt(bounds.newest) ? filter.maxId : bounds.newest);
    const first = RECENCY.dayOf(filter.minId !== null && BigInt(filter.minId) > BigInt(bounds.oldest) ? filter.minId : bounds.oldest);
    // The first days: as many as the window would need (with half again to spare, as below) if every
    // post holding the rarest word matched, at the index's average posts a day — fewer could hardly
    // be enough: a word in 0.4 % of 1M posts over 30 days starts at two days instead of asking for
    // one first. Only the cost depends on it: the days widen from there as before.
    const perDay = share > 0 ? (share * stats.rows) / Math.max(1, RECENCY.dayOf(bounds.newest) - RECENCY.dayOf(bounds.oldest) + 1) : 0;
    let span = perDay > 0 ? Math.max(1, Math.min(RECENCY_MAX_DAYS + 1, Math.ceil((filter.window * 1.5) / perDay))) : 1;
    // Days that reach back to the oldest status that may match are the whole index: one query then.
    while (last - span + 1 > first && span <= RECENCY_MAX_DAYS) {
      const result = await newest(Array.from({ length: span }, (_, i) => last - i));
      const found = result.rows.length;
      if (found >= filter.window) return result.rows.map(hitOf);
      // Days enough for the window at the rate these days gave, with half again to spare (and as
      // if half a hit when none): at least one day more, at most 32 times as many.
      const wanted = Math.ceil((span * filter.window * 1.5) / Math.max(found, 0.5));
      span = Math.max(span + 1, Math.min(wanted, span * 32));
    }
    return (await newest(null, span > 1)).rows.map(hitOf);
  }

  /**
   * Mastodon 4.2's rules: the reader's own statuses and those they favourited, bookmarked,
   * boosted, replied to, voted in or were mentioned in ("library"), and public statuses of authors who
   * opted in (accounts.indexable); always only what they may read, never from authors they
   * block, mute or domain-block or who block them, nor from suspended or (unfollowed) limited ones.
   */
  private privacy(filter: StatusSearchFilter): RawBuilder<SqlBool>[] {
    const viewer = filter.viewerId;
    const library = sql<SqlBool>`(s.account_id = ${viewer}
      or exists (select 1 from favourites sf where sf.status_id = s.id and sf.account_id = ${viewer})
      or exists (select 1 from bookmarks sb where sb.status_id = s.id and sb.account_id = ${viewer})
      or exists (select 1 from mentions sm where sm.status_id = s.id and sm.account_id = ${viewer})
      or exists (select 1 from statuses sr where sr.reblog_of_id = s.id and sr.account_id = ${viewer})
      or exists (select 1 from statuses sp where sp.in_reply_to_id = s.id and sp.account_id = ${viewer})
      or exists (select 1 from polls sq inner join poll_votes sv on sv.poll_id = sq.id where sq.status_id = s.id and sv.account_id = ${viewer}))`;
    const opted = sql<SqlBool>`(s.visibility = 'public' and exists (select 1 from accounts si where si.id = s.account_id and si.indexable = 1))`;
    const scope = filter.scope === "library" ? library : filter.scope === "public" ? opted : sql<SqlBool>`(${opted} or ${library})`;
    return [
      scope,
      sql<SqlBool>`${readableBy(viewer, "s")}`,
      sql<SqlBool>`${notMutedBy(viewer, "s")}`,
      sql<SqlBool>`${notDomainBlockedBy(viewer, "s")}`,
      sql<SqlBool>`${notLimitedFor(viewer, "s")}`,
    ];
  }

  private filters(filter: StatusSearchFilter): RawBuilder<SqlBool>[] {
    const out: RawBuilder<SqlBool>[] = [];
    for (const id of filter.authorIs) out.push(sql<SqlBool>`s.account_id = ${id}`);
    for (const id of filter.authorIsNot) out.push(sql<SqlBool>`s.account_id <> ${id}`);
    if (filter.followingOnly) out.push(sql<SqlBool>`exists (select 1 from follows ff where ff.account_id = ${filter.viewerId} and ff.target_account_id = s.account_id)`);
    for (const property of filter.has.include) out.push(property_(property));
    for (const property of filter.has.exclude) out.push(sql<SqlBool>`not ${property_(property)}`);
    for (const property of filter.is.include) out.push(property_(property));
    for (const property of filter.is.exclude) out.push(sql<SqlBool>`not ${property_(property)}`);
    for (const language of filter.language.include) out.push(sql<SqlBool>`s.language = ${language}`);
    for (const language of filter.language.exclude) out.push(sql<SqlBool>`(s.language is null or s.language <> ${language})`);
    if (filter.since) out.push(sql<SqlBool>`s.created_at >= ${filter.since}`);
    if (filter.until) out.push(sql<SqlBool>`s.created_at < ${filter.until}`);
    if (filter.minId) out.push(sql<SqlBool>`s.id > ${filter.minId}`);
    if (filter.maxId) out.push(sql<SqlBool>`s.id < ${filter.maxId}`);
    return out;
  }
}

/** How a search's last statement read the matches: sorted after the GIN index found them all (`sparse`), and whether it counted them all (`allRead`). */
interface SearchShape {
  sparse: boolean;
  allRead: boolean;
}

function hitOf(r: StatusSearchHit): StatusSearchHit {
  return { id: String(r.id), score: r.score === null ? null : Number(r.score) || 0, document: r.document ?? null, created_at: r.created_at };
}

/** has:/is: properties as conditions on `s` (Mastodon's searchable properties). */
function property_(name: string): RawBuilder<SqlBool> {
  switch (name) {
    case "media":
      return sql<SqlBool>`exists (select 1 from media_attachments pm where pm.status_id = s.id and pm.position >= 0)`;
    case "poll":
      return sql<SqlBool>`exists (select 1 from polls pp where pp.status_id = s.id)`;
    case "link":
      return sql<SqlBool>`exists (select 1 from status_search pl where pl.status_id = s.id and pl.has_link = 1)`;
    case "embed":
      // As Mastodon: the post's preview card is a video (domain/cards fetches it).
      return sql<SqlBool>`exists (select 1 from status_cards pe inner join preview_cards pc on pc.id = pe.card_id where pe.status_id = s.id and pc.state = 'ready' and pc.type = 'video')`;
    case "reply":
      return sql<SqlBool>`(s.in_reply_to_id is not null)`;
    case "sensitive":
      return sql<SqlBool>`(s.sensitive = 1)`;
    default:
      return sql<SqlBool>`(1 = 0)`;
  }
}
