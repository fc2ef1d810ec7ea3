// /system/<key>: a real server serving the local media driver's files as a browser or a video
// player needs them (type, a year of immutable caching, ETag revalidation, byte ranges, HEAD),
// as user uploads must be served (nosniff, a sandboxing CSP), and nothing else: not unknown keys,
// not unprocessed uploads, not a step outside DATA_DIR/media however the path is spelled. With
// the S3 driver the route is closed and the bucket's URL serves the file.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import sharp from "sharp";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { eventually } from "../support/federation-fleet.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import { LocalMediaStorage } from "../../src/storage/local-storage.ts";
import { S3MediaStorage } from "../../src/storage/s3-storage.ts";
import { mediaFilesRoutes } from "../../src/http/media/files.ts";
import type { AppEnv } from "../../src/http/env.ts";
import type { Services } from "../../src/domain/services.ts";

/** A request sent exactly as written: fetch() would resolve "..", this does not. */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: rawPath, method: "GET" }, (response) => {
      let body = "";
      response.setEncoding("latin1");
      response.on("data", (d) => (body += d));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

const noise = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } });

describe("the local driver's files at /system/", () => {
  let server: TestServer;
  let contract: ContractLog;
  let image: Buffer;
  let video: Buffer;
  const imageKey = "attachments/small/1001-q7x2.webp";
  const videoKey = "attachments/original/1001-q7x2.mp4";

  before(async () => {
    server = await startServer();
    contract = installContractCheck(server.url);
    const storage = new LocalMediaStorage(path.join(server.env.DATA_DIR, "media"), server.url);
    image = await noise(320, 200).webp().toBuffer();
    video = randomBytes(300_000);
    await storage.put(imageKey, image, { contentType: "image/webp" });
    await storage.put(videoKey, Readable.from([video]), { contentType: "video/mp4" });
    await storage.put("uploads/1002-raw", await noise(32, 32).jpeg().withMetadata().toBuffer(), { contentType: "image/jpeg" });
    await storage.put("emojis/3-blob.png", await noise(16, 16).png().toBuffer(), { contentType: "image/png" });
    // Things beside the media folder that must never be reachable through it.
    fs.writeFileSync(path.join(server.env.DATA_DIR, "secret.txt"), "TOP SECRET");
    fs.writeFileSync(path.join(server.env.DATA_DIR, "media", ".tmp", "half-written"), "PARTIAL");
  });
  after(async () => {
    assert.deepEqual(contract.violations, []);
    await server.stop();
  });

  test("a file is served whole with its type, a year of immutable caching, validators and the upload-safety headers, without signing in", async () => {
    const response = await fetch(`${server.url}/system/${imageKey}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "image/webp");
    assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.match(response.headers.get("etag") ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(response.headers.get("last-modified"));
    assert.equal(response.headers.get("accept-ranges"), "bytes");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("content-security-policy"), "default-src 'none'; sandbox");
    assert.equal(response.headers.get("content-length"), String(image.length));
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), image);
    // What sharp reads back is the picture that was stored.
    assert.deepEqual((await sharp(image).metadata()).width, 320);

    const emoji = await fetch(`${server.url}/system/emojis/3-blob.png`);
    assert.equal(emoji.status, 200);
    assert.equal(emoji.headers.get("content-type"), "image/png");
  });

  test("If-None-Match with the ETag (strong or weak) and If-Modified-Since answer 304 without a body; another ETag gets the file", async () => {
    const first = await fetch(`${server.url}/system/${imageKey}`);
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    await first.arrayBuffer();
    const conditions: Array<Record<string, string>> = [{ "If-None-Match": etag }, { "If-None-Match": `"other", W/${etag}` }, { "If-None-Match": "*" }, { "If-Modified-Since": lastModified }];
    for (const headers of conditions) {
      const response = await fetch(`${server.url}/system/${imageKey}`, { headers });
      assert.equal(response.status, 304, JSON.stringify(headers));
      assert.equal(response.headers.get("etag"), etag);
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.equal((await response.arrayBuffer()).byteLength, 0);
    }
    const changed = await fetch(`${server.url}/system/${imageKey}`, { headers: { "If-None-Match": '"5f0-1"', "If-Modified-Since": lastModified } });
    assert.equal(changed.status, 200, "If-None-Match decides when both are sent");
    assert.equal((await changed.arrayBuffer()).byteLength, image.length);
  });

  test("byte ranges for video: a slice, open-ended, a suffix, an end past the file; a start past it is 416", async () => {
    const size = video.length;
    const cases: Array<[string, number, number]> = [
      ["bytes=0-1", 0, 1],
      ["bytes=1000-1999", 1000, 1999],
      ["bytes=299990-", 299990, size - 1],
      ["bytes=-500", size - 500, size - 1],
      ["bytes=299000-999999999", 299000, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await fetch(`${server.url}/system/${videoKey}`, { headers: { Range: range } });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get("content-type"), "video/mp4");
      assert.equal(response.headers.get("content-range"), `bytes ${start}-${end}/${size}`);
      assert.equal(response.headers.get("content-length"), String(end - start + 1));
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), video.subarray(start, end + 1), range);
    }
    for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, "bytes=-0"]) {
      const response = await fetch(`${server.url}/system/${videoKey}`, { headers: { Range: range } });
      assert.equal(response.status, 416, range);
      assert.equal(response.headers.get("content-range"), `bytes */${size}`);
      await response.arrayBuffer();
    }
    // Several ranges, nonsense, or an If-Range naming another version: the whole file (a server may ignore Range).
    const ignored: Array<Record<string, string>> = [{ Range: "bytes=0-1,5-6" }, { Range: "items=0-1" }, { Range: "bytes=9-2" }, { Range: "bytes=0-1", "If-Range": '"1-1"' }];
    for (const headers of ignored) {
      const response = await fetch(`${server.url}/system/${videoKey}`, { headers });
      assert.equal(response.status, 200, JSON.stringify(headers));
      assert.equal((await response.arrayBuffer()).byteLength, size);
    }
    const etag = (await fetch(`${server.url}/system/${videoKey}`, { method: "HEAD" })).headers.get("etag")!;
    const current = await fetch(`${server.url}/system/${videoKey}`, { headers: { Range: "bytes=0-9", "If-Range": etag } });
    assert.equal(current.status, 206);
    assert.equal((await current.arrayBuffer()).byteLength, 10);
  });

  test("HEAD answers the headers a GET would, without the body", async () => {
    const whole = await fetch(`${server.url}/system/${videoKey}`, { method: "HEAD" });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-length"), String(video.length));
    assert.equal(whole.headers.get("content-type"), "video/mp4");
    assert.equal(whole.headers.get("x-content-type-options"), "nosniff");
    assert.equal((await whole.arrayBuffer()).byteLength, 0);
    const part = await fetch(`${server.url}/system/${videoKey}`, { method: "HEAD", headers: { Range: "bytes=10-19" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 10-19/${video.length}`);
    assert.equal(part.headers.get("content-length"), "10");
    const missing = await fetch(`${server.url}/system/attachments/small/9-none.webp`, { method: "HEAD" });
    assert.equal(missing.status, 404);
  });

  test("unknown keys, unprocessed uploads and anything that is not a key are 404, never a file from elsewhere", async () => {
    for (const key of ["attachments/small/9-none.webp", "uploads/1002-raw", "attachments", "attachments/small/", "ATTACHMENTS/small/1001-q7x2.webp"]) {
      const response = await fetch(`${server.url}/system/${key}`);
      assert.equal(response.status, 404, key);
      assert.deepEqual(await response.json(), { error: "Record not found" });
    }
    const secrets = /SQLite format 3|TOP SECRET|PARTIAL/;
    for (const raw of [
      "/system/../skein.sqlite",
      "/system/../secret.txt",
      "/system/%2e%2e/secret.txt",
      "/system/%2E%2E/%2E%2E/etc/passwd",
      "/system/.%2e/secret.txt",
      "/system/attachments/..%2f..%2fsecret.txt",
      "/system/attachments%2f..%2f..%2fsecret.txt",
      "/system/attachments/small/..%5c..%5c..%5csecret.txt",
      "/system/%252e%252e/secret.txt",
      "/system//etc/passwd",
      "/system/.tmp/half-written",
      "/system/%2etmp/half-written",
      "/system/uploads/1002-raw",
      "/system/attachments/small/1001-q7x2.webp%00.txt",
    ]) {
      const response = await rawGet(server.url, raw);
      assert.ok([400, 404].includes(response.status), `${raw}: ${response.status}`);
      assert.doesNotMatch(response.body, secrets, raw);
    }
  });
});

describe("with the S3 driver", () => {
  let s3: TestS3;
  let server: TestServer;
  let contract: ContractLog;

  before(async () => {
    s3 = await startS3();
    server = await startServer({ env: s3.env });
    contract = installContractCheck(server.url);
  });
  after(async () => {
    assert.deepEqual(contract.violations, []);
    await server.stop();
    await s3.stop();
  });

  test("/system/ is closed (404) and the bucket's public URL serves the file, immutable", async () => {
    const storage = new S3MediaStorage(s3.config);
    try {
      const bytes = await noise(64, 64).webp().toBuffer();
      const key = "avatars/5-k9.webp";
      await storage.put(key, bytes, { contentType: "image/webp" });
      // Also a file under the local folder: the S3 server must not serve it either.
      await new LocalMediaStorage(path.join(server.env.DATA_DIR, "media"), server.url).put(key, bytes, { contentType: "image/webp" });
      const local = await fetch(`${server.url}/system/${key}`);
      assert.equal(local.status, 404);
      await local.arrayBuffer();
      const remote = await fetch(storage.publicUrl(key));
      assert.equal(remote.status, 200);
      assert.equal(remote.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.equal(remote.headers.get("content-type"), "image/webp");
      assert.deepEqual(Buffer.from(await remote.arrayBuffer()), bytes);
    } finally {
      storage.close();
    }
  });
});

describe("onServed: the bytes actually sent", () => {
  let url: string;
  let close: () => void;
  const served: Array<[string, number]> = [];
  const big = randomBytes(16 * 1024 * 1024);
  let root: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "skein-served-"));
    const storage = new LocalMediaStorage(root, "http://files.example");
    await storage.put("cache/original/ab.mp4", big, { contentType: "video/mp4" });
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set("services", { mediaStorage: storage } as unknown as Services);
      await next();
    });
    app.route("/system", mediaFilesRoutes({ onServed: (key, bytes) => void served.push([key, bytes]) }));
    const listening = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as http.Server));
    });
    url = `http://127.0.0.1:${(listening.address() as { port: number }).port}`;
    close = () => listening.close();
  });
  after(() => {
    close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("whole files, ranges and 304s are counted once each; HEAD is not; a client that hangs up counts only what it got", async () => {
    const target = `${url}/system/cache/original/ab.mp4`;
    const whole = await fetch(target);
    await whole.arrayBuffer();
    await eventually(async () => served.length === 1, 5000, "the whole file counted");
    assert.deepEqual(served[0], ["cache/original/ab.mp4", big.length]);

    const part = await fetch(target, { headers: { Range: "bytes=100-199" } });
    await part.arrayBuffer();
    await eventually(async () => served.length === 2, 5000, "the range counted");
    assert.deepEqual(served[1], ["cache/original/ab.mp4", 100]);

    const revalidated = await fetch(target, { headers: { "If-None-Match": whole.headers.get("etag")! } });
    assert.equal(revalidated.status, 304);
    await eventually(async () => served.length === 3, 5000, "the 304 counted");
    assert.deepEqual(served[2], ["cache/original/ab.mp4", 0]);

    await (await fetch(target, { method: "HEAD" })).arrayBuffer();

    // Read the first chunk, then hang up.
    const controller = new AbortController();
    const leaving = await fetch(target, { signal: controller.signal });
    const reader = leaving.body!.getReader();
    await reader.read();
    controller.abort();
    await eventually(async () => served.length === 4, 10_000, "the abandoned download counted");
    const [, bytes] = served[3];
    assert.ok(bytes > 0 && bytes < big.length, `counted ${bytes} of ${big.length}`);
    assert.equal(served.length, 4, "HEAD was not counted");
  });
});
