// Remote documents are bounded in time and shape at the loader every fetch goes through: a
// server that trickles its answer is given up on, a document nested too deeply is refused, and
// an ordinary one comes through. A key and its actor are one document, fetched once; and which
// failures an inbox listener throws (to be tried again) rather than reading as "not there".
// skein-test: once (in-process, no database)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDocumentLoader, MemoryKvStore } from "@fedify/fedify";
import { boundedLoader, boundedLoaderFactories } from "../../src/federation/document-loaders.ts";
import { fetchedOrNull, isTransientFetchFailure } from "../../src/federation/fetch-failures.ts";

let server: http.Server;
let base: string;
const dripping = new Set<NodeJS.Timeout>();
const requests: string[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/gone" || req.url === "/busy") {
      res.writeHead(req.url === "/gone" ? 410 : 503).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/activity+json" });
    if (req.url === "/slow") {
      // Well inside any idle timeout between chunks, so only a deadline for the whole ends it.
      res.write('{"id":"');
      const timer = setInterval(() => res.write("a"), 100);
      dripping.add(timer);
      res.once("close", () => clearInterval(timer));
    } else if (req.url === "/deep") {
      res.end(`{"id":"${base}/deep","type":"Note","inReplyTo":${'{"type":"Note","inReplyTo":'.repeat(100)}null${"}".repeat(100)}}`);
    } else if (req.url === "/users/a") {
      res.end(JSON.stringify({ id: `${base}/users/a`, type: "Person", publicKey: { id: `${base}/users/a#main-key`, owner: `${base}/users/a`, publicKeyPem: "" } }));
    } else {
      res.end(JSON.stringify({ id: `${base}/ok`, type: "Note", content: "fine" }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const timer of dripping) clearInterval(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const load = boundedLoader(getDocumentLoader({ allowPrivateAddress: true }), 1_000);

test("an ordinary document comes through", async () => {
  assert.equal(((await load(`${base}/ok`)).document as { content: string }).content, "fine");
});

test("a document nested too deeply is refused", async () => {
  await assert.rejects(load(`${base}/deep`), /nests deeper than 24 levels/);
});

test("a document that trickles in is given up at the deadline", async () => {
  await assert.rejects(load(`${base}/slow`), (error: Error) => error.name === "TimeoutError" || /abort|timeout/i.test(String(error)));
});

test("a key and its actor are one document: the cached loader fetches it once", async () => {
  const loader = boundedLoaderFactories(new MemoryKvStore(), { allowPrivateAddress: true, userAgent: {} }).documentLoaderFactory!({});
  requests.length = 0;
  const key = await loader(`${base}/users/a#main-key`);
  const actor = await loader(`${base}/users/a`);
  assert.deepEqual(requests, ["/users/a"]);
  assert.deepEqual(key.document, actor.document);
});

test("failures that may pass are thrown to be tried again; a document that is not there is null", async () => {
  // A server busy for a moment, a connection refused, a deadline: tried again.
  await assert.rejects(fetchedOrNull(load(`${base}/busy`)), (error) => isTransientFetchFailure(error));
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/users/x`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(fetchedOrNull(load(closedUrl)), (error) => isTransientFetchFailure(error));
  await assert.rejects(fetchedOrNull(load(`${base}/slow`)), (error) => isTransientFetchFailure(error));
  // Gone, or refused by its shape: final.
  assert.equal(await fetchedOrNull(load(`${base}/gone`)), null);
  assert.equal(await fetchedOrNull(load(`${base}/deep`)), null);
  assert.equal(((await fetchedOrNull(load(`${base}/ok`)))?.document as { content: string }).content, "fine");
});
