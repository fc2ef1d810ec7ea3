// Remote media through Skein's own proxy: a plain HTTP origin on loopback (img.test, reached
// through the test-host map) serves generated images; a remote post's attachment is shown with a
// signed URL of ours, fetched once however many readers ask at once, kept under a tiny budget
// (REMOTE_MEDIA_CACHE_MAX) with the least recently viewed originals evicted first, fetched again
// after eviction, and refused for reject_media domains, tampered URLs and HTML. The cache check,
// `./skein media usage` and `./skein cost` read what happened.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";
import { eventually } from "../support/federation-fleet.ts";
import { bytesUnder } from "../support/remote-media.ts";

const ORIGIN_ADDRESS = "127.0.0.231";
/** Each image is ~48 KB of noise (PNG cannot compress it); the budget holds three originals and some previews. */
const BUDGET = 170_000;

// ---- the origin: generated images, counted per path ----
const images = new Map<string, Buffer>();
for (let n = 1; n <= 6; n++) {
  images.set(
    `/img/${n}.png`,
    await sharp({ create: { width: 128, height: 125, channels: 3, background: { r: 40 * n, g: 80, b: 160 }, noise: { type: "gaussian", mean: 120, sigma: 60 } } })
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
}
const hits = new Map<string, number>();
const origin = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  hits.set(`${req.headers.host?.split(":")[0]}${url.pathname}`, (hits.get(`${req.headers.host?.split(":")[0]}${url.pathname}`) ?? 0) + 1);
  if (url.pathname === "/page.png") {
    // HTML that calls itself an image: must never be served from our origin.
    res.writeHead(200, { "content-type": "image/png" });
    res.end("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>");
    return;
  }
  const image = images.get(url.pathname);
  if (!image) {
    res.writeHead(404).end();
    return;
  }
  // A little latency, so concurrent views really overlap the fetch.
  setTimeout(() => res.writeHead(200, { "content-type": "image/png", "content-length": image.length }).end(image), 150);
});
await new Promise<void>((resolve) => origin.listen(0, ORIGIN_ADDRESS, resolve));
const port = (origin.address() as { port: number }).port;
const hitsOf = (host: string, p: string) => hits.get(`${host}${p}`) ?? 0;
after(() => origin.close());

let server: TestServer;
let reader: TestUser;
const api = apiCaller(() => server.url);
const sql = (query: string, params: unknown[] = []) => queryRows(server, query, params);

contractCheckedServer(
  ["reader"],
  async (ready) => {
    server = ready.server;
    reader = ready.users.reader;
  },
  { env: { SKEIN_TEST_HOSTS: `img.test=${ORIGIN_ADDRESS},blocked.test=${ORIGIN_ADDRESS}`, REMOTE_MEDIA_CACHE_MAX: String(BUDGET) } },
);

let fixtureId = 200_000_000_000_000n;
const nextId = () => String(++fixtureId);
const accounts = new Map<string, string>();

async function remoteAccount(domain: string): Promise<string> {
  const known = accounts.get(domain);
  if (known) return known;
  const id = nextId();
  const now = new Date().toISOString();
  await sql(
    `insert into accounts (id, username, domain, display_name, note, fields, locked, bot, discoverable, indexable, uri, url,
       followers_count, following_count, statuses_count, created_at, updated_at, inbox_url, actor_type, avatar_url)
     values (?, 'painter', ?, 'Painter', '', '[]', 0, 0, 1, 1, ?, ?, 0, 0, 0, ?, ?, ?, 'Person', ?)`,
    [id, domain, `https://${domain}/users/painter`, `https://${domain}/@painter`, now, now, `https://${domain}/users/painter/inbox`, `http://${domain}:${port}/img/6.png`],
  );
  accounts.set(domain, id);
  return id;
}

/** A remote post with one image attachment at `http://<domain>:<port><file>`; its entity as the reader sees it. */
async function remotePostWith(domain: string, file: string): Promise<any> {
  const account = await remoteAccount(domain);
  const statusId = nextId();
  const now = new Date().toISOString();
  await sql(
    `insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id, text, content, spoiler_text, sensitive, visibility, language, application_id, replies_count, reblogs_count, favourites_count, edited_at, created_at, updated_at)
     values (?, ?, null, ?, 0, null, null, null, ?, '', '<p>a picture</p>', '', 0, 'public', 'en', null, 0, 0, 0, null, ?, ?)`,
    [statusId, `https://${domain}/users/painter/statuses/${statusId}`, account, statusId, now, now],
  );
  await sql(
    `insert into media_attachments (id, status_id, account_id, type, remote_url, url, preview_url, media_type, description, blurhash, focus_x, focus_y, width, height, position, created_at)
     values (?, ?, ?, 'image', ?, null, null, 'image/png', 'noise', null, null, null, 128, 125, 0, ?)`,
    [nextId(), statusId, account, `http://${domain}:${port}${file}`, now],
  );
  const answer = await api(reader, "GET", `/api/v1/statuses/${statusId}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

const cacheBytes = async () => Number((await sql("select coalesce(sum(bytes), 0) as n from remote_media_cache"))[0].n);
const cacheFolder = () => path.join(server.env.DATA_DIR, "media", "cache");
const bytesOnDisk = () => bytesUnder(cacheFolder());

let firstPost: any;

test("a remote image is shown through our signed proxy: one fetch for ten concurrent views, then the cache", async () => {
  firstPost = await remotePostWith("img.test", "/img/1.png");
  const attachment = firstPost.media_attachments[0];
  assert.equal(attachment.type, "image");
  assert.ok(attachment.url.startsWith(`${server.url}/media_proxy/attachment/${attachment.id}/original?`), attachment.url);
  assert.ok(attachment.preview_url.startsWith(`${server.url}/media_proxy/attachment/${attachment.id}/small?`), attachment.preview_url);
  assert.equal(attachment.remote_url, `http://img.test:${port}/img/1.png`);
  assert.ok(firstPost.account.avatar.startsWith(`${server.url}/media_proxy/avatar/`), "the author's avatar is proxied too");
  const avatar = await fetch(firstPost.account.avatar);
  assert.equal(avatar.status, 200);
  assert.deepEqual(Buffer.from(await avatar.arrayBuffer()), images.get("/img/6.png"));

  const views = await Promise.all(Array.from({ length: 10 }, () => fetch(attachment.url)));
  for (const view of views) {
    assert.equal(view.status, 200);
    assert.equal(view.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await view.arrayBuffer()), images.get("/img/1.png"));
  }
  assert.equal(hitsOf("img.test", "/img/1.png"), 1, "ten concurrent views, one fetch");
  const again = await fetch(attachment.url);
  assert.equal(again.status, 200);
  assert.match(again.headers.get("cache-control") ?? "", /immutable/);
  assert.equal(again.headers.get("x-content-type-options"), "nosniff");
  assert.match(again.headers.get("content-security-policy") ?? "", /sandbox/);
  const etag = again.headers.get("etag")!;
  assert.ok(etag);
  await again.arrayBuffer();
  assert.equal(hitsOf("img.test", "/img/1.png"), 1, "the second view comes from the cache");
  assert.equal((await fetch(attachment.url, { headers: { "If-None-Match": etag } })).status, 304);
  const part = await fetch(attachment.url, { headers: { Range: "bytes=0-99" } });
  assert.equal(part.status, 206);
  assert.equal((await part.arrayBuffer()).byteLength, 100);

  // The preview is made here, from the cached original (no second fetch), smaller than it.
  const preview = await fetch(attachment.preview_url);
  assert.equal(preview.status, 200);
  assert.match(preview.headers.get("content-type") ?? "", /^image\//);
  const previewBytes = Buffer.from(await preview.arrayBuffer());
  assert.ok(previewBytes.length > 0 && previewBytes.length < images.get("/img/1.png")!.length);
  assert.equal((await sharp(previewBytes).metadata()).width! > 0, true);
  assert.equal(hitsOf("img.test", "/img/1.png"), 1);
  assert.deepEqual((await sql("select variant from remote_media_cache where source_url like ? order by variant", ["%/img/1.png"])).map((r) => r.variant), ["original", "small"]);
});

test("unsigned, tampered or unknown proxy URLs are 404 and fetch nothing", async () => {
  const url = new URL(firstPost.media_attachments[0].url);
  const before = hits.size;
  const tampered = new URL(url);
  tampered.searchParams.set("s", `${url.searchParams.get("s")!.slice(0, -1)}${url.searchParams.get("s")!.endsWith("A") ? "B" : "A"}`);
  const otherId = new URL(url);
  otherId.pathname = otherId.pathname.replace(/\/attachment\/\d+\//, "/attachment/1/");
  for (const candidate of [tampered.href, `${url.origin}${url.pathname}`, otherId.href, url.href.replace("/original?", "/huge?"), url.href.replace("/attachment/", "/status/")]) {
    const answer = await fetch(candidate);
    assert.equal(answer.status, 404, candidate);
    assert.deepEqual(await answer.json(), { error: "Record not found" });
  }
  assert.equal(hits.size, before);
});

test("HTML sent as an image is refused and nothing is kept", async () => {
  const post = await remotePostWith("img.test", "/page.png");
  const answer = await fetch(post.media_attachments[0].url);
  assert.equal(answer.status, 404);
  assert.match(answer.headers.get("content-type") ?? "", /json/);
  assert.equal(hitsOf("img.test", "/page.png"), 1);
  assert.deepEqual(await sql("select key from remote_media_cache where source_url like ?", ["%page.png"]), []);
});

test("a reject_media domain's files are never fetched", async () => {
  const post = await remotePostWith("blocked.test", "/img/5.png");
  const url = post.media_attachments[0].url;
  const blocked = await server.cli(["domains", "block", "blocked.test", "--severity", "noop", "--reject-media"]);
  assert.equal(blocked.code, 0, blocked.stderr);
  // The server's policy follows within 2 s: the entity shows the attachment as not fetched…
  const shown = await eventually(async () => {
    const body = (await api(reader, "GET", `/api/v1/statuses/${post.id}`)).body;
    return body.media_attachments[0].type === "unknown" ? body : null;
  }, 10_000, "the block to reach the server");
  // …and the proxied URL made before the block fetches nothing.
  assert.equal((await fetch(url)).status, 404);
  assert.equal(hitsOf("blocked.test", "/img/5.png"), 0);
  assert.equal(shown.media_attachments[0].url, null);
});

test("the budget is never exceeded: least recently viewed originals go first, and come back on their next view", async () => {
  const posts = [firstPost];
  for (const n of [2, 3, 4]) posts.push(await remotePostWith("img.test", `/img/${n}.png`));
  for (const post of posts.slice(1)) {
    const answer = await fetch(post.media_attachments[0].url);
    assert.equal(answer.status, 200);
    await answer.arrayBuffer();
    assert.ok(bytesOnDisk() <= BUDGET, `on disk ${bytesOnDisk()} > budget ${BUDGET}`);
    assert.ok((await cacheBytes()) <= BUDGET);
  }
  // Four originals of ~48 KB do not fit in 170 KB: the oldest (1) was evicted, its preview kept.
  const rows = await sql("select source_url, variant from remote_media_cache");
  assert.ok(!rows.some((r) => r.variant === "original" && r.source_url!.endsWith("/img/1.png")), JSON.stringify(rows));
  assert.ok(rows.some((r) => r.variant === "small" && r.source_url!.endsWith("/img/1.png")), "previews outlive originals");
  const back = await fetch(firstPost.media_attachments[0].url);
  assert.equal(back.status, 200);
  assert.deepEqual(Buffer.from(await back.arrayBuffer()), images.get("/img/1.png"));
  assert.equal(hitsOf("img.test", "/img/1.png"), 2, "fetched again after its eviction");
  assert.ok(bytesOnDisk() <= BUDGET);
  const accounted = Number((await sql("select used_bytes from remote_media_cache_usage"))[0].used_bytes);
  assert.equal(accounted, await cacheBytes());
});

test("media check passes, then finds a deleted file; --repair makes it agree", async () => {
  const ok = await server.cli(["media", "check"]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK/);
  const [row] = await sql("select key from remote_media_cache where variant = 'original' limit 1");
  fs.rmSync(path.join(server.env.DATA_DIR, "media", row.key!));
  const bad = await server.cli(["media", "check"]);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stdout, /missing/);
  assert.ok(bad.stdout.includes(row.key!));
  const repaired = await server.cli(["media", "check", "--repair"]);
  assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
  const after = await server.cli(["media", "check", "--json"]);
  assert.equal(after.code, 0, after.stdout);
  assert.equal(JSON.parse(after.stdout).ok, true);
});

test("media usage and cost show the cache and what was served", async () => {
  const usage = await server.cli(["media", "usage", "--json"]);
  assert.equal(usage.code, 0, usage.stderr);
  const report = JSON.parse(usage.stdout);
  const cache = report.kinds.filter((k: any) => k.kind.startsWith("cache/"));
  assert.ok(cache.reduce((s: number, k: any) => s + k.bytes, 0) > 0);
  assert.ok(cache.reduce((s: number, k: any) => s + k.bytes, 0) <= BUDGET);
  assert.equal(report.cache.budget, BUDGET);
  const text = await server.cli(["media", "usage"]);
  assert.match(text.stdout, /remote cache: originals/);

  // The server writes its counters every ~10 s.
  const cost = await eventually(async () => {
    const answer = await server.cli(["cost", "--json"]);
    const parsed = JSON.parse(answer.stdout);
    return parsed.egress.kinds.some((k: any) => k.kind === "cache/original" && k.requests >= 10) ? parsed : null;
  }, 30_000, "the served counters");
  const original = cost.egress.kinds.find((k: any) => k.kind === "cache/original");
  assert.ok(original.bytes >= 10 * images.get("/img/1.png")!.length, JSON.stringify(original));
  assert.ok(cost.projection.totalUsd > 0 && cost.projection.totalUsd < 1);
  const readable = await server.cli(["cost"]);
  assert.equal(readable.code, 0);
  assert.match(readable.stdout, /Projected month/);
  assert.match(readable.stdout, /remote cache: originals/);
});

test("media prune removes old unattached uploads, orphan files and cache files without a row (--dry-run only lists them)", async () => {
  const media = path.join(server.env.DATA_DIR, "media");
  const old = new Date(Date.now() - 2 * 3600_000);
  const place = (key: string, bytes: number, mtime?: Date) => {
    const file = path.join(media, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(bytes, 7));
    if (mtime) fs.utimesSync(file, mtime, mtime);
    return file;
  };
  // An upload nobody attached, two days old, with its files.
  const uploadId = nextId();
  const uploadOriginal = place(`attachments/original/${uploadId}-keep1.webp`, 1000, old);
  const uploadPreview = place(`attachments/small/${uploadId}-keep2.webp`, 300, old);
  await sql(
    `insert into media_attachments (id, status_id, account_id, type, remote_url, url, preview_url, media_type, description, blurhash, focus_x, focus_y, width, height, position, created_at, file_key, preview_key)
     values (?, null, ?, 'image', null, null, null, 'image/webp', null, null, null, null, 10, 10, 0, ?, ?, ?)`,
    [uploadId, reader.id, new Date(Date.now() - 2 * 86400_000).toISOString(), `attachments/original/${uploadId}-keep1.webp`, `attachments/small/${uploadId}-keep2.webp`],
  );
  const orphan = place("avatars/999-orphan.png", 2000, old);
  const fresh = place("headers/998-justnow.png", 500);
  const stray = place(`cache/original/${"ab".repeat(32)}.png`, 4000, old);

  const dry = await server.cli(["media", "prune", "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`Would remove unattached upload ${uploadId}`));
  assert.match(dry.stdout, /Would remove orphan file avatars\/999-orphan\.png/);
  assert.match(dry.stdout, /Would remove cache file without a row cache\/original\/abab/);
  assert.ok(!dry.stdout.includes("998-justnow"), "a file younger than an hour may be an upload whose row is not written yet");
  for (const file of [uploadOriginal, uploadPreview, orphan, fresh, stray]) assert.ok(fs.existsSync(file), `--dry-run kept ${file}`);

  const pruned = await server.cli(["media", "prune"]);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, /Removed 1 unattached uploads, 1 orphan files and 1 cache files/);
  for (const file of [uploadOriginal, uploadPreview, orphan, stray]) assert.ok(!fs.existsSync(file), `${file} removed`);
  assert.ok(fs.existsSync(fresh));
  assert.deepEqual(await sql("select id from media_attachments where id = ?", [uploadId]), []);
  // The cache itself is untouched and still agrees with its accounting.
  const check = await server.cli(["media", "check"]);
  assert.equal(check.code, 0, check.stdout);
});
