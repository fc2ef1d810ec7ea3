// The remote-media cache's budget as two processes share it: two RemoteMediaCache instances, each
// over its own database connection (its own in-flight map, as two web processes have), one
// database of the suite's kind and one storage folder, admitting files at the same time from a
// loopback origin. The bytes on disk and the accounting row never exceed the budget, a file both
// fetch at once is counted once, views in one process share one fetch, originals are evicted before previews, least recently viewed
// first, and a copy a dead process left half-stored is taken over.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import path from "node:path";
import sharp from "sharp";
import { freshDatabase } from "../support/server.ts";
import { loadConfig, type Config } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import type { RemoteMediaCache } from "../../src/domain/media/remote-cache.ts";
import { bytesUnder, remoteCacheOver } from "../support/remote-media.ts";

const HOST = "budget-origin.test";
const ADDRESS = "127.0.0.230";
const BUDGET = 400_000;
const COUNT = 24;

let database: { env: Record<string, string>; drop: () => Promise<void> };
let config: Config;
let runtimes: Runtime[] = [];
let caches: RemoteMediaCache[] = [];
let origin: http.Server;
const fetched = new Map<string, number>();
const images: Buffer[] = [];
let maxOnDisk = 0;
let maxAccounted = 0;

/** Bytes under DATA_DIR/media/cache (files may vanish while we walk: evictions run concurrently). */
const onDisk = () => bytesUnder(path.join(config.dataDir, "media", "cache"));

const attachmentId = (i: number) => String(700_000_000_000_000n + BigInt(i));

before(async () => {
  for (let i = 0; i < COUNT; i++) {
    // 30–60 KB of noise each: ~10 originals fill the budget.
    images.push(await sharp({ create: { width: 100 + (i % 5) * 10, height: 100, channels: 3, background: { r: i * 9, g: 40, b: 90 }, noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png({ compressionLevel: 0 }).toBuffer());
  }
  origin = http.createServer((req, res) => {
    const m = /^\/(\d+)\.png$/.exec(req.url ?? "");
    if (!m) return void res.writeHead(404).end();
    fetched.set(m[1], (fetched.get(m[1]) ?? 0) + 1);
    const body = images[Number(m[1])];
    setTimeout(() => res.writeHead(200, { "content-type": "image/png" }).end(body), 30);
  });
  await new Promise<void>((resolve) => origin.listen(0, ADDRESS, resolve));
  const port = (origin.address() as { port: number }).port;
  database = await freshDatabase();
  config = loadConfig({ ...database.env, SKEIN_ENV: "test", LOCAL_DOMAIN: "budget.test", LOG_LEVEL: "error", SKEIN_TEST_HOSTS: `${HOST}=${ADDRESS}`, REMOTE_MEDIA_CACHE_MAX: String(BUDGET) });
  runtimes = [await openRuntime(config), await openRuntime(config)];
  const db = runtimes[0].database.db;
  const now = new Date().toISOString();
  const account = "710000000000000";
  await db
    .insertInto("accounts")
    .values({
      id: account, username: "pics", domain: HOST, display_name: "", note: "", fields: "[]", locked: 0, bot: 0, discoverable: 1, indexable: 1, uri: `https://${HOST}/u`,
      url: `https://${HOST}/@u`, followers_count: 0, following_count: 0, statuses_count: 0, created_at: now, updated_at: now, inbox_url: `https://${HOST}/inbox`, actor_type: "Person",
    } as never)
    .execute();
  for (let i = 0; i < COUNT; i++) {
    const status = String(720_000_000_000_000n + BigInt(i));
    await db
      .insertInto("statuses")
      .values({
        id: status, uri: `https://${HOST}/s/${i}`, url: null, account_id: account, local: 0, in_reply_to_id: null, in_reply_to_account_id: null, reblog_of_id: null,
        conversation_id: status, text: "", content: "", spoiler_text: "", sensitive: 0, visibility: "public", language: null, application_id: null, replies_count: 0,
        reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: now, updated_at: now,
      } as never)
      .execute();
    await db
      .insertInto("media_attachments")
      .values({
        id: attachmentId(i), status_id: status, account_id: account, type: "image", remote_url: `http://${HOST}:${port}/${i}.png`, url: null, preview_url: null,
        media_type: "image/png", description: null, blurhash: null, focus_x: null, focus_y: null, width: null, height: null, position: 0, created_at: now,
      } as never)
      .execute();
  }
  caches = runtimes.map(
    (runtime) =>
      remoteCacheOver(runtime, config, {
        onAdmitted: async () => {
          maxOnDisk = Math.max(maxOnDisk, onDisk());
          maxAccounted = Math.max(maxAccounted, await runtime.stores.mediaCache.usedBytes());
        },
      }),
  );
  for (const cache of caches) await cache.start();
});

after(async () => {
  for (const cache of caches) await cache.close();
  for (const runtime of runtimes) await runtime.close();
  origin?.close();
  await database?.drop();
});

async function view(cache: RemoteMediaCache, i: number, variant: "original" | "small"): Promise<number> {
  const answer = await cache.serve("attachment", attachmentId(i), variant, null);
  assert.ok(!("redirect" in answer));
  let bytes = 0;
  try {
    for await (const chunk of await answer.open()) bytes += (chunk as Buffer).length;
  } finally {
    answer.done();
  }
  return bytes;
}

const stores = () => runtimes[0].stores;
const rowBytes = async () => (await stores().mediaCache.totals()).reduce((sum, t) => sum + t.bytes, 0);

test("two processes at once: never above the budget, each file counted once, accounting = rows = disk", async () => {
  // Both caches view every image, all at once: each file is fetched by one or both, stored once.
  const served = await Promise.all(Array.from({ length: COUNT }, (_, i) => caches.map((cache) => view(cache, i, "original"))).flat());
  for (let i = 0; i < COUNT; i++) assert.equal(served[2 * i], images[i].length);
  assert.ok(maxOnDisk > 0 && maxOnDisk <= BUDGET, `max on disk ${maxOnDisk}`);
  assert.ok(maxAccounted <= BUDGET, `max accounted ${maxAccounted}`);
  const accounted = await stores().mediaCache.usedBytes();
  assert.equal(accounted, await rowBytes(), "the accounting row is the rows' sum");
  assert.equal(onDisk(), accounted, "and what is on disk");
  assert.ok(accounted > BUDGET / 2, `the budget is used (${accounted})`);

  // In one process, views of one uncached file share one fetch.
  const held = await runtimes[0].database.db.selectFrom("remote_media_cache").select("key").where("source_url", "like", "%/23.png").execute();
  for (const row of held) await caches[0].forget(row.key);
  const before = fetched.get("23") ?? 0;
  const views = await Promise.all(Array.from({ length: 8 }, () => view(caches[0], 23, "original")));
  assert.deepEqual(views, Array(8).fill(images[23].length));
  assert.equal(fetched.get("23"), before + 1, "eight concurrent views, one fetch");
});

test("originals go before previews, least recently viewed first; an evicted file is fetched again", async () => {
  const cache = caches[0];
  // Previews of three images, then enough originals to push every earlier original out.
  for (const i of [0, 1, 2]) await view(cache, i, "small");
  const previews = (await stores().mediaCache.totals()).find((t) => t.variant === "small")!;
  assert.equal(previews.files, 3);
  for (let i = 3; i < 16; i++) await view(cache, i, "original");
  const rows = await runtimes[0].database.db.selectFrom("remote_media_cache").select(["source_url", "variant"]).execute();
  assert.equal(rows.filter((r) => r.variant === "small").length, 3, "previews stay while originals can go");
  assert.ok(!rows.some((r) => r.variant === "original" && /\/[0-2]\.png$/.test(r.source_url)), "the oldest originals went first");
  const before = fetched.get("15") ?? 0;
  await view(cache, 15, "original");
  assert.equal(fetched.get("15"), before, "a recent original is still cached");
  const first = fetched.get("3") ?? 0;
  await view(cache, 3, "original");
  assert.equal(fetched.get("3"), first + 1, "an evicted one is fetched again");
  assert.ok(onDisk() <= BUDGET);
  assert.equal(await stores().mediaCache.usedBytes(), await rowBytes());
});

test("a copy a dead process left half-stored is taken over", async () => {
  const i = 20;
  // Drop whatever the cache holds of image 20, then leave a stale claim as a crashed process would.
  const db = runtimes[0].database.db;
  const existing = await db.selectFrom("remote_media_cache").select("key").where("source_url", "like", `%/${i}.png`).where("variant", "=", "original").executeTakeFirst();
  if (existing) await caches[0].forget(existing.key);
  const longAgo = new Date(Date.now() - 3600_000).toISOString();
  const source = (await db.selectFrom("media_attachments").select("remote_url").where("id", "=", attachmentId(i)).executeTakeFirstOrThrow()).remote_url!;
  // Keys are cache/<variant>/<sha256 of the URL>.<ext>: the claim is made under the one the cache will use.
  const realKey = `cache/original/${createHash("sha256").update(source).digest("hex")}.png`;
  await stores().mediaCache.reserve(1234, BUDGET);
  await db.insertInto("remote_media_cache").values({ key: realKey, source_url: source, variant: "original", content_type: "image/png", bytes: 1234, last_viewed_at: longAgo, created_at: longAgo, ready: 0 }).execute();
  await view(caches[1], i, "original");
  const row = await db.selectFrom("remote_media_cache").selectAll().where("key", "=", realKey).executeTakeFirstOrThrow();
  assert.equal(Number(row.ready), 1);
  assert.equal(Number(row.bytes), images[i].length);
  assert.equal(await stores().mediaCache.usedBytes(), await rowBytes(), "the stale claim's bytes were given back");
  assert.equal(onDisk(), await rowBytes());
});
