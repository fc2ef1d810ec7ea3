// Remote documents are bounded in time and shape at the loader every fetch goes through: a
// server that trickles its answer is given up on, a document nested too deeply is refused, and
// an ordinary one comes through.
// skein-test: once (in-process, no database)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDocumentLoader } from "@fedify/fedify";
import { boundedLoader } from "../../src/federation/document-loaders.ts";

let server: http.Server;
let base: string;
const dripping = new Set<NodeJS.Timeout>();

before(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/activity+json" });
    if (req.url === "/slow") {
      // Well inside any idle timeout between chunks, so only a deadline for the whole ends it.
      res.write('{"id":"');
      const timer = setInterval(() => res.write("a"), 100);
      dripping.add(timer);
      res.once("close", () => clearInterval(timer));
    } else if (req.url === "/deep") {
      res.end(`{"id":"${base}/deep","type":"Note","inReplyTo":${'{"type":"Note","inReplyTo":'.repeat(100)}null${"}".repeat(100)}}`);
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
