// Link previews across processes: two runtimes over one database stand for two workers, each with
// its own in-process coalescing. Forty card jobs for statuses linking one page, run on both at
// once, cause exactly one fetch of the page (the lease on the card row decides who fetches), every
// status ends up with the ready card, and every one of them is announced (status.updated) by one
// process or the other. Cards no status shows are swept a day later.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { freshDatabase } from "../support/server.ts";
import { loadConfig, type Config } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { CardPageFetcher } from "../../src/domain/cards/page-fetch.ts";

const HOST = "lease-pages.test";
const ADDRESS = "127.0.0.245";
const COUNT = 40;

let database: { env: Record<string, string>; drop: () => Promise<void> };
let config: Config;
let runtimes: Runtime[] = [];
let pages: http.Server;
let fetches = 0;
let pageUrl = "";
const statusIds: string[] = [];
const announced = new Set<string>();

before(async () => {
  pages = http.createServer((_req, res) => {
    fetches++;
    // Long enough that every job of both "processes" runs while the one fetch is under way.
    setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end('<html><head><meta property="og:title" content="Leased once"></head></html>'), 500);
  });
  await new Promise<void>((resolve) => pages.listen(0, ADDRESS, resolve));
  pageUrl = `http://${HOST}:${(pages.address() as { port: number }).port}/page`;
  database = await freshDatabase();
  config = loadConfig({ ...database.env, SKEIN_ENV: "test", LOCAL_DOMAIN: "lease.test", LOG_LEVEL: "error", SKEIN_TEST_HOSTS: `${HOST}=${ADDRESS}` });
  runtimes = [await openRuntime(config), await openRuntime(config)];
  for (const runtime of runtimes) {
    // No queue runs here: the test hands the jobs to each "process" itself.
    runtime.services.cards.jobs = null;
    runtime.services.cards.fetcher = new CardPageFetcher({ policy: { allowPrivate: true, pinned: (name) => (name === HOST ? ADDRESS : undefined) }, mayFetch: async () => true, userAgent: "test" });
    runtime.services.events.subscribe((event) => {
      if (event.type === "status.updated") announced.add(event.statusId);
    });
  }
  const db = runtimes[0].database.db;
  const now = new Date().toISOString();
  const account = "810000000000000";
  await db
    .insertInto("accounts")
    .values({
      id: account, username: "linker", domain: "far.test", display_name: "", note: "", fields: "[]", locked: 0, bot: 0, discoverable: 1, indexable: 1, uri: "https://far.test/u",
      url: "https://far.test/@u", followers_count: 0, following_count: 0, statuses_count: 0, created_at: now, updated_at: now, inbox_url: "https://far.test/inbox", actor_type: "Person",
    } as never)
    .execute();
  for (let i = 0; i < COUNT; i++) {
    const id = String(820_000_000_000_000n + BigInt(i));
    statusIds.push(id);
    await db
      .insertInto("statuses")
      .values({
        id, uri: `https://far.test/s/${i}`, url: null, account_id: account, local: 0, in_reply_to_id: null, in_reply_to_account_id: null, reblog_of_id: null,
        conversation_id: id, text: "", content: `<p>Look <a href="${pageUrl}">${pageUrl}</a></p>`, spoiler_text: "", sensitive: 0, visibility: "public", language: null,
        application_id: null, replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: now, updated_at: now,
      } as never)
      .execute();
  }
});

after(async () => {
  for (const runtime of runtimes) {
    await runtime.services.cards.fetcher?.close();
    await runtime.close();
  }
  pages?.close();
  await database?.drop();
});

test("two processes, forty jobs for one link at once: one fetch, one card, every status told", async () => {
  await Promise.all(statusIds.map((statusId, i) => runtimes[i % 2].services.cards.handleJob({ statusId })));
  assert.equal(fetches, 1, "the page was fetched once by the two processes together");
  const db = runtimes[0].database.db;
  const cards = await db.selectFrom("preview_cards").selectAll().execute();
  assert.equal(cards.length, 1);
  assert.equal(cards[0].state, "ready");
  assert.equal(cards[0].title, "Leased once");
  assert.equal(cards[0].lease_owner, null, "the lease was given back");
  const links = await db.selectFrom("status_cards").select(["status_id", "card_id"]).execute();
  assert.equal(links.length, COUNT);
  assert.ok(links.every((l) => l.card_id === cards[0].id));
  assert.deepEqual([...announced].sort(), [...statusIds].sort(), "each status announced by one process or the other");
  // Once ready, a card is not fetched again before its TTL, from either process.
  await runtimes[1].services.cards.handleJob({ statusId: statusIds[0] });
  assert.equal(fetches, 1);
});

test("the sweep removes a card only once no status shows it, and a day has passed", async () => {
  const cards = runtimes[0].services.cards;
  const db = runtimes[0].database.db;
  const tomorrow = new Date(Date.now() + 2 * 86_400_000);
  assert.equal(await cards.sweep(tomorrow), 0, "statuses still show it");
  // Deleting the statuses takes their card links with them (ON DELETE CASCADE).
  await db.deleteFrom("statuses").where("id", "in", statusIds).execute();
  assert.equal((await db.selectFrom("status_cards").select("status_id").execute()).length, 0);
  assert.equal(await cards.sweep(), 0, "unused for less than a day");
  assert.equal(await cards.sweep(tomorrow), 1);
  assert.equal((await db.selectFrom("preview_cards").select("id").execute()).length, 0);
});
