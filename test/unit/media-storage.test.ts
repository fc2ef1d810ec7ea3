// One contract for both media drivers: the folder under DATA_DIR/media and an S3-compatible
// bucket (s3rver on loopback). What one driver does, the other must do too: put in every body
// form, whole or not at all; open whole and by ranges; head, delete, list, public URLs; keys
// Skein would never make are refused.
// skein-test: once (in-process, no database)
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { LocalMediaStorage } from "../../src/storage/local-storage.ts";
import { S3MediaStorage } from "../../src/storage/s3-storage.ts";
import { RangeNotSatisfiableError, type MediaStorage } from "../../src/storage/media-storage.ts";
import { contentTypeForKey, extensionForContentType } from "../../src/storage/keys.ts";
import { startS3, type TestS3 } from "../support/s3.ts";
import type { S3Config } from "../../src/config/media-config.ts";

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that sends `head`, then fails — a client hanging up mid-upload, a remote server dying mid-fetch. */
function failingStream(head: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(head);
      } else {
        setImmediate(() => this.destroy(new Error("connection reset")));
      }
    },
  });
}

const filesIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

interface Driver {
  name: "local" | "s3";
  storage: MediaStorage;
  /** Where temporary bytes wait (local: .tmp; s3: the spool folder). */
  tempDir: string;
  /** What publicUrl("a/b.png") must be. */
  publicUrlOf(key: string): string;
  stop(): Promise<void>;
}

const drivers: Array<{ name: "local" | "s3"; start(): Promise<Driver> }> = [
  {
    name: "local",
    async start() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "skein-media-"));
      return {
        name: "local",
        storage: new LocalMediaStorage(path.join(root, "media"), "https://social.example"),
        tempDir: path.join(root, "media", ".tmp"),
        publicUrlOf: (key) => `https://social.example/system/${key}`,
        stop: async () => fs.rmSync(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "s3",
    async start() {
      const s3: TestS3 = await startS3();
      const spool = fs.mkdtempSync(path.join(os.tmpdir(), "skein-spool-"));
      const storage = new S3MediaStorage(s3.config, { spoolDir: spool });
      return {
        name: "s3",
        storage,
        tempDir: spool,
        publicUrlOf: (key) => `${s3.endpoint}/${s3.bucket}/${key}`,
        stop: async () => {
          storage.close();
          await s3.stop();
          fs.rmSync(spool, { recursive: true, force: true });
        },
      };
    },
  },
];

for (const { name, start } of drivers) {
  describe(`${name} media storage`, () => {
    let d: Driver;
    before(async () => {
      d = await start();
    });
    after(() => d.stop());

    test("bytes put are read back whole, with their size, type, a quoted ETag and a public URL", async () => {
      const bytes = randomBytes(70_000);
      const key = "attachments/original/100-abc.png";
      assert.deepEqual(await d.storage.put(key, bytes, { contentType: "image/png" }), { size: 70_000 });
      const info = await d.storage.head(key);
      assert.ok(info);
      assert.equal(info.key, key);
      assert.equal(info.size, 70_000);
      assert.equal(info.contentType, "image/png");
      assert.match(info.etag, /^"[^"]+"$/);
      assert.ok(Math.abs(info.lastModified.getTime() - Date.now()) < 60_000);
      const opened = await d.storage.open(key);
      assert.ok(opened);
      assert.equal(opened.range, undefined);
      assert.equal(opened.etag, info.etag);
      assert.deepEqual(await bytesOf(opened.stream), bytes);
      assert.equal(d.storage.publicUrl(key), d.publicUrlOf(key));
      assert.equal(d.storage.driver, name);
    });

    test("a stream and a file on disk are stored like bytes", async () => {
      const bytes = randomBytes(200_000);
      const file = path.join(os.tmpdir(), `skein-put-${process.pid}-${name}`);
      fs.writeFileSync(file, bytes);
      try {
        assert.deepEqual(await d.storage.put("avatars/7-x.webp", { file }, { contentType: "image/webp" }), { size: 200_000 });
        assert.deepEqual(await d.storage.put("headers/7-y.webp", Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { contentType: "image/webp" }), { size: 200_000 });
        assert.ok(fs.existsSync(file), "the source file is copied, not moved");
      } finally {
        fs.rmSync(file, { force: true });
      }
      for (const key of ["avatars/7-x.webp", "headers/7-y.webp"]) {
        const opened = await d.storage.open(key);
        assert.ok(opened);
        assert.equal(opened.contentType, "image/webp");
        assert.deepEqual(await bytesOf(opened.stream), bytes);
      }
      assert.deepEqual(filesIn(d.tempDir), [], "no temporary file is left");
    });

    test("ranges: a slice, to the end, an end past the object cut to it, and one past the end refused with the size", async () => {
      const bytes = Buffer.from("0123456789abcdefghij");
      const key = "attachments/original/101-r.mp4";
      await d.storage.put(key, bytes, { contentType: "video/mp4" });
      const cases: Array<[{ start: number; end?: number }, string, { start: number; end: number }]> = [
        [{ start: 2, end: 5 }, "2345", { start: 2, end: 5 }],
        [{ start: 15 }, "fghij", { start: 15, end: 19 }],
        [{ start: 18, end: 1000 }, "ij", { start: 18, end: 19 }],
        // What browsers ask first for a video (s3rver mistakes "bytes=0-0" for the whole object; S3 does not).
        [{ start: 0, end: 1 }, "01", { start: 0, end: 1 }],
      ];
      for (const [range, expected, served] of cases) {
        const opened = await d.storage.open(key, range);
        assert.ok(opened);
        assert.deepEqual(opened.range, served);
        assert.equal(opened.size, 20, "size is the whole object's");
        assert.equal((await bytesOf(opened.stream)).toString(), expected);
      }
      await assert.rejects(d.storage.open(key, { start: 20 }), (e) => e instanceof RangeNotSatisfiableError && e.size === 20);
      await assert.rejects(d.storage.open(key, { start: 5, end: 2 }), TypeError);
    });

    test("a missing key: head and open answer null, delete is not an error", async () => {
      assert.equal(await d.storage.head("attachments/original/404-none.png"), null);
      assert.equal(await d.storage.open("attachments/original/404-none.png"), null);
      assert.equal(await d.storage.open("attachments/original/404-none.png", { start: 0 }), null);
      await d.storage.delete(["attachments/original/404-none.png"]);
      await d.storage.delete([]);
    });

    test("delete removes the objects it names and only those", async () => {
      await d.storage.put("emojis/1-a.png", Buffer.from("a"), { contentType: "image/png" });
      await d.storage.put("emojis/1-a-static.png", Buffer.from("b"), { contentType: "image/png" });
      await d.storage.put("emojis/2-c.png", Buffer.from("c"), { contentType: "image/png" });
      await d.storage.delete(["emojis/1-a.png", "emojis/1-a-static.png", "emojis/9-gone.png"]);
      assert.equal(await d.storage.head("emojis/1-a.png"), null);
      assert.equal(await d.storage.head("emojis/1-a-static.png"), null);
      assert.equal((await d.storage.head("emojis/2-c.png"))?.size, 1);
    });

    test("list walks every folder under a prefix, a partial segment too, and never shows temporary files", async () => {
      const keys = ["cache/original/aa11.png", "cache/original/ab22.webp", "cache/small/aa11.webp", "cached/x.png"];
      for (const key of keys) await d.storage.put(key, Buffer.from(key), { contentType: contentTypeForKey(key) });
      const listed = async (prefix: string) => {
        const found: Array<{ key: string; size: number }> = [];
        for await (const entry of d.storage.list(prefix)) found.push(entry);
        return found.sort((a, b) => a.key.localeCompare(b.key));
      };
      assert.deepEqual(await listed("cache/"), [
        { key: "cache/original/aa11.png", size: 23 },
        { key: "cache/original/ab22.webp", size: 24 },
        { key: "cache/small/aa11.webp", size: 21 },
      ]);
      assert.deepEqual((await listed("cache/original/a")).map((e) => e.key), ["cache/original/aa11.png", "cache/original/ab22.webp"]);
      assert.deepEqual((await listed("cache/original/aa")).map((e) => e.key), ["cache/original/aa11.png"]);
      assert.deepEqual((await listed("cache")).map((e) => e.key), [...keys].sort());
      assert.deepEqual(await listed("nothing/here/"), []);
      const everything = (await listed("")).map((e) => e.key);
      for (const key of keys) assert.ok(everything.includes(key));
      assert.ok(everything.every((key) => !key.includes(".tmp") && !key.startsWith(".")));
    });

    test("delete and list go beyond one S3 page: 1001 objects", async () => {
      const keys = Array.from({ length: 1001 }, (_, i) => `cache/small/bulk-${String(i).padStart(4, "0")}.webp`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((key) => d.storage.put(key, Buffer.from("x"), { contentType: "image/webp" })));
      }
      let count = 0;
      for await (const entry of d.storage.list("cache/small/bulk-")) count += entry.size;
      assert.equal(count, 1001);
      await d.storage.delete(keys);
      const left: string[] = [];
      for await (const entry of d.storage.list("cache/small/bulk-")) left.push(entry.key);
      assert.deepEqual(left, []);
    });

    test("a body that fails midway stores nothing, leaves no temporary file, and an older object stays whole", async () => {
      const key = "attachments/small/102-f.webp";
      await assert.rejects(d.storage.put(key, failingStream(randomBytes(50_000)), { contentType: "image/webp" }), /connection reset/);
      assert.equal(await d.storage.head(key), null);
      assert.deepEqual(filesIn(d.tempDir), []);

      const older = randomBytes(1234);
      await d.storage.put(key, older, { contentType: "image/webp" });
      await assert.rejects(d.storage.put(key, failingStream(randomBytes(50_000)), { contentType: "image/webp" }), /connection reset/);
      const opened = await d.storage.open(key);
      assert.ok(opened);
      assert.deepEqual(await bytesOf(opened.stream), older);
      assert.deepEqual(filesIn(d.tempDir), []);
      await assert.rejects(d.storage.put("attachments/small/102-g.webp", { file: "/nonexistent/skein-file" }, { contentType: "image/webp" }), /ENOENT/);
      assert.equal(await d.storage.head("attachments/small/102-g.webp"), null);
    });

    test("while a put is still receiving its body, the key is not visible at all", async () => {
      const key = "attachments/original/103-slow.jpg";
      const body = new Readable({ read() {} });
      body.push(randomBytes(10_000));
      const writing = d.storage.put(key, body, { contentType: "image/jpeg" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await d.storage.head(key), null);
      const listed: string[] = [];
      for await (const entry of d.storage.list("attachments/original/103")) listed.push(entry.key);
      assert.deepEqual(listed, []);
      body.push(randomBytes(5_000));
      body.push(null);
      assert.deepEqual(await writing, { size: 15_000 });
      assert.equal((await d.storage.head(key))?.size, 15_000);
    });

    test("keys Skein would never make are refused by every operation", async () => {
      const bad = [
        "",
        "../skein.sqlite",
        "attachments/../../skein.sqlite",
        "/etc/passwd",
        "Attachments/original/1.png",
        "attachments/original/1.PNG",
        "a".repeat(252) + ".png",
        "attachments//1.png",
        "attachments/original/",
        ".tmp/abc",
        "attachments/.hidden.png",
        "attachments/original/1 2.png",
        "attachments\\original\\1.png",
        "attachments/original/%2e%2e.png",
      ];
      for (const key of bad) {
        await assert.rejects(d.storage.put(key, Buffer.from("x"), { contentType: "image/png" }), TypeError, key);
        await assert.rejects(d.storage.open(key), TypeError, key);
        await assert.rejects(d.storage.head(key), TypeError, key);
        await assert.rejects(d.storage.delete([key]), TypeError, key);
        assert.throws(() => d.storage.publicUrl(key), TypeError, key);
      }
      // 255 characters; no one segment near the file systems' 255-byte name limit.
      const longest = `cache/${"a".repeat(120)}/${"b".repeat(124)}.png`;
      assert.equal(longest.length, 255);
      await d.storage.put(longest, Buffer.from("x"), { contentType: "image/png" });
      assert.equal((await d.storage.head(longest))?.size, 1);
      for (const prefix of ["../", "/x", "A", "cache/../"]) {
        await assert.rejects(async () => {
          for await (const _ of d.storage.list(prefix)) break;
        }, TypeError);
      }
    });

    test("a content type that disagrees with the key's extension is refused (the local driver serves by extension)", async () => {
      await assert.rejects(d.storage.put("attachments/original/104-x.png", Buffer.from("x"), { contentType: "text/html" }), TypeError);
      await assert.rejects(d.storage.put("attachments/original/104-x.png", Buffer.from("x"), { contentType: "image/jpeg" }), TypeError);
      assert.equal(await d.storage.head("attachments/original/104-x.png"), null);
      // An upload as received has no extension: any type, never served.
      await d.storage.put("uploads/104-raw", Buffer.from("x"), { contentType: "image/heic" });
      assert.equal((await d.storage.head("uploads/104-raw"))?.size, 1);
    });
  });
}

describe("S3 specifics", () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startS3("skein-public");
  });
  after(() => s3.stop());

  test("objects are stored with the immutable Cache-Control and their type, and a plain fetch of the public URL gets them", async () => {
    const storage = new S3MediaStorage(s3.config);
    try {
      const bytes = randomBytes(5000);
      await storage.put("attachments/original/200-p.webp", bytes, { contentType: "image/webp" });
      const response = await fetch(storage.publicUrl("attachments/original/200-p.webp"), { headers: { Origin: "https://elk.example" } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "image/webp");
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.equal(response.headers.get("access-control-allow-origin"), "*");
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
    } finally {
      storage.close();
    }
  });

  test("public URLs: the CDN host, path style at the endpoint, virtual-host style, AWS by region", () => {
    const base: S3Config = { bucket: "files", endpoint: "https://s3.example:9000", region: "eu-west-1", accessKeyId: null, secretAccessKey: null, aliasHost: null, forcePathStyle: false };
    const url = (config: Partial<S3Config>) => new S3MediaStorage({ ...base, ...config }).publicUrl("avatars/1-a.webp");
    assert.equal(url({ aliasHost: "cdn.social.example" }), "https://cdn.social.example/avatars/1-a.webp");
    assert.equal(url({ forcePathStyle: true }), "https://s3.example:9000/files/avatars/1-a.webp");
    assert.equal(url({}), "https://files.s3.example:9000/avatars/1-a.webp");
    assert.equal(url({ endpoint: null }), "https://files.s3.eu-west-1.amazonaws.com/avatars/1-a.webp");
  });

  test("an S3 that accepts connections and never answers fails each operation within its deadlines", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const storage = new S3MediaStorage({ ...s3.config, endpoint: `http://127.0.0.1:${port}` }, { timeouts: { connectMs: 500, idleMs: 500, requestMs: 1500 } });
    try {
      for (const operation of [
        () => storage.head("avatars/1-a.webp"),
        () => storage.open("avatars/1-a.webp"),
        () => storage.put("avatars/1-a.webp", Buffer.from("x"), { contentType: "image/webp" }),
        () => storage.delete(["avatars/1-a.webp"]),
      ]) {
        const started = Date.now();
        await assert.rejects(operation());
        // Three attempts of at most 1.5 s each, and backoff between them.
        assert.ok(Date.now() - started < 8000, `failed after ${Date.now() - started} ms`);
      }
    } finally {
      storage.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

test("the local driver's first put removes temporary files a crashed process left a day ago, and only those", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "skein-media-"));
  try {
    const tmp = path.join(root, ".tmp");
    fs.mkdirSync(tmp);
    fs.writeFileSync(path.join(tmp, "stale"), "left by a crash");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    fs.utimesSync(path.join(tmp, "stale"), twoDaysAgo, twoDaysAgo);
    fs.writeFileSync(path.join(tmp, "in-progress"), "another process is writing this");
    await new LocalMediaStorage(root, "https://social.example").put("emojis/1-a.png", Buffer.from("x"), { contentType: "image/png" });
    assert.deepEqual(fs.readdirSync(tmp), ["in-progress"]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("extensions and types agree both ways", () => {
  assert.equal(contentTypeForKey("attachments/original/1-a.jpg"), "image/jpeg");
  assert.equal(contentTypeForKey("uploads/1-a"), "application/octet-stream");
  assert.equal(contentTypeForKey("cache/original/ab.unknown"), "application/octet-stream");
  assert.equal(extensionForContentType("image/jpeg"), "jpg");
  assert.equal(extensionForContentType("video/mp4"), "mp4");
  assert.equal(extensionForContentType("image/webp; charset=binary"), "webp");
  assert.equal(extensionForContentType("text/html"), null);
});
