// The one place where full-text search differs between the databases (issue 15).
//
// Both engines index the same normalized text (domain/search/normalize.ts: lowercase, NFKC,
// punctuation as spaces, CJK as bigrams), kept in `status_search`, one row per indexed status,
// whose foreign key to statuses cascades: whatever deletes a status (a Delete, pruning, an
// account purge) takes its index row with it.
// - SQLite: an FTS5 table over status_search (external content, rowid = status id) kept in step
//   by triggers; the porter stemmer (English) over unicode61; its segments merged sixteen at a time
//   (mergeSegmentsSixteenAtATime). FTS5 hands out matches in rowid
//   order, so "the newest N matches" reads only N postings; relevance is scored by the caller
//   from the stored text (bm25 would read every posting of each word).
// - PostgreSQL: a tsvector column with a GIN index: the post's language configuration (en →
//   english, de → german, …) joined with `simple`, so exact words match in every language and
//   stems in the known one; a query term matches either. ts_rank for relevance. Words common by
//   PostgreSQL's own statistics (lexemeStatistics) are looked for among the newest rows, walking
//   the primary key; others through the GIN index.
//   Each document also holds one position-less lexeme naming the day of its status ("~" and the
//   day number, from the id: RECENCY below; no query word can spell it, normalize.ts leaves no
//   "~"): the GIN index can then answer "these words, posted on these days" by itself, so a
//   phrase or a CJK word (whose every candidate row must be re-checked in the heap, one page read
//   each) is looked for among the newest days first instead of among all of its matches.
// Posts are indexed after their commit, in batches (domain/search/indexer.ts); claiming a batch of
// pending ids is the one other statement that differs (claimPendingDocuments).
import { PostgresAdapter, sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import { keptPrepared } from "../prepared.ts";
import { queryTemplate } from "../query-templates.ts";
import type { DB } from "../schema.ts";

export type FullTextEngine = "sqlite" | "postgres";

export function engineOf(db: Kysely<any>): FullTextEngine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** PostgreSQL text search configurations for the ISO 639-1 languages it ships stemmers for. */
const CONFIGURATIONS: Record<string, string> = {
  en: "english", de: "german", fr: "french", es: "spanish", it: "italian", pt: "portuguese", nl: "dutch",
  ru: "russian", sv: "swedish", nb: "norwegian", nn: "norwegian", no: "norwegian", da: "danish",
  fi: "finnish", hu: "hungarian", ro: "romanian", tr: "turkish",
};

/**
 * Parses a word with every configuration a document may be indexed in: a new connection's first
 * use of each loads its dictionaries (dialects/postgres.ts, warmConnections).
 */
export const LOAD_DICTIONARIES = `select count(to_tsvector(c, 'warm')) from unnest(array[${[...new Set(["simple", ...Object.values(CONFIGURATIONS)])].map((c) => `'${c}'`).join(", ")}]::regconfig[]) as c`;

export function configurationFor(language: string | null | undefined): string {
  return (language && CONFIGURATIONS[language.toLowerCase().split(/[_-]/)[0]!]) || "simple";
}

export async function createFullTextSchema(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === "postgres") {
    await sql`create table status_search (
      status_id bigint primary key references statuses(id) on delete cascade,
      has_link integer not null default 0,
      document tsvector not null)`.execute(db);
    await sql`create index status_search_document on status_search using gin (document)`.execute(db);
    return;
  }
  // "integer primary key" makes status_id the rowid, which the FTS5 table shares.
  await sql`create table status_search (
    status_id integer primary key references statuses(id) on delete cascade,
    has_link integer not null default 0,
    document text not null)`.execute(db);
  await sql`create virtual table status_search_fts using fts5(
    document, content='status_search', content_rowid='status_id',
    tokenize='porter unicode61 remove_diacritics 0')`.execute(db);
  await sql`create trigger status_search_insert after insert on status_search begin
    insert into status_search_fts(rowid, document) values (new.status_id, new.document);
  end`.execute(db);
  await sql`create trigger status_search_delete after delete on status_search begin
    insert into status_search_fts(status_search_fts, rowid, document) values ('delete', old.status_id, old.document);
  end`.execute(db);
  await sql`create trigger status_search_update after update on status_search begin
    insert into status_search_fts(status_search_fts, rowid, document) values ('delete', old.status_id, old.document);
    insert into status_search_fts(rowid, document) values (new.status_id, new.document);
  end`.execute(db);
}

export async function dropFullTextSchema(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === "sqlite") {
    for (const trigger of ["status_search_insert", "status_search_delete", "status_search_update"]) await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
    await sql`drop table if exists status_search_fts`.execute(db);
  }
  await sql`drop table if exists status_search`.execute(db);
}

export interface FullTextDocument {
  statusId: string;
  /** Normalized text (normalize.ts). */
  document: string;
  language: string | null;
  /** A link that is not a mention or a hashtag (has:link), known from the text at once. */
  hasLink: boolean;
}

/**
 * Inserts a new status and, when `queuedAt` is given, queues it for indexing (status_search_pending,
 * as StatusIndexStore.queue does) in the same transaction. PostgreSQL: one statement (a
 * data-modifying WITH), for the queueing was a round trip of its own in every post's transaction,
 * as much of the process's CPU as the status's insert (docs/performance/search.md, "Fourth pass");
 * SQLite: two statements, which cost it no wait.
 */
export async function insertStatusQueued(db: Kysely<DB>, row: StatusValues, queuedAt: string | null): Promise<void> {
  if (queuedAt !== null && engineOf(db) === "postgres") {
    await insertStatusAndQueue(db, { ...row, search_queued_at: queuedAt });
    return;
  }
  await insertStatus(db, row);
  if (queuedAt !== null) await queueStatus(db, { statusId: String(row.id), queuedAt });
}

/** A new status's columns, as StatusStore.insert has them (plain values). */
type StatusValues = Record<string, string | number | boolean | null | undefined>;

// Every post runs these: compiled once (db/query-templates.ts; Kysely's building and compiling
// were ~0.45 ms of a post's ~2 ms of CPU) and kept prepared (nothing to plan but the writes).
const queuedFor = (qc: Kysely<DB>, statusId: unknown, queuedAt: unknown) =>
  qc
    .insertInto("status_search_pending")
    .values({ status_id: statusId as string, queued_at: queuedAt as string })
    .onConflict((oc) => oc.column("status_id").doUpdateSet({ queued_at: queuedAt as string }));
const insertStatus = queryTemplate((db: Kysely<DB>, row: StatusValues) => db.insertInto("statuses").values(row as never), { keepPrepared: true });
const queueStatus = queryTemplate((db: Kysely<DB>, p: { statusId: string; queuedAt: string }) => queuedFor(db, p.statusId, p.queuedAt), { keepPrepared: true });
const insertStatusAndQueue = queryTemplate(
  (db: Kysely<DB>, p: StatusValues) => {
    const { search_queued_at: queuedAt, ...row } = p;
    return db.with("queued", (qc) => queuedFor(qc as Kysely<DB>, row.id, queuedAt).returning("status_id")).insertInto("statuses").values(row as never);
  },
  { keepPrepared: true },
);

/**
 * Inserts or replaces the index rows of these statuses (one statement). PostgreSQL: the documents
 * as five arrays unnested, one text whatever the batch's size, kept prepared — a row of VALUES for
 * each document was a new statement for every batch, and planning it evaluated each document's
 * `to_tsvector`s (constant arguments) at plan time: 30-40 % more of the database's time a document
 * (docs/performance/search.md, "Fifth pass"). A document in the `simple` configuration (a language
 * without a stemmer) is parsed once, not twice into the same lexemes.
 */
export async function upsertDocuments(db: Kysely<any>, documents: readonly FullTextDocument[]): Promise<void> {
  if (documents.length === 0) return;
  if (engineOf(db) === "postgres") {
    const ids = documents.map((d) => d.statusId);
    const links = documents.map((d) => (d.hasLink ? 1 : 0));
    const configurations = documents.map((d) => configurationFor(d.language));
    const texts = documents.map((d) => d.document);
    const days = documents.map((d) => `~${RECENCY.dayOf(d.statusId)}`);
    await keptPrepared(sql`insert into status_search (status_id, has_link, document)
      select u.id, u.link, case when u.configuration = 'simple'::regconfig then to_tsvector('simple', u.text)
          else to_tsvector(u.configuration, u.text) || to_tsvector('simple', u.text) end || array_to_tsvector(array[u.day])
        from unnest(${ids}::bigint[], ${links}::integer[], ${configurations}::regconfig[], ${texts}::text[], ${days}::text[]) as u(id, link, configuration, text, day)
      on conflict (status_id) do update set has_link = excluded.has_link, document = excluded.document`).execute(db);
    return;
  }
  const rows = documents.map((d) => sql`(${d.statusId}, ${d.hasLink ? 1 : 0}, ${d.document})`);
  await sql`insert into status_search (status_id, has_link, document) values ${sql.join(rows)}
    on conflict (status_id) do update set has_link = excluded.has_link, document = excluded.document`.execute(db);
}

/**
 * Days as the index knows them (PostgreSQL only): a status id is its creation time in milliseconds
 * shifted left 16 bits (util/ids.ts), so its day is the id's, whatever clock or server made it.
 */
export const RECENCY = {
  dayOf(statusId: string): number {
    return Number((BigInt(statusId) >> 16n) / 86_400_000n);
  },
  /** The smallest id a status of that day can have. */
  firstIdOf(day: number): string {
    return ((BigInt(day) * 86_400_000n) << 16n).toString();
  },
} as const;

/**
 * Migration 0037, PostgreSQL (SQLite has nothing to do): every document gains its day's lexeme,
 * and the GIN index's pending list (where fastupdate puts new entries until they are merged into
 * the index) is kept to 256 kB instead of 4 MB: every search scans all of it, ~10 ms when full.
 */
export async function addDayLexemes(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await sql`update status_search set document = document || array_to_tsvector(array['~' || ((status_id >> 16) / 86400000)::text])`.execute(db);
  await sql`alter index status_search_document set (gin_pending_list_limit = 256)`.execute(db);
}

/**
 * Migration 0040, PostgreSQL: the GIN index's pending list may hold 4 MB again (PostgreSQL's
 * default), as a backstop only: the indexer merges it itself every MERGE_EVERY documents, or as
 * soon as posting is quiet (mergePendingEntries). Merging many documents' entries at once costs a
 * fraction of merging them 256 kB at a time — each lexeme's posting tree is walked once for all
 * of them (docs/performance/search.md, "Eighth pass").
 */
export async function raisePendingListLimit(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await sql`alter index status_search_document set (gin_pending_list_limit = 4096)`.execute(db);
}

/**
 * Migration 0041, SQLite: status_search_pending keyed by its rowid. Declared `bigint primary key`
 * (0036), SQLite kept the rows in a rowid B-tree and the key in a second one, so every post's
 * queueing wrote a page of each into the WAL, and each checkpoint copied both: 30-40 µs of a
 * ~430 µs post in process, against 5-15 µs with one B-tree (docs/performance/search.md, "Ninth
 * pass"). PostgreSQL's heap and key index are what they were.
 */
export async function queueAsRowidTable(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== "sqlite") return;
  await sql`create table status_search_pending_rowid (status_id integer primary key, queued_at text not null)`.execute(db);
  await sql`insert into status_search_pending_rowid (status_id, queued_at) select status_id, queued_at from status_search_pending`.execute(db);
  await sql`drop table status_search_pending`.execute(db);
  await sql`alter table status_search_pending_rowid rename to status_search_pending`.execute(db);
}

/**
 * Migration 0042, SQLite: FTS5 merges its index's segments 16 at a time (its most) instead of 4,
 * so each document's entries are rewritten about log16 rather than log4 times of the segments'
 * count as the index grows: the sweep's CPU a post at 1M posts 44-46 -> 24-25 µs, searches reading
 * 13-25 segments instead of 10-13 with no change measurable (docs/performance/search.md, "Ninth
 * pass"). Kept in the FTS5 table's own configuration. PostgreSQL: nothing to do.
 */
export async function mergeSegmentsSixteenAtATime(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== "sqlite") return;
  // The number in the text: bound as a parameter, FTS5 refused it ("SQL logic error").
  await sql`insert into status_search_fts(status_search_fts, rank) values ('automerge', 16)`.execute(db);
}

/**
 * Merges the entries waiting in the GIN index's pending list into the index (PostgreSQL: every
 * search reads that list whole, so it is kept short); SQLite's FTS5 merges its segments itself.
 */
export async function mergePendingEntries(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await sql`select gin_clean_pending_list('status_search_document'::regclass)`.execute(db);
}

/** PostgreSQL's own statistics of the most common lexemes (a share of rows each), kept a while per process. */
let lexemeCache: { until: number; stats: LexemeStatistics } | null = null;
const LEXEME_CACHE_MS = 10 * 60_000;

export interface LexemeStatistics {
  /** The share of indexed documents holding each of the most common lexemes. */
  frequencies: Map<string, number>;
  /** The share of the least common of them: a lexeme not listed is in fewer documents than this. */
  floor: number;
  /** About how many documents the index holds. */
  rows: number;
}

/**
 * The statistics ANALYZE keeps of the index's lexemes (pg_stats.most_common_elems: the planner's
 * own figures); none on SQLite and before any ANALYZE. Only a choice of plan depends on them,
 * never a result.
 */
export async function lexemeStatistics(db: Kysely<any>): Promise<LexemeStatistics> {
  const none = { frequencies: new Map<string, number>(), floor: 1, rows: 0 };
  if (engineOf(db) !== "postgres") return none;
  if (lexemeCache && lexemeCache.until > Date.now()) return lexemeCache.stats;
  const result = await sql<{ elems: string | null; freqs: number[] | null; rows: number | string | null }>`select s.most_common_elems::text as elems, s.most_common_elem_freqs as freqs, c.reltuples as rows
    from pg_stats s inner join pg_class c on c.relname = s.tablename and c.relnamespace = to_regnamespace(s.schemaname)
    where s.tablename = 'status_search' and s.attname = 'document' and s.schemaname = current_schema()`.execute(db);
  const row = result.rows[0];
  let stats = none;
  if (row?.elems && row.freqs) {
    // An array of text in its text form: {a,b,"c d"}; lexemes are the words normalize.ts leaves.
    const elems = row.elems.slice(1, -1).split(",").map((e) => (e.startsWith('"') ? e.slice(1, -1).replace(/\\(.)/g, "$1") : e));
    const frequencies = new Map<string, number>();
    elems.forEach((e, i) => frequencies.set(e, Number(row.freqs![i] ?? 0)));
    stats = { frequencies, floor: Math.min(...frequencies.values()), rows: Math.max(0, Number(row.rows ?? 0)) };
  }
  lexemeCache = { until: Date.now() + LEXEME_CACHE_MS, stats };
  return stats;
}

/** Whether fullTextMatch can narrow a match to days in the index itself (PostgreSQL's day lexemes). */
export function hasDayLexemes(db: Kysely<any>): boolean {
  return engineOf(db) === "postgres";
}

/** The oldest and newest indexed statuses' ids (the primary key's two ends), or null when the index is empty. */
export async function indexedIdBounds(db: Kysely<any>): Promise<{ oldest: string; newest: string } | null> {
  // Kept prepared: without parameters its one plan is the generic one, parsed once per connection.
  const result = await keptPrepared(sql<{ oldest: string | number | bigint | null; newest: string | number | bigint | null }>`select min(status_id) as oldest, max(status_id) as newest from status_search`).execute(db);
  const row = result.rows[0];
  return row && row.oldest !== null && row.newest !== null ? { oldest: String(row.oldest), newest: String(row.newest) } : null;
}

export async function removeDocument(db: Kysely<any>, statusId: string): Promise<void> {
  await sql`delete from status_search where status_id = ${statusId}`.execute(db);
}

export interface FullTextPhrase {
  text: string;
  prefix: boolean;
}

/** What a statuses query needs to match text: the source (with the status id), the condition, a score. */
export interface FullTextMatch {
  /** A FROM item; `statusId` names the matched status's id in it. */
  from: RawBuilder<unknown>;
  statusId: RawBuilder<unknown>;
  where: RawBuilder<SqlBool>;
  /**
   * Higher is more relevant; null when the engine's own score is too dear (FTS5's bm25 counts
   * every match of each word for each query: tens of milliseconds for a common word at a million
   * posts) — the caller then scores the candidates' stored text itself.
   */
  score: RawBuilder<number> | null;
}

/**
 * The match of `terms` (all of them) and none of `excluded`; at least one term is required.
 * `language` (from language:xx) picks PostgreSQL's stemmer for the query; English otherwise.
 * `days` (PostgreSQL only, see hasDayLexemes): only statuses of these days (RECENCY.dayOf), a
 * condition the GIN index answers together with the words. `newestRows` (PostgreSQL only): only
 * among the `limit` newest indexed statuses below `belowId`, for words common enough that these
 * hold the matches wanted (lexemeStatistics).
 */
export function fullTextMatch(
  db: Kysely<any>,
  query: { terms: readonly FullTextPhrase[]; excluded: readonly FullTextPhrase[]; language: string | null },
  days: readonly number[] | null = null,
  newestRows: { limit: number; belowId: string | null } | null = null,
): FullTextMatch {
  if (engineOf(db) === "postgres") {
    const stemmer = query.language ? configurationFor(query.language) : "english";
    const phrase = (p: FullTextPhrase) =>
      p.prefix
        ? sql`to_tsquery('simple', ${`'${p.text.replace(/'/g, "''")}':*`})`
        : sql`(phraseto_tsquery('simple', ${p.text}) || phraseto_tsquery(${stemmer}::regconfig, ${p.text}))`;
    const parts = [...query.terms.map(phrase), ...query.excluded.map((p) => sql`!!${phrase(p)}`)];
    const tsquery = sql`(${sql.join(parts, sql` && `)})`;
    // Day numbers are integers of our own making: safe inside the tsquery literal.
    const within = days && days.length ? sql` && ${days.map((d) => `'~${Math.trunc(d)}'`).join(" | ")}::tsquery` : sql``;
    // newestRows: only the newest rows of the index (below an id), read by walking its primary key.
    const below = newestRows?.belowId ? sql`where status_id < ${newestRows.belowId}` : sql``;
    return {
      from: newestRows ? sql`(select status_id, document from status_search ${below} order by status_id desc limit ${newestRows.limit}) ss` : sql`status_search ss`,
      statusId: sql`ss.status_id`,
      where: sql<SqlBool>`ss.document @@ (${tsquery}${within})`,
      score: sql<number>`ts_rank(ss.document, ${tsquery})`,
    };
  }
  const phrase = (p: FullTextPhrase) => `"${p.text.replace(/"/g, '""')}"${p.prefix ? "*" : ""}`;
  let expression = `(${query.terms.map(phrase).join(" AND ")})`;
  if (query.excluded.length) expression += ` NOT (${query.excluded.map(phrase).join(" OR ")})`;
  return {
    from: sql`status_search_fts`,
    statusId: sql`status_search_fts.rowid`,
    where: sql<SqlBool>`status_search_fts match ${expression}`,
    score: null,
  };
}

/**
 * Claims up to `limit` statuses waiting to be indexed (status_search_pending, 0036), oldest ids
 * first, or only those of `only`, by deleting their rows: call it inside the transaction that
 * indexes them, so that a rollback or a crash leaves them pending. PostgreSQL takes only rows no
 * other process's sweep holds (SKIP LOCKED), so several workers drain disjoint batches without
 * waiting on each other, and a post edited meanwhile (its queueing locks the row) is skipped until
 * that commits; SQLite serializes writers, so the plain statement is already a claim there.
 */
export async function claimPendingDocuments(db: Kysely<any>, limit: number, only?: readonly string[]): Promise<string[]> {
  if (only && only.length === 0) return [];
  const lock = engineOf(db) === "postgres" ? sql`for update skip locked` : sql``;
  const where = only ? sql`where status_id in (${sql.join(only)})` : sql``;
  const result = await sql<{ status_id: string | number | bigint }>`delete from status_search_pending where status_id in (
      select status_id from status_search_pending ${where} order by status_id limit ${limit} ${lock})
    returning status_id`.execute(db);
  return result.rows.map((r) => String(r.status_id));
}
