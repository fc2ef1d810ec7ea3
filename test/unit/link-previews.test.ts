// Link previews in process: which link of a status is previewed, what a page's head gives, the
// html allow-list, and the page fetcher under the production address policy — a page whose
// redirect points at a private address is refused before any byte reaches that address.
// skein-test: once (in-process, no database)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { firstPreviewableLink, normalizeCardUrl } from "../../src/domain/cards/links.ts";
import { PageMetadataReader } from "../../src/domain/cards/page-metadata.ts";
import { cardContent, sanitizeEmbedHtml } from "../../src/domain/cards/oembed.ts";
import { CardFetchError, CardPageFetcher } from "../../src/domain/cards/page-fetch.ts";
import { loadCardsConfig } from "../../src/config/cards-config.ts";

test("the first link that is not a mention, a hashtag, a quote's fallback or this server's own page", () => {
  const html =
    '<p class="quote-inline">RE: <a href="https://quoted.example/1">q</a></p>' +
    '<p><span class="h-card"><a href="https://x.example/@a" class="u-url mention">@a</a></span> ' +
    '<a href="https://x.example/tags/t" class="mention hashtag" rel="tag">#t</a> ' +
    '<a href="https://x.example/tags/u" rel="tag">#u</a> ' +
    '<a href="https://social.local/@me/1">own</a> <a href="javascript:alert(1)">js</a> ' +
    '<a href="https://Example.COM/a?b=1&amp;c=2#frag" rel="nofollow">page</a> <a href="https://second.example/">second</a></p>';
  assert.equal(firstPreviewableLink(html, "social.local"), "https://example.com/a?b=1&c=2");
  assert.equal(firstPreviewableLink("<p>no links</p>", "social.local"), null);
  assert.equal(normalizeCardUrl(`https://a.example/${"x".repeat(3000)}`), null);
  assert.equal(normalizeCardUrl("https://user:pw@a.example/"), null);
});

test("a page's head: OpenGraph first, then Twitter, then <title>; reading stops at </head>", () => {
  const reader = new PageMetadataReader("https://news.example/story");
  const more = reader.write(
    '<html lang="de-DE"><head><title>Plain title</title><meta name="twitter:title" content="Twitter title">' +
      '<meta name="twitter:description" content="From twitter"><meta property="og:image" content="/cover.jpg">' +
      '<meta name="robots" content="noimageindex"><link rel="alternate" type="application/json+oembed" href="/oembed?u=1">' +
      '<meta name="fediverse:creator" content="@writer@news.example"></head><body><meta property="og:title" content="in the body">',
  );
  assert.equal(more, false, "nothing more is needed after </head>");
  const meta = reader.result();
  assert.equal(meta.title, "Twitter title");
  assert.equal(meta.description, "From twitter");
  assert.equal(meta.imageUrl, "https://news.example/cover.jpg");
  assert.equal(meta.oembedUrl, "https://news.example/oembed?u=1");
  assert.equal(meta.creator, "writer@news.example");
  assert.equal(meta.language, "de");
  assert.equal(meta.noImage, true);
  const plain = new PageMetadataReader("https://a.example/");
  plain.write("<html><head><title>  Just\n a   title </title>");
  assert.equal(plain.result().title, "Just a title");
});

test("oEmbed html: only an iframe of an allow-listed host, rebuilt from its src and size", () => {
  assert.equal(
    sanitizeEmbedHtml('<div><iframe src="https://player.vimeo.com/video/1" width="640" height="360" onload="x()" srcdoc="<script>"></iframe><script>alert(1)</script></div>'),
    '<iframe src="https://player.vimeo.com/video/1" width="640" height="360" frameborder="0" allowfullscreen="true" sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>',
  );
  assert.equal(sanitizeEmbedHtml('<iframe src="https://evil.example/embed"></iframe>'), "");
  assert.equal(sanitizeEmbedHtml('<iframe src="http://www.youtube.com/embed/1"></iframe>'), "", "https only");
  assert.equal(sanitizeEmbedHtml('<iframe src="https://www.youtube.com:8443/embed/1"></iframe>'), "", "no other port");
  assert.equal(sanitizeEmbedHtml("<script>alert(1)</script>"), "");
  const reader = new PageMetadataReader("https://v.example/");
  reader.write("<head><title>T</title></head>");
  const rich = cardContent("https://v.example/", reader.result(), { type: "rich", html: '<iframe src="https://evil.example/"></iframe>', width: 10, height: 10 });
  assert.equal(rich.type, "link", "a rich card without allowed html is a link card");
  assert.equal(rich.html, "");
  const photo = cardContent("https://p.example/1", reader.result(), { type: "photo", url: "/full.jpg", width: 800, height: 600, title: "A photo", provider_url: "javascript:alert(1)" });
  assert.deepEqual([photo.type, photo.embed_url, photo.image_url, photo.width, photo.height], ["photo", "https://p.example/full.jpg", "https://p.example/full.jpg", 800, 600]);
  assert.equal(photo.provider_url, "", "only http(s) URLs are kept");
  const thumb = cardContent("https://p.example/2", reader.result(), { type: "link", thumbnail_url: "https://p.example/t.jpg", thumbnail_width: 320, thumbnail_height: 180 });
  assert.deepEqual([thumb.type, thumb.image_url, thumb.width, thumb.height], ["link", "https://p.example/t.jpg", 320, 180]);
});

test("settings: previews on by default, a remote link waits up to 60 s; the delay is a test-only knob", () => {
  const problems: string[] = [];
  assert.deepEqual(loadCardsConfig({}, problems), { enabled: true, remoteDelayMaxMs: 60_000 });
  assert.deepEqual(loadCardsConfig({ PREVIEW_CARDS: "false", SKEIN_ENV: "test", PREVIEW_CARD_REMOTE_DELAY: "0" }, problems), { enabled: false, remoteDelayMaxMs: 0 });
  assert.deepEqual(problems, []);
  loadCardsConfig({ PREVIEW_CARD_REMOTE_DELAY: "0" }, problems);
  loadCardsConfig({ PREVIEW_CARDS: "maybe" }, problems);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /test-only/);
});

// ---- the fetcher under the production policy ----
const PUBLIC_ADDRESS = "127.0.0.246"; // stands for a public server: its name is pinned and allowed
const PRIVATE_ADDRESS = "127.0.0.247"; // a private address a redirect points at
let privateHits = 0;
const inside = http.createServer((_req, res) => {
  privateHits++;
  res.writeHead(200, { "content-type": "text/html" }).end("<head><title>secret</title></head>");
});
await new Promise<void>((resolve) => inside.listen(0, PRIVATE_ADDRESS, resolve));
const insidePort = (inside.address() as { port: number }).port;
const outside = http.createServer((req, res) => {
  if (req.url === "/redirect") return res.writeHead(302, { location: `http://${PRIVATE_ADDRESS}:${insidePort}/admin` }).end();
  if (req.url === "/redirect-name") return res.writeHead(302, { location: `http://localhost:${insidePort}/admin` }).end();
  if (req.url === "/image") return res.writeHead(200, { "content-type": "image/png" }).end("png");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<html><head><meta property="og:title" content="Public page"></head></html>');
});
await new Promise<void>((resolve) => outside.listen(0, PUBLIC_ADDRESS, resolve));
const outsidePort = (outside.address() as { port: number }).port;
const fetcher = new CardPageFetcher({
  // Production: no private addresses; only the pinned test name stands for a public host.
  policy: { allowPrivate: false, pinned: (name) => (name === "public.test" ? PUBLIC_ADDRESS : undefined) },
  mayFetch: async () => true,
  userAgent: "test",
});
after(async () => {
  await fetcher.close();
  inside.close();
  outside.close();
});

test("production policy: a redirect to a private address is refused on the connection, the address never reached", async () => {
  const page = await fetcher.fetchPage(`http://public.test:${outsidePort}/page`);
  assert.equal(page.metadata.title, "Public page", "the allowed host is read");
  for (const path of ["/redirect", "/redirect-name"]) {
    await assert.rejects(fetcher.fetchPage(`http://public.test:${outsidePort}${path}`), (e: Error) => e instanceof CardFetchError && /refused|private|loopback/i.test(e.message));
  }
  await assert.rejects(fetcher.fetchPage(`http://${PRIVATE_ADDRESS}:${insidePort}/`), CardFetchError);
  assert.equal(privateHits, 0);
  await assert.rejects(fetcher.fetchPage(`http://public.test:${outsidePort}/image`), /not a web page/);
});
