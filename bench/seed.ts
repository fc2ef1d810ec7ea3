// Seeds a database with a synthetic social graph for benchmarks: accounts, statuses spread over
// recent weeks, one reader who follows many of them, and that reader's materialized home feed —
// written in bulk through Kysely so it takes seconds, not hours.
import type { Insertable, Kysely } from "kysely";
import type { DB, HomeFeedTable, StatusesTable } from "../src/db/schema.ts";
import { idAtTime } from "../src/util/ids.ts";

export interface SeedSize {
  accounts: number;
  statuses: number;
  following: number;
}

const BATCH = 500;

async function insertBatches<T>(rows: Iterable<T>, insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      await insert(batch);
      batch = [];
    }
  }
  if (batch.length) await insert(batch);
}

/** Deterministic pseudo-random numbers, so two runs seed the same data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What a seeded status says; the default is a short numbered text. */
export type SeedText = (n: number) => { text: string; language: string };

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export async function seed(db: Kysely<DB>, origin: string, size: SeedSize, readerAccountId: string, log: (line: string) => void, textOf: SeedText = (n) => ({ text: `status ${n}`, language: "en" })): Promise<void> {
  const now = Date.now();
  const rand = random(42);
  const accountIds: string[] = [];
  const created = new Date(now - 400 * 86400_000).toISOString();
  // Account ids: spaced so they never collide with ids of real objects created now.
  const baseId = BigInt(idAtTime(new Date(now - 500 * 86400_000)));
  for (let i = 0; i < size.accounts; i++) accountIds.push((baseId + BigInt(i)).toString());

  await db.transaction().execute(async (tx) => {
    await insertBatches(accountIds.map((id, i) => ({
      id, username: `bench${i}`, domain: null, display_name: `Bench ${i}`, note: "", fields: "[]", locked: 0 as const, bot: 0 as const,
      discoverable: 1 as const, indexable: 1 as const, uri: `${origin}/users/bench${i}`, url: `${origin}/@bench${i}`, avatar_url: null, header_url: null,
      followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: null, suspended_at: null, created_at: created, updated_at: created,
      inbox_url: null, shared_inbox_url: null, followers_url: null, featured_url: null, also_known_as: null, fetched_at: null, actor_type: "Person", moved_to_account_id: null,
    })), (batch) => tx.insertInto("accounts").values(batch).execute());
  });
  log(`seeded ${size.accounts} accounts`);

  // The reader follows `following` accounts chosen evenly.
  const step = Math.max(1, Math.floor(size.accounts / size.following));
  const followed = new Set<string>();
  for (let i = 0; i < size.accounts && followed.size < size.following; i += step) followed.add(accountIds[i]);
  await db.transaction().execute(async (tx) => {
    let n = 0;
    await insertBatches([...followed].map((target) => ({
      id: (baseId - 1_000_000n - BigInt(n++)).toString(), account_id: readerAccountId, target_account_id: target, uri: null, created_at: created, show_reblogs: 1 as const, notify: 0 as const,
    })), (batch) => tx.insertInto("follows").values(batch).execute());
  });
  log(`the reader follows ${followed.size} accounts`);

  // Statuses over the last 30 days; those by followed accounts also go into the reader's feed,
  // exactly what fan-out on write would have done.
  const span = 30 * 86400_000;
  const perChunk = 50_000;
  for (let done = 0; done < size.statuses; done += perChunk) {
    const count = Math.min(perChunk, size.statuses - done);
    const statuses: Insertable<StatusesTable>[] = [];
    const feed: Insertable<HomeFeedTable>[] = [];
    for (let i = 0; i < count; i++) {
      const at = now - span + Math.floor(((done + i) / size.statuses) * span);
      const id = ((BigInt(at) << 16n) | BigInt(i & 0xffff)).toString();
      const author = accountIds[Math.floor(rand() * accountIds.length)];
      const iso = new Date(at).toISOString();
      const { text, language } = textOf(done + i);
      statuses.push({
        id, uri: `${origin}/statuses/${id}`, url: null, account_id: author, local: 1 as const, in_reply_to_id: null, in_reply_to_account_id: null,
        reblog_of_id: null, conversation_id: id, text, content: `<p>${escapeHtml(text)}</p>`, spoiler_text: "", sensitive: 0 as const,
        visibility: (rand() < 0.85 ? "public" : "private") as "public" | "private", language, application_id: null,
        replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: iso, updated_at: iso,
      });
      if (followed.has(author)) feed.push({ account_id: readerAccountId, status_id: id });
    }
    await db.transaction().execute(async (tx) => {
      await insertBatches(statuses, (batch) => tx.insertInto("statuses").values(batch).execute());
      await insertBatches(feed, (batch) => tx.insertInto("home_feed").values(batch).execute());
    });
    log(`seeded ${done + count} statuses`);
  }
}
