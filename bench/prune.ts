// `./skein bench prune`: what `./skein prune` removes and what it costs, on the timeline
// benchmark's dataset (bench/seed.ts: 10k accounts, 1M statuses over 30 days, a reader following
// 2k accounts) made mostly remote — 90% of the accounts move to 50 remote servers, with their
// posts — plus a realistic share of local interactions and remote extras:
//
//   the reader favourites 2% of remote posts, bookmarks 0.2%, replies to 0.5% (a local post in
//   their thread), boosts 0.5%, is mentioned in 0.2% (with a notification); remote accounts
//   boost 2% of posts; 10% of remote posts carry an attachment, and 1,000 of those have a 10 KB
//   file in the remote-media cache.
//
// Then the prune runs (REMOTE_POST_RETENTION = --older-than, default 7 days) while the reader's
// home timeline is read in a loop beside it. Reported: rows removed per kind, cache files and
// bytes, the database size before and after, the time taken, the timeline reads' latency during
// the prune, and whether the reader's first HOME_FEED_DEPTH home-timeline entries are unchanged.
// The seeded database is thrown away afterwards (a prune changes it), so each run seeds afresh.
import fs from "node:fs";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import type { DB } from "../src/db/schema.ts";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime, type Runtime } from "../src/server/context.ts";
import { HOME_FEED_DEPTH } from "../src/domain/pruning/prune.ts";
import { newId } from "../src/util/ids.ts";
import { benchPostgres, freePort, type PostgresCluster } from "../test/support/postgres-cluster.ts";
import { seed } from "./seed.ts";
import { percentile, round } from "./measure.ts";

const root = path.resolve(import.meta.dirname, "..");

export interface PruneBenchOptions {
  database: "sqlite" | "postgres";
  statuses: number;
  accounts: number;
  following: number;
  olderThanDays: number;
  json: string | null;
}

const READER = { username: "reader", email: "reader@bench.invalid", password: "bench-password-1" };

export async function pruneBench(options: PruneBenchOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const dataDir = path.join(root, "bench-data", `prune-${options.database}-${options.statuses}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  let cluster: PostgresCluster | null = null;
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development" };
  if (options.database === "postgres") ({ url: env.DATABASE_URL, cluster } = await benchPostgres());
  let runtime: Runtime | null = null;
  try {
    const port = await freePort();
    Object.assign(env, { PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}` });
    runtime = await openRuntime(loadConfig(env));
    const db = runtime.database.db;
    const seedStarted = performance.now();
    log(`seeding ${options.accounts} accounts, ${options.statuses} statuses (${options.database})`);
    const { account } = await runtime.services.accounts.createLocal(READER);
    await seed(db, runtime.config.origin, options, account.id, log);
    const extras = await makeMostlyRemote(runtime, account.id, log);
    await sql`analyze`.execute(db);
    log(`seeded in ${round((performance.now() - seedStarted) / 1000)} s`);

    const homeBefore = await homeIds(runtime, account.id);
    const statusesBefore = await count(db, "statuses");
    log(`pruning remote posts older than ${options.olderThanDays} days, reading the home timeline beside it`);
    let pruning = true;
    const reads: number[] = [];
    const reader = (async () => {
      while (pruning) {
        const started = performance.now();
        await runtime!.services.timelines.home(account.id, { limit: 20 });
        reads.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let logged = performance.now();
    const progress = (r: { examined: number; removed: { statuses: number } }) => {
      if (performance.now() - logged < 15_000) return;
      logged = performance.now();
      log(`${r.examined} posts looked at, ${r.removed.statuses} removed`);
    };
    const report = await runtime.services.pruning.prune({ olderThanDays: options.olderThanDays, dryRun: false, progress }).finally(() => (pruning = false));
    await reader;
    const homeAfter = await homeIds(runtime, account.id);
    reads.sort((a, b) => a - b);
    const summary = {
      benchmark: "prune",
      database: options.database,
      statuses: options.statuses,
      accounts: options.accounts,
      older_than_days: options.olderThanDays,
      seeded: extras,
      statuses_before: statusesBefore,
      statuses_after: await count(db, "statuses"),
      examined: report.examined,
      kept: report.kept,
      removed: report.removed,
      db_bytes_before: report.sizeBefore?.bytes ?? null,
      db_bytes_after: report.sizeAfter?.bytes ?? null,
      db_free_bytes_before: report.sizeBefore?.freeBytes ?? null,
      db_free_bytes_after: report.sizeAfter?.freeBytes ?? null,
      seconds: round(report.seconds, 2),
      posts_per_second: round(report.examined / report.seconds),
      timeline_reads_during_prune: reads.length,
      timeline_read_p50_ms: round(percentile(reads, 50), 2),
      timeline_read_p99_ms: round(percentile(reads, 99), 2),
      home_timeline_entries_compared: homeBefore.length,
      home_timeline_unchanged: JSON.stringify(homeBefore) === JSON.stringify(homeAfter),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (options.json) fs.writeFileSync(options.json, `${JSON.stringify([summary], null, 2)}\n`);
    return summary;
  } finally {
    await runtime?.close();
    await cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function count(db: Kysely<DB>, table: "statuses"): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The reader's home timeline as a client pages through it, HOME_FEED_DEPTH entries deep. */
async function homeIds(runtime: Runtime, readerId: string): Promise<string[]> {
  const ids: string[] = [];
  let maxId: string | null = null;
  while (ids.length < HOME_FEED_DEPTH) {
    const page = await runtime.services.timelines.home(readerId, { limit: 40, maxId });
    if (page.length === 0) break;
    ids.push(...page.map((s) => s.id));
    maxId = page[page.length - 1].id;
  }
  return ids.slice(0, HOME_FEED_DEPTH);
}

async function insertAll<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

/** 90% of the accounts (and their posts) become remote; then the interactions and extras. */
async function makeMostlyRemote(runtime: Runtime, readerId: string, log: (line: string) => void): Promise<Record<string, number>> {
  const db = runtime.database.db;
  const benchAccounts = await db.selectFrom("accounts").select(["id", "username"]).where("username", "like", "bench%").orderBy("id").execute();
  const remote = benchAccounts.filter((_, i) => i % 10 !== 0);
  for (let i = 0; i < remote.length; i += 500) {
    await db.transaction().execute(async (tx) => {
      for (const a of remote.slice(i, i + 500)) {
        const host = `remote${Number(BigInt(a.id) % 50n)}.example`;
        await tx.updateTable("accounts").set({
          domain: host, uri: `https://${host}/users/${a.username}`, url: `https://${host}/@${a.username}`, note: `<p>Profile of ${a.username}</p>`,
          avatar_url: `https://${host}/avatars/${a.username}.png`, inbox_url: `https://${host}/users/${a.username}/inbox`, fetched_at: new Date().toISOString(),
        }).where("id", "=", a.id).execute();
      }
    });
  }
  await sql`update statuses set local = 0 where account_id in (select id from accounts where domain is not null)`.execute(db);
  // As the inbox keeps it: when each account last posted.
  await sql`update accounts set last_status_at = (select max(s.created_at) from statuses s where s.account_id = accounts.id), statuses_count = (select count(*) from statuses s where s.account_id = accounts.id) where username like 'bench%'`.execute(db);
  log(`${remote.length} accounts and their posts are now remote`);

  const pick = async (modulo: number, rest: number) =>
    (await sql<{ id: string; conversation_id: string; account_id: string; created_at: string }>`select id, conversation_id, account_id, created_at from statuses where local = 0 and reblog_of_id is null and id % ${modulo} = ${rest}`.execute(db)).rows.map((r) => ({ ...r, id: String(r.id), conversation_id: String(r.conversation_id), account_id: String(r.account_id) }));
  const now = new Date().toISOString();
  const favourites = await pick(50, 0);
  await insertAll(favourites, (b) => db.insertInto("favourites").values(b.map((s) => ({ id: newId(), account_id: readerId, status_id: s.id, uri: null, created_at: now }))).execute());
  const bookmarks = await pick(500, 1);
  await insertAll(bookmarks, (b) => db.insertInto("bookmarks").values(b.map((s) => ({ id: newId(), account_id: readerId, status_id: s.id, uri: null, created_at: now }))).execute());
  // Ids beside their parent's time, with sequence numbers above any seed.ts gives (it numbers
  // up to 50,000 statuses per chunk), so they never collide with a seeded status.
  let extra = 0;
  const idBeside = (at: string) => ((BigInt(Date.parse(at)) << 16n) | BigInt(0xd000 + (extra++ % 0x2fff))).toString();
  const localPost = (s: { id: string; conversation_id: string; created_at: string }, kind: "reply" | "boost") => {
    const id = idBeside(s.created_at);
    return {
      id, uri: `${runtime.config.origin}/users/reader/statuses/${id}`, url: null, account_id: readerId, local: 1 as const, in_reply_to_id: kind === "reply" ? s.id : null,
      in_reply_to_account_id: null, reblog_of_id: kind === "boost" ? s.id : null, conversation_id: s.conversation_id, text: kind === "reply" ? "a reply" : "",
      content: kind === "reply" ? "<p>a reply</p>" : "", spoiler_text: "", sensitive: 0 as const, visibility: "public" as const, language: "en", application_id: null,
      replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: s.created_at, updated_at: s.created_at,
    };
  };
  const replies = await pick(200, 3);
  await insertAll(replies, (b) => db.insertInto("statuses").values(b.map((s) => localPost(s, "reply"))).execute());
  const boosts = await pick(200, 5);
  await insertAll(boosts, (b) => db.insertInto("statuses").values(b.map((s) => localPost(s, "boost"))).execute());
  const mentions = await pick(500, 7);
  await insertAll(mentions, (b) => db.insertInto("mentions").values(b.map((s) => ({ id: newId(), status_id: s.id, account_id: readerId }))).execute());
  await insertAll(mentions, (b) =>
    db.insertInto("notifications").values(b.map((s) => ({ id: newId(new Date(s.created_at)), account_id: readerId, from_account_id: s.account_id, type: "mention" as const, status_id: s.id, group_key: `ungrouped-${s.id}`, created_at: s.created_at }))).execute(),
  );
  // Remote accounts boosting remote posts.
  const remoteBoosted = await pick(50, 9);
  await insertAll(remoteBoosted, (b) =>
    db.insertInto("statuses").values(b.map((s, i) => {
      const id = idBeside(s.created_at);
      const booster = remote[(i * 7) % remote.length].id;
      return { ...localPost(s, "boost"), id, uri: `https://boosts.example/${id}`, account_id: booster, local: 0 as const };
    })).execute(),
  );
  const withMedia = await pick(10, 4);
  await insertAll(withMedia, (b) =>
    db.insertInto("media_attachments").values(b.map((s) => ({
      id: newId(), status_id: s.id, account_id: s.account_id, type: "image" as const, remote_url: `https://media.example/${s.id}.png`, url: null, preview_url: null,
      media_type: "image/png", description: null, blurhash: null, focus_x: null, focus_y: null, width: 1200, height: 800, position: 0, created_at: s.created_at,
    }))).execute(),
  );
  const cachedFiles = withMedia.slice(0, 1000);
  const bytes = new Uint8Array(10_000).fill(1);
  for (const s of cachedFiles) {
    const key = `cache/original/${s.id.padStart(64, "0")}.webp`;
    await runtime.services.mediaStorage.put(key, bytes, { contentType: "image/webp" });
    await runtime.stores.mediaCache.insertPending({ key, sourceUrl: `https://media.example/${s.id}.png`, variant: "original", contentType: "image/webp", bytes: bytes.length, at: now });
    await runtime.stores.mediaCache.markReady(key);
  }
  await runtime.stores.mediaCache.setUsedBytes(cachedFiles.length * bytes.length);
  const extras = {
    favourites: favourites.length, bookmarks: bookmarks.length, local_replies: replies.length, local_boosts: boosts.length, mentions: mentions.length,
    remote_boosts: remoteBoosted.length, attachments: withMedia.length, cached_files: cachedFiles.length,
  };
  log(`interactions and extras: ${JSON.stringify(extras)}`);
  return extras;
}
