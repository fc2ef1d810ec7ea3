// Posting through the HTTP API with indexing on and off (`./skein bench search --http-rounds N`):
// what a server does for each POST /api/v1/statuses (authentication, parsing, the post's
// transaction, rendering it back, its streaming events), and for the indexing on top, as clients
// drive it. Each round starts `./skein start` on the seed with SEARCH_INDEXING on or off (rounds
// alternate on, off, off, on… as the in-process measurement's do), posts `posts` statuses from
// several clients at once, each signed in as an account of its own, and then waits until nothing
// is left to index. Counted:
// - the server process's CPU time a post, from the first post until every post is indexed, with
//   PostgreSQL's own (its whole cluster) where it runs here: all of the work, wherever it falls;
// - the rate the clients saw (posts / the posting loop's time). The sweep gathers busy posting's
//   posts for up to a second (domain/search/indexer.ts), so the last second's are indexed after
//   the loop: long rounds keep that a small part of the count, and the CPU figure has all of it.
import { loadConfig } from "../src/config/config.ts";
import type { Runtime } from "../src/server/context.ts";
import { openDatabase } from "../src/db/database.ts";
import { StatusIndexStore } from "../src/store/search/status-index.ts";
import { Corpus } from "./search-corpus.ts";
import { median, onOffRound, processUsage, round } from "./measure.ts";
import { signIn, startBenchServer } from "./bench-server.ts";
import { postgresCpuMs } from "./postgres-cpu.ts";

export interface HttpPostingOptions {
  /** Posts per round; rounds alternate indexing on and off. */
  posts: number;
  rounds: number;
  /**
   * The accounts that post, one client each, side by side (writerAccounts). Not one account from
   * every client: each post updates its author's row (statuses_count), and on PostgreSQL eight
   * transactions at once on one row wait on its lock and walk its chain of dead versions — the
   * cost of one person posting eight times at once, which no one does (docs/performance/search.md,
   * "Tenth pass").
   */
  writers: Credentials[];
}

type Credentials = { username: string; password: string };

export async function measurePostingOverHttp(env: Record<string, string>, port: number, options: HttpPostingOptions, log: (line: string) => void): Promise<Record<string, number>> {
  const rates: Record<"on" | "off", number[]> = { on: [], off: [] };
  const cpu: Record<"on" | "off", number[]> = { on: [], off: [] };
  const dbCpu: Record<"on" | "off", number[]> = { on: [], off: [] };
  const corpus = new Corpus(77);
  // The bench's own connection, to see when the server has indexed everything.
  const database = await openDatabase(loadConfig(env).database);
  const index = new StatusIndexStore(database.db);
  // Tokens are rows of the database: signed in once, they serve every round's server.
  let tokens: string[] | null = null;
  try {
    // Round -1 warms the database and the operating system's caches up and is not counted.
    for (let i = -1; i < options.rounds * 2; i++) {
      const mode = onOffRound(i);
      const server = await startBenchServer({ ...env, SEARCH_INDEXING: mode }, port, { wrapper: true });
      try {
        tokens ??= await signInWriters(server.url, options.writers);
        const posters = tokens.map((token) => postOnce(server.url, token, corpus));
        // A fresh process: its code paths, the pool's connections and its start-up collection
        // (server/startup-memory.ts, a second after start) out of the way before timing.
        for (let n = 0; n < 50; n++) await posters[n % posters.length]!();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await indexed(index);
        const pid = server.process.pid!;
        const cpuStarted = processUsage(pid).cpuSeconds * 1000;
        const dbCpuStarted = postgresCpuMs(env.DATABASE_URL);
        const started = performance.now();
        let next = 0;
        await Promise.all(
          posters.map(async (post) => {
            while (next++ < options.posts) await post();
          }),
        );
        const rate = options.posts / ((performance.now() - started) / 1000);
        await indexed(index);
        const cpuEnded = processUsage(pid).cpuSeconds * 1000;
        const dbCpuEnded = postgresCpuMs(env.DATABASE_URL);
        if (i < 0) {
          log(`over HTTP, warm-up round (not counted): ${round(rate)} posts/s`);
          continue;
        }
        rates[mode].push(rate);
        cpu[mode].push((cpuEnded - cpuStarted) / options.posts);
        if (dbCpuStarted !== null && dbCpuEnded !== null) dbCpu[mode].push((dbCpuEnded - dbCpuStarted) / options.posts);
        const dbShown = dbCpu[mode].length ? `, ${round(dbCpu[mode].at(-1)!, 3)} ms of PostgreSQL's` : "";
        log(`over HTTP, indexing ${mode}: ${round(rate)} posts/s, ${round(cpu[mode].at(-1)!, 3)} ms of the server's CPU a post${dbShown}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await database.close();
  }
  const results: Record<string, number> = {
    http_posting_clients: options.writers.length,
    http_posts_per_second_indexing_on: round(median(rates.on)),
    http_posts_per_second_indexing_off: round(median(rates.off)),
    http_indexing_cost_percent: round((1 - median(rates.on) / median(rates.off)) * 100),
    http_server_cpu_ms_per_post_indexing_on: round(median(cpu.on), 3),
    http_server_cpu_ms_per_post_indexing_off: round(median(cpu.off), 3),
    http_indexing_server_cpu_cost_percent: round((1 - median(cpu.off) / median(cpu.on)) * 100),
  };
  if (dbCpu.on.length && dbCpu.off.length) {
    const on = median(cpu.on) + median(dbCpu.on);
    const off = median(cpu.off) + median(dbCpu.off);
    Object.assign(results, {
      http_db_cpu_ms_per_post_indexing_on: round(median(dbCpu.on), 3),
      http_db_cpu_ms_per_post_indexing_off: round(median(dbCpu.off), 3),
      http_indexing_total_cpu_cost_percent: round((1 - off / on) * 100),
    });
  }
  return results;
}

/** A `write:statuses` token for each writer. */
export async function signInWriters(url: string, writers: readonly Credentials[]): Promise<string[]> {
  const tokens = [];
  for (const writer of writers) tokens.push(await signIn(url, writer.username, writer.password, "write:statuses"));
  return tokens;
}

/** One public post through the API per call, its text and language from the corpus. */
export function postOnce(url: string, token: string, corpus: Corpus): () => Promise<void> {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  return async () => {
    const { text, language } = corpus.next();
    const response = await fetch(`${url}/api/v1/statuses`, { method: "POST", headers, body: JSON.stringify({ status: text, visibility: "public", language }) });
    const body = await response.text();
    if (!response.ok) throw new Error(`posting failed: ${response.status} ${body.slice(0, 200)}`);
  };
}

/** Waits until the server has indexed everything queued (polls the queue's size). */
async function indexed(index: StatusIndexStore): Promise<void> {
  while ((await index.pendingCount()) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The credentials of the clients that post over HTTP: "writer_1"… */
export function writerCredentials(count: number): Credentials[] {
  return Array.from({ length: count }, (_, n) => ({ username: `writer_${n + 1}`, password: "bench-password-1" }));
}

/**
 * `count` local accounts for the clients that post over HTTP, made when missing; their
 * credentials. Like the in-process writer, they have not opted in to search.
 */
export async function writerAccounts(runtime: Runtime, count: number): Promise<Credentials[]> {
  const writers = writerCredentials(count);
  for (const writer of writers) {
    if (!(await runtime.stores.accounts.byUsername(writer.username, null))) await runtime.services.accounts.createLocal({ ...writer, email: `${writer.username}@bench.invalid` });
  }
  return writers;
}
