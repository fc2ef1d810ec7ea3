// The remote-media cache under load: is it ever above its budget? A fleet of plain HTTP image
// origins on loopback (127.0.0.228–231, reached by name through the test-host map, as the
// federation tests are) serves generated images (noise + gradients, 30–250 KB); a catalog of
// remote attachments points at them; a stream of views with a skewed (Zipf-like) popularity,
// totalling 10× the budget in bytes viewed, goes through the real cache (RemoteMediaCache with
// the real database and local storage), several views at a time. After every admission and
// every view, the bytes under cache/ on disk are summed: the maximum must stay ≤ the budget.
//
// Reported: max bytes on disk (and of the accounting row), fetches, hits, hit rate, bytes
// fetched against bytes viewed, evictions, and what an admission's reservation costs (the
// conditional UPDATE on the accounting row, ms per call).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { loadConfig } from "../src/config/config.ts";
import { openRuntime } from "../src/server/context.ts";
import type { RemoteMediaCache } from "../src/domain/media/remote-cache.ts";
import { bytesUnder, remoteCacheOver } from "../test/support/remote-media.ts";
import { round } from "./measure.ts";

export interface RemoteCacheBenchOptions {
  /** The cache's budget (bytes); the stream views 10× this (viewFactor). */
  budgetBytes: number;
  /** Distinct remote images (default 240). */
  catalog?: number;
  /** Bytes viewed ÷ budget (default 10). */
  viewFactor?: number;
  /** Zipf exponent of popularity (default 1.0: the 1st image is viewed twice as often as the 2nd). */
  zipf?: number;
  /** Share of views that ask for the preview ("small"), made locally from the original (default 0.5). */
  smallShare?: number;
  /** Views in flight at once (default 4). */
  concurrency?: number;
  /**
   * Caches over their own database connections sharing one database and storage, as separate
   * processes would (default 2): each has its own in-flight map, so two may fetch one file, and
   * the accounting must still count it once.
   */
  processes?: number;
  /** PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  seed?: number;
}

export interface RemoteCacheBenchResult {
  budget: number;
  maxBytesOnDisk: number;
  maxAccountedBytes: number;
  withinBudget: boolean;
  views: number;
  bytesViewed: number;
  fetches: number;
  hits: number;
  hitRate: number;
  bytesFetched: number;
  /** Bytes fetched ÷ bytes viewed. */
  fetchRatio: number;
  admitted: number;
  evicted: number;
  notCached: number;
  reserveMsPerCall: number;
  seconds: number;
  database: "sqlite" | "postgres";
  /** Caches sharing the database and storage (as processes would). */
  processes: number;
  /** At the end: accounting row = sum of rows = bytes on disk (nothing counted twice or lost). */
  accountingMatches: boolean;
}

const ORIGINS = ["o1.cache-bench.test", "o2.cache-bench.test", "o3.cache-bench.test", "o4.cache-bench.test"];
const ADDRESSES = ["127.0.0.228", "127.0.0.229", "127.0.0.230", "127.0.0.231"];

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Distinct JPEG images of varied sizes: noise over a gradient, so they compress like photos. */
async function makeImages(count: number, rand: () => number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const width = 200 + Math.floor(rand() * 500);
    const height = 150 + Math.floor(rand() * 400);
    const gradient = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#${Math.floor(rand() * 0xffffff).toString(16).padStart(6, "0")}"/><stop offset="1" stop-color="#${Math.floor(rand() * 0xffffff).toString(16).padStart(6, "0")}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
    );
    const noise = await sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: "gaussian", mean: 128, sigma: 20 + rand() * 50 } } }).png().toBuffer();
    out.push(await sharp(gradient).composite([{ input: noise, blend: "overlay" }]).jpeg({ quality: 70 + Math.floor(rand() * 25) }).toBuffer());
  }
  return out;
}

export async function benchRemoteCache(options: RemoteCacheBenchOptions): Promise<RemoteCacheBenchResult> {
  const rand = random(options.seed ?? 13);
  const catalogSize = options.catalog ?? 240;
  const budget = options.budgetBytes;
  const images = await makeImages(Math.min(catalogSize, 48), rand);
  // Image i of the catalog: bytes of images[i % n] behind its own URL on one of the origins.
  const imageOf = (i: number) => images[i % images.length];

  const servers = await Promise.all(
    ADDRESSES.map(
      (address) =>
        new Promise<http.Server>((resolve, reject) => {
          const server = http.createServer((req, res) => {
            const m = /^\/media\/(\d+)\.jpg$/.exec(req.url ?? "");
            if (!m) return void res.writeHead(404).end();
            const body = imageOf(Number(m[1]));
            res.writeHead(200, { "content-type": "image/jpeg", "content-length": body.length }).end(body);
          });
          server.once("error", reject);
          server.listen(0, address, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-cache-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SKEIN_ENV: "test",
    LOCAL_DOMAIN: "bench.test",
    LOG_LEVEL: "error",
    SKEIN_TEST_HOSTS: ORIGINS.map((name, i) => `${name}=${ADDRESSES[i]}`).join(","),
    REMOTE_MEDIA_CACHE_MAX: String(budget),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const runtime = await openRuntime(config);
  const others = await Promise.all(Array.from({ length: Math.max(0, (options.processes ?? 2) - 1) }, () => openRuntime(config)));
  const started = performance.now();
  try {
    const db = runtime.database.db;
    // The catalog: one remote account per origin, one post with one image per catalog entry.
    const now = new Date().toISOString();
    const accountIds = ORIGINS.map((_, i) => String(900_000_000_000_000n + BigInt(i)));
    await db
      .insertInto("accounts")
      .values(
        ORIGINS.map((domain, i) => ({
          id: accountIds[i], username: "photos", domain, display_name: "", note: "", fields: "[]", locked: 0, bot: 0, discoverable: 1, indexable: 1,
          uri: `https://${domain}/users/photos`, url: `https://${domain}/@photos`, followers_count: 0, following_count: 0, statuses_count: 0,
          created_at: now, updated_at: now, inbox_url: `https://${domain}/inbox`, actor_type: "Person",
        })) as never,
      )
      .execute();
    const attachmentIds: string[] = [];
    for (let start = 0; start < catalogSize; start += 100) {
      const statuses = [];
      const media = [];
      for (let i = start; i < Math.min(catalogSize, start + 100); i++) {
        const o = i % ORIGINS.length;
        const statusId = String(910_000_000_000_000n + BigInt(i));
        const mediaId = String(920_000_000_000_000n + BigInt(i));
        attachmentIds.push(mediaId);
        statuses.push({
          id: statusId, uri: `https://${ORIGINS[o]}/statuses/${i}`, url: null, account_id: accountIds[o], local: 0, in_reply_to_id: null, in_reply_to_account_id: null,
          reblog_of_id: null, conversation_id: statusId, text: "", content: "<p>photo</p>", spoiler_text: "", sensitive: 0, visibility: "public", language: "en",
          application_id: null, replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: now, updated_at: now,
        });
        media.push({
          id: mediaId, status_id: statusId, account_id: accountIds[o], type: "image", remote_url: `http://${ORIGINS[o]}:${ports[o]}/media/${i}.jpg`, url: null,
          preview_url: null, media_type: "image/jpeg", description: null, blurhash: null, focus_x: null, focus_y: null, width: null, height: null, position: 0, created_at: now,
        });
      }
      await db.insertInto("statuses").values(statuses as never).execute();
      await db.insertInto("media_attachments").values(media as never).execute();
    }

    const cacheDir = path.join(dataDir, "media", "cache");
    let maxBytesOnDisk = 0;
    let maxAccountedBytes = 0;
    const measure = async () => {
      maxBytesOnDisk = Math.max(maxBytesOnDisk, bytesUnder(cacheDir));
      maxAccountedBytes = Math.max(maxAccountedBytes, await runtime.stores.mediaCache.usedBytes());
    };
    const caches = [runtime, ...others].map((r) => remoteCacheOver(r, config, { budgetBytes: budget, onAdmitted: measure }));
    for (const cache of caches) await cache.start();

    // Zipf-like popularity: weight 1/rank^s, sampled through the cumulative weights.
    const s = options.zipf ?? 1.0;
    const weights = attachmentIds.map((_, rank) => 1 / (rank + 1) ** s);
    const total = weights.reduce((a, b) => a + b, 0);
    const cumulative: number[] = [];
    weights.reduce((acc, w) => (cumulative.push((acc + w) / total), acc + w), 0);
    const pick = () => {
      const r = rand();
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };

    const target = budget * (options.viewFactor ?? 10);
    const smallShare = options.smallShare ?? 0.5;
    let bytesViewed = 0;
    let views = 0;
    const view = async (cache: RemoteMediaCache) => {
      const i = pick();
      const answer = await cache.serve("attachment", attachmentIds[i], rand() < smallShare ? "small" : "original", null);
      views++;
      if ("redirect" in answer) {
        bytesViewed += answer.bytes;
      } else {
        try {
          const stream = await answer.open();
          for await (const chunk of stream) bytesViewed += (chunk as Buffer).length;
        } finally {
          answer.done();
        }
      }
      await measure();
    };
    const workers = Array.from({ length: options.concurrency ?? 4 }, async (_, w) => {
      while (bytesViewed < target) await view(caches[w % caches.length]);
    });
    await Promise.all(workers);
    for (const cache of caches) await cache.close();
    const c = { hits: 0, fetches: 0, bytesFetched: 0, admitted: 0, evicted: 0, notCached: 0, reserveMs: 0, reserves: 0 };
    for (const cache of caches) for (const name of Object.keys(c) as (keyof typeof c)[]) c[name] += cache.counters[name];
    const accountedAtEnd = await runtime.stores.mediaCache.usedBytes();
    const rowBytesAtEnd = (await runtime.stores.mediaCache.totals()).reduce((sum, t) => sum + t.bytes, 0);
    const diskAtEnd = bytesUnder(cacheDir);
    return {
      budget,
      maxBytesOnDisk,
      maxAccountedBytes,
      withinBudget: maxBytesOnDisk <= budget && maxAccountedBytes <= budget,
      views,
      bytesViewed,
      fetches: c.fetches,
      hits: c.hits,
      hitRate: round(c.hits / Math.max(1, views), 3),
      bytesFetched: c.bytesFetched,
      fetchRatio: round(c.bytesFetched / Math.max(1, bytesViewed), 3),
      admitted: c.admitted,
      evicted: c.evicted,
      notCached: c.notCached,
      reserveMsPerCall: round(c.reserveMs / Math.max(1, c.reserves), 3),
      seconds: round((performance.now() - started) / 1000, 1),
      database: config.database.kind,
      processes: caches.length,
      accountingMatches: accountedAtEnd === rowBytesAtEnd && rowBytesAtEnd === diskAtEnd,
    };
  } finally {
    for (const other of others) await other.close();
    await runtime.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node bench/media-cache.ts [budget]`: run it alone.
if (import.meta.main) {
  const budget = Number(process.argv[2] ?? 8_000_000);
  console.log(JSON.stringify(await benchRemoteCache({ budgetBytes: budget }), null, 2));
}
