// The remote-media cache on the S3 driver (s3rver on loopback): the proxy answers with a
// redirect to the cached object's public URL (the bucket serves the bytes), evictions delete
// objects from the bucket, and `./skein media check` / `usage` read the bucket's listing.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";
import { startS3, type TestS3 } from "../support/s3.ts";

const ORIGIN_ADDRESS = "127.0.0.231";
const BUDGET = 120_000;

const images = new Map<string, Buffer>();
for (let n = 1; n <= 3; n++) {
  images.set(
    `/s3/${n}.png`,
    await sharp({ create: { width: 128, height: 125, channels: 3, background: { r: 60 * n, g: 30, b: 90 }, noise: { type: "gaussian", mean: 100, sigma: 50 } } })
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
}
const hits = new Map<string, number>();
const origin = http.createServer((req, res) => {
  hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
  const image = images.get(req.url ?? "");
  if (!image) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": "image/png" }).end(image);
});
await new Promise<void>((resolve) => origin.listen(0, ORIGIN_ADDRESS, resolve));
const port = (origin.address() as { port: number }).port;

let s3: TestS3;
let server: TestServer;
let reader: TestUser;
let contract: ContractLog;
const api = apiCaller(() => server.url);
const sql = (query: string, params: unknown[] = []) => queryRows(server, query, params);

before(async () => {
  s3 = await startS3();
  server = await startServer({ env: { ...s3.env, SKEIN_TEST_HOSTS: `s3img.test=${ORIGIN_ADDRESS}`, REMOTE_MEDIA_CACHE_MAX: String(BUDGET) } });
  contract = installContractCheck(server.url);
  reader = await signUp(server, "reader");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await s3?.stop();
  origin.close();
});

let nextId = 300_000_000_000_000n;
async function remotePost(file: string, account: string): Promise<any> {
  const statusId = String(++nextId);
  const now = new Date().toISOString();
  await sql(
    `insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id, text, content, spoiler_text, sensitive, visibility, language, application_id, replies_count, reblogs_count, favourites_count, edited_at, created_at, updated_at)
     values (?, ?, null, ?, 0, null, null, null, ?, '', '<p>s3</p>', '', 0, 'public', 'en', null, 0, 0, 0, null, ?, ?)`,
    [statusId, `https://s3img.test/statuses/${statusId}`, account, statusId, now, now],
  );
  await sql(
    `insert into media_attachments (id, status_id, account_id, type, remote_url, url, preview_url, media_type, description, blurhash, focus_x, focus_y, width, height, position, created_at)
     values (?, ?, ?, 'image', ?, null, null, 'image/png', null, null, null, null, 128, 125, 0, ?)`,
    [String(++nextId), statusId, account, `http://s3img.test:${port}${file}`, now],
  );
  const answer = await api(reader, "GET", `/api/v1/statuses/${statusId}`);
  assert.equal(answer.status, 200);
  return answer.body;
}

test("S3: the proxy redirects to the cached object, evictions empty the bucket, check and usage read it", async () => {
  const account = String(++nextId);
  const now = new Date().toISOString();
  await sql(
    `insert into accounts (id, username, domain, display_name, note, fields, locked, bot, discoverable, indexable, uri, url,
       followers_count, following_count, statuses_count, created_at, updated_at, inbox_url, actor_type)
     values (?, 'bucketeer', 's3img.test', '', '', '[]', 0, 0, 1, 1, 'https://s3img.test/u', 'https://s3img.test/@u', 0, 0, 0, ?, ?, 'https://s3img.test/inbox', 'Person')`,
    [account, now, now],
  );
  const posts = [];
  for (const n of [1, 2, 3]) posts.push(await remotePost(`/s3/${n}.png`, account));

  for (const post of posts) {
    const url = post.media_attachments[0].url;
    assert.ok(url.startsWith(`${server.url}/media_proxy/attachment/`));
    const redirect = await fetch(url, { redirect: "manual" });
    assert.equal(redirect.status, 302);
    const location = redirect.headers.get("location")!;
    assert.ok(location.startsWith(`${s3.endpoint}/${s3.bucket}/cache/original/`), location);
    const object = await fetch(location);
    assert.equal(object.status, 200);
    assert.deepEqual(Buffer.from(await object.arrayBuffer()), images.get(new URL(post.media_attachments[0].remote_url).pathname));
  }
  // Three ~48 KB originals in 120 KB: the first was evicted from the bucket.
  const first = await fetch(posts[0].media_attachments[0].url, { redirect: "manual" });
  assert.equal(first.status, 302);
  assert.equal(hits.get("/s3/1.png"), 2, "evicted, then fetched again");

  const check = await server.cli(["media", "check", "--json"]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const report = JSON.parse(check.stdout);
  assert.equal(report.ok, true);
  assert.ok(report.fileBytes <= BUDGET && report.files === report.rows, JSON.stringify(report));
  const rows = await sql("select coalesce(sum(bytes), 0) as n from remote_media_cache");
  assert.equal(Number(rows[0].n), report.fileBytes);

  const usage = await server.cli(["media", "usage", "--json"]);
  assert.equal(usage.code, 0, usage.stderr);
  const measured = JSON.parse(usage.stdout);
  assert.equal(measured.driver, "s3");
  assert.equal(measured.kinds.find((k: any) => k.kind === "cache/original").bytes, report.fileBytes);
});
