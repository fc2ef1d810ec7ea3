// The bound on requests handled at once (http/request-gate.ts), in-process: a request over the
// bound waits its turn and then runs, in the order it came; a client gone while waiting leaves the
// line; other servers' reads and deliveries have lanes of their own; /health and /metrics are
// never held.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { laneOf, RequestGate } from "../../src/http/request-gate.ts";

/** An app whose /api/hold/:n requests stay in their handler until released. */
function heldApp(gate: RequestGate) {
  const app = new Hono();
  const holds = new Map<string, () => void>();
  const started: string[] = [];
  app.use(gate.middleware());
  const hold = (name: string) =>
    new Promise<void>((resolve) => {
      started.push(name);
      holds.set(name, resolve);
    });
  app.get("/api/hold/:n", async (c) => {
    await hold(c.req.param("n"));
    return c.text(`done ${c.req.param("n")}`);
  });
  app.get("/users/:name", async (c) => {
    await hold(`actor ${c.req.param("name")}`);
    return c.text("actor");
  });
  app.get("/health", (c) => c.text("OK"));
  const release = (name: string) => holds.get(name)!();
  return { app, started, release };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), "the condition was never met");
};

test("requests over the bound wait, in order, and all complete", async () => {
  const gate = new RequestGate({ api: 2, inbox: 1, federation: 1 });
  const { app, started, release } = heldApp(gate);
  const answers = ["1", "2", "3", "4"].map((n) => app.request(`/api/hold/${n}`));
  await until(() => started.length === 2);
  assert.deepEqual(started, ["1", "2"], "two at once; the others have not started");
  assert.deepEqual(gate.figures().find((f) => f.lane === "api"), { lane: "api", limit: 2, running: 2, waiting: 2 });
  // Never held: an operator sees the line while it is full.
  assert.equal(await (await app.request("/health")).text(), "OK");
  // Another server fetching an actor (a key) is not behind the API's line.
  const actor = app.request("/users/opal");
  await until(() => started.includes("actor opal"));
  release("actor opal");
  assert.equal((await actor).status, 200);
  release("2");
  await until(() => started.length === 4);
  assert.equal(started[3], "3", "the first to wait is the first to run");
  for (const n of ["1", "3"]) release(n);
  await until(() => started.length === 5);
  release("4");
  const texts = await Promise.all(answers.map(async (a) => (await a).text()));
  assert.deepEqual(texts, ["done 1", "done 2", "done 3", "done 4"]);
  assert.deepEqual(gate.figures().map((f) => [f.lane, f.running, f.waiting]), [["api", 0, 0], ["inbox", 0, 0], ["federation", 0, 0]]);
});

test("a client that goes away while waiting leaves the line without ever running", async () => {
  const gate = new RequestGate({ api: 1, inbox: 1, federation: 1 });
  const { app, started, release } = heldApp(gate);
  const first = app.request("/api/hold/1");
  await until(() => started.length === 1);
  const leaving = new AbortController();
  const gone = app.request(new Request("http://localhost/api/hold/2", { signal: leaving.signal }));
  const third = app.request("/api/hold/3");
  await until(() => gate.figures()[0].waiting === 2);
  leaving.abort();
  await until(() => gate.figures()[0].waiting === 1);
  release("1");
  await until(() => started.length === 2);
  assert.deepEqual(started, ["1", "3"]);
  release("3");
  assert.equal((await first).status, 200);
  assert.equal((await third).status, 200);
  assert.equal((await gone).status, 503);
});

test("requests are sorted into lanes by method and path", () => {
  assert.equal(laneOf("POST", "/api/v1/statuses"), "api");
  assert.equal(laneOf("GET", "/@opal"), "api");
  assert.equal(laneOf("GET", "/users/opal"), "federation");
  assert.equal(laneOf("GET", "/users/opal/statuses/1"), "federation");
  assert.equal(laneOf("GET", "/.well-known/webfinger"), "federation");
  assert.equal(laneOf("POST", "/users/opal/inbox"), "inbox");
  assert.equal(laneOf("POST", "/inbox"), "inbox");
  assert.equal(laneOf("GET", "/health"), null);
  assert.equal(laneOf("GET", "/metrics"), null);
});
