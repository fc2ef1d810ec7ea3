// Link previews end to end: pages served on loopback (pages.test and friends, through the
// test-host map) with OpenGraph, oEmbed (an allow-listed player and one that is not), no
// metadata, noindex, a 50 MB page, a page that never answers; statuses get their cards on the
// `cards` queue, announced as `status.update` on the stream; one fetch for a hundred posts of
// one link; the image through Skein's media proxy; trending links and the link timeline.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import sharp from "sharp";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";
import { eventually } from "../support/federation-fleet.ts";
import { openStream } from "../support/streaming.ts";
import { queryRows } from "../support/server-db.ts";

const PAGES_ADDRESS = "127.0.0.245";
const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 90, b: 30 } } }).png().toBuffer();

// ---- the pages: counted per path ----
const hits = new Map<string, number>();
const hitsOf = (p: string) => hits.get(p) ?? 0;
let hugeBytesSent = 0;
let localDomain = "";
const hanging = new Set<http.ServerResponse>();
/** Requests for the page that never answers that Skein gave up on (its fetch deadline passed). */
let neverAbandoned = 0;

function page(head: string, body = "<p>Body text that is never read.</p>", lang = "en"): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

const pages = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
  hits.set(url.pathname, hitsOf(url.pathname) + 1);
  const base = `http://pages.test:${port}`;
  const html = (body: string, headers: Record<string, string> = {}) => res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers }).end(body);
  switch (url.pathname) {
    case "/og":
      return html(
        page(`<title>Fallback title</title>
          <meta property="og:title" content="Seeds &amp; Soil">
          <meta property="og:description" content="How to start a garden.">
          <meta property="og:image" content="${base}/img.png"><meta property="og:image:alt" content="A seedling">
          <meta property="og:image:width" content="64"><meta property="og:image:height" content="48">
          <meta property="og:site_name" content="Garden Weekly">
          <meta name="author" content="Ada Gardener">
          <meta property="article:published_time" content="2026-11-30T08:00:00Z">
          <meta name="fediverse:creator" content="@alice@${localDomain}">`),
      );
    case "/img.png":
      return res.writeHead(200, { "content-type": "image/png", "content-length": image.length }).end(image);
    case "/video":
      return html(page(`<title>A video</title><link rel="alternate" type="application/json+oembed" href="${base}/oembed/video.json">`));
    case "/oembed/video.json":
      return res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          type: "video",
          version: "1.0",
          title: "Planting potatoes",
          author_name: "GardenTube",
          author_url: "https://www.youtube.com/@gardentube",
          provider_name: "YouTube",
          provider_url: "https://www.youtube.com/",
          width: 560,
          height: 315,
          html: `<iframe width="560" height="315" src="https://www.youtube.com/embed/abc123" onload="alert(1)"></iframe><script>alert(2)</script>`,
        }),
      );
    case "/elsewhere":
      return html(page(`<title>Embedded elsewhere</title><link rel="alternate" type="application/json+oembed" href="${base}/oembed/elsewhere.json">`));
    case "/oembed/elsewhere.json":
      return res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ type: "rich", version: "1.0", title: "Player of a stranger", width: 400, height: 300, html: `<iframe src="https://player.stranger.example/embed/1"></iframe>` }),
      );
    case "/plain":
      return html(page("<title>Only a title here</title>"));
    case "/bare":
      return html(page(""));
    case "/noindex":
      return html(page(`<meta name="robots" content="noindex, nofollow"><meta property="og:title" content="Private garden"><meta property="og:image" content="${base}/img.png">`));
    case "/noimage-header":
      return html(page(`<meta property="og:title" content="Header says no"><meta property="og:image" content="${base}/img.png">`), { "x-robots-tag": "noimageindex" });
    case "/storm":
      // Slow enough that the hundred posts' jobs really overlap the one fetch.
      setTimeout(() => html(page(`<meta property="og:title" content="Everyone links here">`)), 400);
      return;
    case "/huge": {
      // 50 MB: a head that never closes. Skein must stop reading long before the end.
      res.writeHead(200, { "content-type": "text/html" });
      res.write(`<!doctype html><html><head><title>A very large page</title><script>`);
      const chunk = Buffer.alloc(64 * 1024, "x");
      const total = 50 * 1024 * 1024;
      const pump = () => {
        while (hugeBytesSent < total) {
          hugeBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end("</script></head><body></body></html>");
      };
      res.on("close", () => res.removeAllListeners("drain"));
      return pump();
    }
    case "/never":
      // Takes the request and never answers.
      hanging.add(res);
      res.on("close", () => neverAbandoned++);
      return;
    default:
      return res.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => pages.listen(0, PAGES_ADDRESS, resolve));
const port = (pages.address() as { port: number }).port;
const link = (p: string) => `http://pages.test:${port}${p}`;
after(() => {
  for (const res of hanging) res.destroy();
  pages.closeAllConnections();
  pages.close();
});

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(
  ["alice", "bob", "carol"],
  async (ready) => {
    server = ready.server;
    ({ alice, bob, carol } = ready.users);
    localDomain = new URL(server.url).host;
    for (const user of [alice, bob]) await user.client.v1.accounts.updateCredentials({ discoverable: true });
  },
  { env: { SKEIN_TEST_HOSTS: `pages.test=${PAGES_ADDRESS}`, PREVIEW_CARD_REMOTE_DELAY: "0" } },
);

async function post(who: TestUser, status: string, extra: Record<string, unknown> = {}) {
  const res = await api(who, "POST", "/api/v1/statuses", { status, ...extra });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { id: string; card: Record<string, any> | null };
}

/** The status's card once it is there (polled with a deadline). */
async function cardOf(who: TestUser, id: string, ms = 15_000): Promise<Record<string, any>> {
  return eventually(async () => (await api(who, "GET", `/api/v1/statuses/${id}`)).body.card, ms, `a card on status ${id}`);
}

test("an OpenGraph page gives a link card: text, proxied image, author account; the card arrives as status.update", async () => {
  const stream = await openStream(server.url, { query: { access_token: alice.token } });
  await stream.subscribe("user");
  const status = await post(alice, `Reading ${link("/og")} today`);
  const update = await stream.next((m) => m.event === "status.update" && JSON.parse(m.payload!).id === status.id, 15_000);
  const card = JSON.parse(update.payload!).card;
  assert.ok(card, "the update carries the card");
  assert.equal(card.url, link("/og"));
  assert.equal(card.title, "Seeds & Soil");
  assert.equal(card.description, "How to start a garden.");
  assert.equal(card.type, "link");
  assert.equal(card.provider_name, "Garden Weekly");
  assert.equal(card.author_name, "Ada Gardener");
  assert.equal(card.image_description, "A seedling");
  assert.equal(card.language, "en");
  assert.equal(card.published_at, "2026-11-30T08:00:00.000Z");
  assert.deepEqual([card.width, card.height], [64, 48]);
  assert.equal(card.html, "");
  assert.equal(card.authors.length, 1);
  assert.equal(card.authors[0].account?.id, alice.id, "fediverse:creator names a known account");
  assert.ok(card.image.startsWith(`${server.url}/media_proxy/card/`), `the image goes through the proxy: ${card.image}`);
  assert.equal(typeof card.blurhash, "string", "a blurhash, from the preview the media cache made");
  assert.ok(card.blurhash.length >= 6);
  assert.equal(hitsOf("/img.png"), 1, "the image was fetched once, when the card was made");
  const proxied = await fetch(card.image);
  assert.equal(proxied.status, 200);
  assert.match(proxied.headers.get("content-type") ?? "", /^image\//);
  await proxied.arrayBuffer();
  assert.equal(hitsOf("/img.png"), 1, "readers get the cached copy");
  await stream.close();
  // The same on a plain read.
  assert.equal((await cardOf(alice, status.id)).title, "Seeds & Soil");
});

test("oEmbed: an allow-listed player's iframe is kept (rebuilt), another provider's html is not", async () => {
  const video = await post(bob, `Watch ${link("/video")}`);
  const elsewhere = await post(bob, `And ${link("/elsewhere")}`);
  const card = await cardOf(bob, video.id);
  assert.equal(card.type, "video");
  assert.equal(card.title, "Planting potatoes");
  assert.equal(card.provider_name, "YouTube");
  assert.equal(card.author_url, "https://www.youtube.com/@gardentube");
  assert.deepEqual([card.width, card.height], [560, 315]);
  assert.match(card.html, /^<iframe src="https:\/\/www\.youtube\.com\/embed\/abc123" width="560" height="315" [^<>]*><\/iframe>$/);
  assert.doesNotMatch(card.html, /onload|<script|alert/);
  const other = await cardOf(bob, elsewhere.id);
  assert.equal(other.title, "Player of a stranger");
  assert.equal(other.html, "", "an iframe of a host not on the list is dropped");
  assert.equal(other.type, "link");
});

test("no metadata: the <title> makes a link card; no title at all makes none", async () => {
  const plain = await post(carol, `See ${link("/plain")}`);
  const bare = await post(carol, `See ${link("/bare")}`);
  const card = await cardOf(carol, plain.id);
  assert.equal(card.title, "Only a title here");
  assert.equal(card.description, "");
  assert.equal(card.image, null);
  // Fetched and judged (the card row is marked failed, to be asked again hours later): no card.
  const judged = await eventually(async () => {
    const rows = await queryRows(server, "select state, last_error from preview_cards where url = ?", [link("/bare")]);
    return rows[0]?.state === "failed" ? rows[0] : null;
  }, 15_000, "the bare page judged");
  assert.match(String(judged.last_error), /no title/);
  assert.equal(hitsOf("/bare"), 1);
  assert.equal((await api(carol, "GET", `/api/v1/statuses/${bare.id}`)).body.card, null);
});

test("robots noindex (meta or X-Robots-Tag): a card without its image", async () => {
  const meta = await post(alice, `Quiet ${link("/noindex")}`);
  const header = await post(alice, `Quiet too ${link("/noimage-header")}`);
  const a = await cardOf(alice, meta.id);
  assert.equal(a.title, "Private garden");
  assert.equal(a.image, null);
  const b = await cardOf(alice, header.id);
  assert.equal(b.title, "Header says no");
  assert.equal(b.image, null);
});

test("a 50 MB page: the head is read, the rest is not downloaded, the card comes from the head", async (t) => {
  const status = await post(bob, `Big one ${link("/huge")}`);
  const card = await cardOf(bob, status.id, 20_000);
  assert.equal(card.title, "A very large page");
  await eventually(async () => hugeBytesSent > 0, 5000);
  assert.ok(hugeBytesSent < 10 * 1024 * 1024, `stopped reading early (${hugeBytesSent} bytes sent of 50 MB)`);
  t.diagnostic(`bytes the page server wrote before Skein hung up: ${hugeBytesSent}`);
});

test("a page that never answers: the post is created at once, gets no card, and other cards still come", async () => {
  const status = await post(carol, `Slow site ${link("/never")}`);
  // Had posting waited for the page, it would have returned only once Skein gave up on it.
  assert.equal(neverAbandoned, 0, "posting did not wait for the page");
  await eventually(async () => hanging.size > 0, 10_000, "the page asked for");
  // Meanwhile another link's card arrives: the hung fetch holds nothing else up.
  const other = await post(carol, `Fine site ${link("/plain?again=1")}`);
  assert.equal((await cardOf(carol, other.id)).title, "Only a title here");
  assert.equal((await api(carol, "GET", `/api/v1/statuses/${status.id}`)).body.card, null);
});

test("a hundred posts linking one page in parallel: the page is fetched exactly once, every post gets the card", async () => {
  const posts = await Promise.all(Array.from({ length: 100 }, (_, i) => post([alice, bob, carol][i % 3], `Everyone ${link("/storm")} (${i})`)));
  for (const p of [posts[0], posts[49], posts[99]]) assert.equal((await cardOf(alice, p.id, 30_000)).title, "Everyone links here");
  await eventually(async () => {
    const res = await api(alice, "GET", `/api/v1/timelines/link?url=${encodeURIComponent(link("/storm"))}&limit=40`);
    return res.status === 200 && res.body.length === 40 && res.body.every((s: { card: unknown }) => s.card !== null);
  }, 30_000, "every shown post with its card");
  assert.equal(hitsOf("/storm"), 1);
});

test("editing the first link attaches the new page's card; removing it removes the card", async () => {
  const status = await post(alice, `First ${link("/plain")}`);
  assert.equal((await cardOf(alice, status.id)).title, "Only a title here");
  const edited = await api(alice, "PUT", `/api/v1/statuses/${status.id}`, { status: `Now ${link("/video")}` });
  assert.equal(edited.status, 200);
  await eventually(async () => (await api(alice, "GET", `/api/v1/statuses/${status.id}`)).body.card?.title === "Planting potatoes", 15_000, "the new card");
  await api(alice, "PUT", `/api/v1/statuses/${status.id}`, { status: "No link any more" });
  await eventually(async () => (await api(alice, "GET", `/api/v1/statuses/${status.id}`)).body.card === null, 15_000, "the card gone");
});

test("mentions, hashtags and this server's own pages make no card", async () => {
  const status = await post(bob, `@alice #gardening ${server.url}/@alice`);
  const control = await post(bob, `Control ${link("/og")}#control`);
  await cardOf(bob, control.id);
  assert.equal((await api(bob, "GET", `/api/v1/statuses/${status.id}`)).body.card, null);
});

test("trending links: shared by the most discoverable accounts, with history; the link timeline lists the posts", async () => {
  // /og was shared by alice (discoverable) and bob; /storm by all three (carol is not discoverable).
  await eventually(async () => (await api(null, "GET", "/api/v1/trends/links")).body.length >= 2, 15_000, "links trending");
  const trends = (await api(null, "GET", "/api/v1/trends/links")).body as { url: string; history: { uses: string; accounts: string; day: string }[] }[];
  const storm = trends.find((t) => t.url === link("/storm"));
  assert.ok(storm, JSON.stringify(trends.map((t) => t.url)));
  assert.equal(trends[0].url, link("/storm"), "shared by the most accounts first");
  assert.equal(storm.history.length, 7);
  const total = (key: "uses" | "accounts") => storm.history.reduce((n, h) => n + Number(h[key]), 0);
  assert.equal(total("accounts"), 2, "only discoverable accounts count");
  assert.equal(total("uses"), 67);
  assert.equal((await api(null, "GET", "/api/v1/trends/links?limit=1")).body.length, 1);

  const timeline = await api(null, "GET", `/api/v1/timelines/link?url=${encodeURIComponent(link("/og"))}`);
  assert.equal(timeline.status, 200);
  assert.ok(timeline.body.length >= 1);
  for (const s of timeline.body) assert.equal(s.card.url, link("/og"));
  assert.ok(timeline.body.every((s: { account: { id: string } }) => s.account.id !== carol.id));
  // Paginated like other timelines.
  const first = await api(null, "GET", `/api/v1/timelines/link?url=${encodeURIComponent(link("/storm"))}&limit=5`);
  assert.equal(first.body.length, 5);
  const next = await api(null, "GET", `/api/v1/timelines/link?url=${encodeURIComponent(link("/storm"))}&limit=5&max_id=${first.body[4].id}`);
  assert.equal(next.body.length, 5);
  assert.ok(BigInt(next.body[0].id) < BigInt(first.body[4].id));
  assert.equal((await api(null, "GET", `/api/v1/timelines/link?url=${encodeURIComponent("https://nowhere.example/")}`)).status, 404);
  assert.equal((await api(null, "GET", "/api/v1/timelines/link")).status, 404);
});
