// Slow clients: a request whose body (or headers) trickles in is cut off once the request has
// taken longer than the server's bound (30 s; REQUEST_TIMEOUT shortens it to 2 s here), so a few
// clients cannot hold sockets and waiting handlers for as long as they like. Answers that take
// long (a streaming connection) are not cut: only receiving the request counts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { serverTimeouts } from "../../src/server/http-server.ts";

const BOUND_S = 2;
/** What "cut off within the bound" allows beyond it: the server's check interval (0.5 s), plus a loaded machine. */
const SLACK_MS = 8_000;
/** A connection still open this long has not been cut off at all (the default bound is 30 s). */
const GIVE_UP_MS = 25_000;

let server: TestServer;
let alice: TestUser;
let contract: ContractLog;

before(async () => {
  server = await startServer({ env: { REQUEST_TIMEOUT: String(BOUND_S) } });
  contract = installContractCheck(server.url);
  alice = await signUp(server, "alice");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server.stop();
});

interface Trickle {
  /** Resolves when the server closes the connection: how long it stayed open, and what came back. */
  closed: Promise<{ ms: number; answer: string }>;
  stop(): void;
}

/**
 * Opens a connection, sends `head` and then `drip` every 100 ms, forever, like a client on a
 * hopeless link. The connection's close is what the tests wait for; if the server never closes
 * it, `closed` rejects after GIVE_UP_MS so the test fails instead of hanging.
 */
function trickle(head: string, drip: string): Trickle {
  const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
  let started = performance.now();
  let answer = "";
  let timer: NodeJS.Timeout | undefined;
  socket.on("data", (d) => (answer += d));
  socket.on("error", () => {}); // a reset after the server gave up is the expected end
  socket.once("connect", () => {
    started = performance.now();
    socket.write(head);
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write(drip);
    }, 100);
  });
  const closed = new Promise<{ ms: number; answer: string }>((resolve, reject) => {
    const giveUp = setTimeout(() => reject(new Error(`still open after ${GIVE_UP_MS} ms`)), GIVE_UP_MS);
    socket.once("close", () => {
      clearTimeout(giveUp);
      clearInterval(timer);
      resolve({ ms: performance.now() - started, answer });
    });
  });
  return { closed, stop: () => socket.destroy() };
}

const upload = (path: string, headers: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n${headers}Content-Length: 1000000\r\n\r\n{"status":"`;

test("50 requests declaring a 1 MB body and sending 10 bytes a second are all cut off within the bound (408), while the server keeps answering", async (t) => {
  const auth = `Authorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\n`;
  const targets = [
    upload("/api/v1/statuses", auth),
    upload("/api/v1/accounts/update_credentials", auth).replace("POST", "PATCH"),
    upload("/api/v1/apps", "Content-Type: application/json\r\n"),
    upload("/oauth/token", "Content-Type: application/x-www-form-urlencoded\r\n"),
    upload("/inbox", "Content-Type: application/activity+json\r\n"),
    upload("/users/alice/inbox", "Content-Type: application/activity+json\r\n"),
  ];
  const slow = Array.from({ length: 50 }, (_, i) => trickle(targets[i % targets.length], "x"));
  try {
    // The server answers others meanwhile.
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    const results = await Promise.all(slow.map((s) => s.closed));
    const times = results.map((r) => r.ms);
    t.diagnostic(`bound ${BOUND_S} s: connections closed after ${Math.round(Math.min(...times))}–${Math.round(Math.max(...times))} ms`);
    for (const [i, { ms, answer }] of results.entries()) {
      assert.ok(ms >= BOUND_S * 1000 - 100, `request ${i} was cut off early, after ${Math.round(ms)} ms`);
      assert.ok(ms <= BOUND_S * 1000 + SLACK_MS, `request ${i} stayed open ${Math.round(ms)} ms`);
      assert.match(answer, /^HTTP\/1\.1 408 /, `request ${i} was told why: ${JSON.stringify(answer.slice(0, 80))}`);
    }
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  } finally {
    for (const s of slow) s.stop();
  }
});

test("headers sent a few bytes at a time are cut off within the bound too", async () => {
  const slow = trickle(`GET /api/v1/timelines/public HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n`, "X-Slow: y\r\n");
  try {
    const { ms } = await slow.closed;
    assert.ok(ms <= BOUND_S * 1000 + SLACK_MS, `stayed open ${Math.round(ms)} ms`);
  } finally {
    slow.stop();
  }
});

test("a long answer is not cut: a streaming connection opened before a slow request outlives the server cutting that request off", async () => {
  const controller = new AbortController();
  const stream = await fetch(`${server.url}/api/v1/streaming/user`, { headers: { Authorization: `Bearer ${alice.token}` }, signal: controller.signal });
  assert.equal(stream.status, 200);
  const reader = stream.body!.getReader();
  try {
    // A slow request opened after the stream is cut off: the server has checked its connections
    // after the stream was older than the bound.
    const slow = trickle(upload("/api/v1/statuses", `Authorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\n`), "x");
    await slow.closed;
    // The stream still delivers: a new post of alice's reaches her own user stream.
    const posted = await alice.client.v1.statuses.create({ status: "still streaming" });
    let received = "";
    while (!received.includes(posted.id)) {
      const { value, done } = await reader.read();
      assert.equal(done, false, "the stream was closed");
      received += new TextDecoder().decode(value);
    }
  } finally {
    controller.abort();
    await reader.cancel().catch(() => {});
  }
});

test("a body declared larger than 1 MiB is refused at once with 413, without being read", async () => {
  const response = await fetch(`${server.url}/api/v1/statuses`, {
    method: "POST",
    headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status: "x".repeat(1024 * 1024) }),
  });
  assert.equal(response.status, 413);
  assert.equal(typeof (await response.json()).error, "string");
});

test("a request line over Node's 16 KB limit, with a body behind it, gets 431 in Mastodon's error shape instead of a reset", async () => {
  // Node's parser refuses it before the app runs; closing at once with the body unread would make
  // the kernel reset the connection, and the client would see EPIPE/ECONNRESET instead (server/client-errors.ts).
  const body = JSON.stringify({ status: "x".repeat(500_000) });
  for (let i = 0; i < 5; i++) {
    const outcome = await new Promise<{ answer: string; error: string | null }>((resolve) => {
      const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
      let answer = "";
      let error: string | null = null;
      socket.on("data", (d) => (answer += d));
      socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      socket.on("close", () => resolve({ answer, error }));
      socket.write(`POST /api/v1/statuses?${"q=1&".repeat(5_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
      socket.end(body);
    });
    assert.equal(outcome.error, null, `no reset (attempt ${i + 1})`);
    assert.match(outcome.answer, /^HTTP\/1\.1 431 /);
    assert.equal(typeof JSON.parse(outcome.answer.slice(outcome.answer.indexOf("\r\n\r\n") + 4)).error, "string");
  }
});

test("the bound is 30 s outside tests, checked every 5 s; REQUEST_TIMEOUT (which shortens it) is refused outside SKEIN_ENV=test", () => {
  assert.deepEqual(serverTimeouts(), { requestTimeout: 30_000, headersTimeout: 20_000, keepAliveTimeout: 65_000, connectionsCheckingInterval: 5_000 });
  assert.equal(loadConfig({ SKEIN_ENV: "test", REQUEST_TIMEOUT: "0.5" }).requestTimeoutSeconds, 0.5);
  assert.equal(loadConfig({ SKEIN_ENV: "test" }).requestTimeoutSeconds, null);
  for (const environment of ["production", "development"]) {
    assert.throws(
      () => loadConfig({ SKEIN_ENV: environment, REQUEST_TIMEOUT: "1" }),
      (e: unknown) => e instanceof ConfigError && e.problems.includes("REQUEST_TIMEOUT is a test-only setting; it needs SKEIN_ENV=test"),
    );
  }
});
