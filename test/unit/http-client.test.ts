// Fetches made for federation are bounded: a server that sends too much, or nothing, cannot hold
// or fill our memory.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FETCH_LIMITS, installFederationHttpClient } from "../../src/federation/http-client.ts";

let server: http.Server;
let base: string;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/huge") {
      res.writeHead(200, { "Content-Type": "application/activity+json" });
      const chunk = Buffer.alloc(64 * 1024, 32);
      let sent = 0;
      const pump = () => {
        while (sent <= FETCH_LIMITS.maxResponseBytes + chunk.length) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    } else {
      res.end('{"ok":true}');
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://small.test:${(server.address() as AddressInfo).port}`;
  installFederationHttpClient({ "small.test": "127.0.0.1" });
});

after(() => new Promise<void>((r) => server.close(() => r())));

test("test host names resolve to loopback, and small documents come through", async () => {
  assert.deepEqual(await (await fetch(`${base}/ok`)).json(), { ok: true });
});

test("a response body over the cap is cut off with an error", async () => {
  await assert.rejects(async () => {
    const response = await fetch(`${base}/huge`);
    await response.arrayBuffer();
  });
});
