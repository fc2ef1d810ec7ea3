// Fetches made for federation are bounded (a server that sends too much, or nothing, cannot hold
// or fill our memory) and guarded: every connection, redirects included, is judged on the
// address it actually reaches, and a refused one never carries a byte. Deliveries' connections
// resume the TLS sessions servers issue, when connecting to them again.
// skein-test: once (in-process, no database)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import * as undici from "undici";
import { FETCH_LIMITS, installFederationHttpClient } from "../../src/federation/http-client.ts";
import { guardedConnector, type OutboundPolicy } from "../../src/net/connection-guard.ts";
import { TlsSessionCache } from "../../src/net/tls-sessions.ts";
import { ensureFleetTls } from "../../bench/fleet/tls.ts";

let server: http.Server;
let port: number;
/** A plain TCP listener on another loopback address: what a redirect must not reach. */
let target: net.Server;
let targetPort: number;
let targetConnections = 0;

before(async () => {
  target = net.createServer((socket) => {
    targetConnections++;
    socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.66", r));
  targetPort = (target.address() as AddressInfo).port;
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
    } else if (req.url === "/redirect") {
      res.writeHead(302, { location: `http://127.0.0.66:${targetPort}/` }).end();
    } else {
      res.end('{"ok":true}');
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => target.close(() => r()));
});

test("test host names resolve to loopback, and small documents come through", async () => {
  installFederationHttpClient({ testHosts: { "small.test": "127.0.0.1" }, environment: "test" });
  // The agent is made on the first fetch (net/undici-on-demand.ts): two fetches sent together
  // as the process's first both wait for it and come through the guarded agent (a name only it resolves).
  const answers = await Promise.all([fetch(`http://small.test:${port}/ok`), fetch(`http://small.test:${port}/ok`)]);
  for (const answer of answers) assert.deepEqual(await answer.json(), { ok: true });
  assert.deepEqual(await (await fetch(`http://small.test:${port}/ok`)).json(), { ok: true });
});

test("a response body over the cap is cut off with an error", async () => {
  installFederationHttpClient({ testHosts: { "small.test": "127.0.0.1" }, environment: "test" });
  await assert.rejects(async () => {
    const response = await fetch(`http://small.test:${port}/huge`);
    await response.arrayBuffer();
  });
});

test("a redirect to a private address is refused before connecting when private addresses are not allowed", async () => {
  // The test environment allows loopback: the redirect is followed (so the listener can see it).
  installFederationHttpClient({ testHosts: { "small.test": "127.0.0.1" }, environment: "test" });
  const before = targetConnections;
  assert.equal(await (await fetch(`http://small.test:${port}/redirect`)).text(), "ok");
  assert.equal(targetConnections, before + 1);

  // Production: the pinned test host is still reached, the address it redirects to is not.
  installFederationHttpClient({ testHosts: { "small.test": "127.0.0.1" }, environment: "production" });
  const error = await fetch(`http://small.test:${port}/redirect`).then(
    () => assert.fail("the redirect was followed"),
    (e: Error & { cause?: NodeJS.ErrnoException }) => e,
  );
  assert.equal(error.cause?.code, "ERR_PRIVATE_ADDRESS", String(error.cause));
  assert.match(String(error.cause?.message), /127\.0\.0\.66.*loopback/);
  assert.equal(targetConnections, before + 1, "no connection reached 127.0.0.66");
  // And IP literals in production are refused outright, in any spelling.
  for (const host of ["127.0.0.66", "2130706498", "0x7f000042", "[::ffff:127.0.0.66]"]) {
    await assert.rejects(fetch(`http://${host}:${targetPort}/`), (e: Error & { cause?: NodeJS.ErrnoException }) => e.cause?.code === "ERR_PRIVATE_ADDRESS");
  }
  assert.equal(targetConnections, before + 1);
});

test("the address actually connected to is judged: a refused one is closed before TLS sends a byte", async () => {
  // A name that resolved to an allowed address and is refused once connected — as when DNS
  // answers differently between the check and the connection. Here the pinned answer changes.
  let asked = 0;
  const policy: OutboundPolicy = { allowPrivate: false, pinned: () => (asked++ === 0 ? "127.0.0.1" : undefined) };
  let bytes = 0;
  let closed!: Promise<void>;
  const listener = net.createServer();
  const accepted = new Promise<void>((resolve) => {
    closed = new Promise<void>((whenClosed) =>
      listener.once("connection", (socket) => {
        resolve();
        socket.on("data", (d) => (bytes += d.length));
        socket.on("close", () => whenClosed());
      }),
    );
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const agent = new undici.Agent({ connect: guardedConnector(undici, policy, { timeout: 5_000 }) });
  try {
    const error = await agent
      .request({ origin: `https://rebound.test:${(listener.address() as AddressInfo).port}`, path: "/", method: "GET" })
      .then(() => null, (e: NodeJS.ErrnoException) => e);
    assert.equal(error?.code, "ERR_PRIVATE_ADDRESS", String(error));
    await accepted;
    await closed;
  } finally {
    await agent.close();
    listener.close();
  }
  assert.ok(asked >= 2, "judged at lookup and again once connected");
  assert.equal(bytes, 0, "no ClientHello reached the refused address");
});

test("reconnecting to a host resumes the TLS session it issued, for as many hosts as the session cache's bytes hold", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-tls-sessions-"));
  const files = ensureFleetTls(dir);
  const handshakes = { full: 0, resumed: 0 };
  // Like nginx: tickets issued (Node's default), one ticket key for every host it answers for.
  const tlsServer = https.createServer({ cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) }, (_req, res) => res.end("ok"));
  tlsServer.on("secureConnection", (socket: TLSSocket) => void (socket.isSessionReused() ? handshakes.resumed++ : handshakes.full++));
  await new Promise<void>((r) => tlsServer.listen(0, "127.0.0.1", r));
  const tlsPort = (tlsServer.address() as AddressInfo).port;
  const fleetPolicy: OutboundPolicy = { allowPrivate: false, pinned: (host) => (host.endsWith(".fleet.test") ? "127.0.0.1" : undefined) };
  const hosts = Array.from({ length: 30 }, (_, i) => `d${i}.fleet.test`);
  /** One request to each host on a fresh agent (so every one is a new connection); the agent is closed after. */
  const round = async (connect: undici.buildConnector.connector, to = hosts) => {
    const agent = new undici.Agent({ connect });
    try {
      for (const host of to) await (await agent.request({ origin: `https://${host}:${tlsPort}`, path: "/", method: "GET" })).body.text();
    } finally {
      await agent.close();
    }
    const seen = { ...handshakes };
    handshakes.full = handshakes.resumed = 0;
    return seen;
  };
  try {
    const sessions = new TlsSessionCache(1024 * 1024);
    const connect = guardedConnector(undici, fleetPolicy, { timeout: 5_000, ca: fs.readFileSync(files.ca) }, sessions);
    assert.deepEqual(await round(connect), { full: 30, resumed: 0 }, "first contact: full handshakes");
    assert.equal(sessions.size, 30, "a session kept per host");
    assert.deepEqual(await round(connect), { full: 0, resumed: 30 }, "every reconnection resumes");
    // A cache whose bytes hold about ten sessions keeps the ten hosts seen last.
    const small = new TlsSessionCache(sessions.bytes / 3);
    const connectSmall = guardedConnector(undici, fleetPolicy, { timeout: 5_000, ca: fs.readFileSync(files.ca) }, small);
    await round(connectSmall);
    assert.ok(small.size >= 9 && small.size <= 10 && small.bytes <= small.maxBytes, `${small.size} sessions in ${small.bytes} of ${small.maxBytes} bytes`);
    assert.deepEqual(await round(connectSmall, hosts.slice(0, 20)), { full: 20, resumed: 0 }, "the hosts it let go: full handshakes");
  } finally {
    tlsServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a server whose certificate names another host is refused, and one naming it is accepted, resumed or not", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-tls-names-"));
  const files = ensureFleetTls(dir); // a certificate for *.fleet.test only
  const tlsServer = https.createServer({ cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) }, (_req, res) => res.end("ok"));
  await new Promise<void>((r) => tlsServer.listen(0, "127.0.0.1", r));
  const tlsPort = (tlsServer.address() as AddressInfo).port;
  // Both names reach the same server; only one is in its certificate.
  const policy: OutboundPolicy = { allowPrivate: false, pinned: (host) => (host.endsWith(".fleet.test") || host === "impostor.test" ? "127.0.0.1" : undefined) };
  const sessions = new TlsSessionCache(1024 * 1024);
  const agent = new undici.Agent({ connect: guardedConnector(undici, policy, { timeout: 5_000, ca: fs.readFileSync(files.ca) }, sessions), keepAliveTimeout: 1 });
  const get = (host: string) =>
    agent.request({ origin: `https://${host}:${tlsPort}`, path: "/", method: "GET", reset: true }).then(
      async (r) => ({ status: r.statusCode, body: await r.body.text() }),
      (e: NodeJS.ErrnoException) => e,
    );
  try {
    const refused = await get("impostor.test");
    assert.ok(refused instanceof Error, `refused, not answered: ${refused instanceof Error ? "" : refused.status}`);
    assert.equal(refused.code, "ERR_TLS_CERT_ALTNAME_INVALID", String(refused));
    assert.match(refused.message, /impostor\.test/);
    assert.deepEqual(await get("a.fleet.test"), { status: 200, body: "ok" }, "the name in the certificate");
    assert.deepEqual(await get("a.fleet.test"), { status: 200, body: "ok" }, "again, resuming its session");
    assert.ok(refused instanceof Error && (await get("impostor.test")) instanceof Error, "still refused the second time");
  } finally {
    await agent.close();
    tlsServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
