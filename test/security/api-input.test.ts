// Hostile input to the client API, end to end on the suite's database: NUL characters (which
// PostgreSQL cannot store in text, so they once gave 500s there), integer parameters that are
// not integers or are out of range (once SQLite's "datatype mismatch"), cursors that are not
// ids, and an account move to something that is not a URL. The rule for NUL is the same on both
// databases: never accepted from a client — 400 in a URL, 422 in a body parameter.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { contractCheckedServer } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob"], async (ready) => {
  server = ready.server;
  ({ alice, bob } = ready.users);
  await alice.client.v1.statuses.create({ status: "hello #tea" });
});

const host = () => new URL(server.url).host;

/** A multipart form POST (what some clients send), authenticated as `user`. */
async function multipart(user: TestUser, method: string, path: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${user.token}` }, body: form });
  return { status: res.status, body: await res.json() };
}

// --- NUL characters ---------------------------------------------------------------------------

test("a NUL anywhere in a URL (path or query) is refused with 400 before any route runs", async () => {
  const paths = [
    "/api/v2/search?q=a%00b",
    "/api/v1/accounts/lookup?acct=a%00b",
    "/api/v1/timelines/tag/a%00b",
    "/api/v1/timelines/public?max_id=1%00",
    "/api/v1/accounts/search?q=a%00b",
    `/.well-known/webfinger?resource=acct:a%00b@${host()}`,
    `/.well-known/webfinger?resource=acct:alice@${host()}&rel=%00`,
    "/users/a%00b",
    "/@a%00b",
    "/tags/a%00b",
    "/api/v1/statuses?id[]=1%00",
  ];
  for (const path of paths) {
    for (const user of [null, alice]) {
      const res = await api(user, "GET", path);
      assert.equal(res.status, 400, `GET ${path} (${user ? "signed in" : "anonymous"}): ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.error, "string", path);
    }
  }
  // The query string of a write counts too, before the body is looked at.
  const post = await api(alice, "POST", "/api/v1/statuses?status=a%00b", { visibility: "public" });
  assert.equal(post.status, 400, JSON.stringify(post.body));
  const follow = await api(alice, "POST", "/api/v1/accounts/%00/follow");
  assert.equal(follow.status, 400, JSON.stringify(follow.body));
});

test("a NUL in any body parameter (JSON at any depth or in a key, form, multipart) is refused with 422 and nothing is stored", async () => {
  const probes: [string, string, unknown][] = [
    ["POST", "/api/v1/statuses", { status: "a\u0000b" }],
    ["POST", "/api/v1/statuses", { status: "fine", spoiler_text: "\u0000" }],
    ["POST", "/api/v1/statuses", { status: "fine", poll: { options: ["tea", "cof\u0000fee"], expires_in: 3600 } }],
    ["POST", "/api/v1/statuses", { status: "fine", language: "e\u0000" }],
    ["PATCH", "/api/v1/accounts/update_credentials", { display_name: "A\u0000" }],
    ["PATCH", "/api/v1/accounts/update_credentials", { source: { note: "x", privacy: "pub\u0000lic" } }],
    ["PATCH", "/api/v1/accounts/update_credentials", { fields_attributes: [{ name: "ok", value: "v\u0000" }] }],
    ["PATCH", "/api/v1/accounts/update_credentials", { fields_attributes: [{ "na\u0000me": "ok", value: "v" }] }],
    ["POST", "/api/v1/lists", { title: "\u0000" }],
    ["POST", "/api/v2/filters", { title: "t", context: ["home"], keywords_attributes: [{ keyword: "k\u0000" }] }],
    ["POST", "/api/v1/filters", { phrase: "p\u0000", context: ["home\u0000"] }],
    ["POST", "/api/v1/markers", { home: { last_read_id: "1\u0000" } }],
    ["POST", "/api/v1/accounts/alias", { also_known_as_uris: ["https://a.example/\u0000"] }],
    ["POST", "/api/v1/accounts/move", { moved_to_uri: "https://a.example/\u0000", password: "x" }],
    ["POST", "/api/v1/apps", { client_name: "n\u0000", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" }],
    ["POST", "/api/v1/statuses", { status: "fine", "\u0000": "x" }],
  ];
  for (const [method, path, body] of probes) {
    const res = await api(path === "/api/v1/apps" ? null : alice, method, path, body);
    assert.equal(res.status, 422, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error, /^Validation failed: .* must not contain NUL characters$/, `${method} ${path}`);
  }

  const form = await api(alice, "POST", "/api/v1/statuses", new URLSearchParams({ status: "a\u0000b" }));
  assert.equal(form.status, 422, JSON.stringify(form.body));
  assert.match(form.body.error, /status must not contain NUL characters/);
  const formKey = await api(alice, "POST", "/api/v1/lists", new URLSearchParams({ title: "t", "x\u0000": "y" }));
  assert.equal(formKey.status, 422, JSON.stringify(formKey.body));
  const multi = await multipart(alice, "PATCH", "/api/v1/accounts/update_credentials", { "source[note]": "x\u0000y" });
  assert.equal(multi.status, 422, JSON.stringify(multi.body));
  assert.match(multi.body.error, /source\[note\] must not contain NUL characters/);

  // Nothing of it was stored.
  const statuses = await api(alice, "GET", `/api/v1/accounts/${alice.id}/statuses`);
  assert.deepEqual(statuses.body.map((s: { content: string }) => s.content.includes("hello")), [true]);
  assert.deepEqual((await api(alice, "GET", "/api/v1/lists")).body, []);
  assert.equal((await api(alice, "GET", "/api/v1/accounts/verify_credentials")).body.display_name, "");
});

test("a NUL in a header used as data (Idempotency-Key) never reaches a handler: Node refuses the request", async () => {
  const statusCount = async () => (await api(alice, "GET", `/api/v1/accounts/${alice.id}/statuses`)).body.length;
  const before = await statusCount();
  const body = JSON.stringify({ status: "idempotent" });
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
    let received = "";
    socket.on("data", (d) => (received += d));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.write(
      `POST /api/v1/statuses HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\n` +
        `Idempotency-Key: a\u0000b\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.equal(await statusCount(), before, "no status was posted");
});

// --- integers ---------------------------------------------------------------------------------

const NOT_WHOLE = ["1.5", "1e309", "Infinity", "-Infinity", "NaN", "abc", "0x10", "1e3", " ", "[]", "true"];

test("limit and offset that are not whole numbers are refused with 422 (search, account search, trends, timelines)", async () => {
  const endpoints = ["/api/v2/search?q=hello", "/api/v1/accounts/search?q=alice", "/api/v1/trends/tags?x=1", "/api/v1/timelines/public?x=1", "/api/v1/directory?x=1"];
  for (const endpoint of endpoints) {
    for (const name of ["limit", "offset"]) {
      if (name === "offset" && endpoint.includes("timelines")) continue;
      for (const value of NOT_WHOLE) {
        const path = `${endpoint}&${name}=${encodeURIComponent(value)}`;
        const res = await api(alice, "GET", path);
        assert.equal(res.status, 422, `${path}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error, new RegExp(`${name} must be a whole number`), path);
      }
    }
  }
});

test("whole numbers out of range: limit is clamped to its bounds (as Mastodon does), offset beyond its bounds is a 422, never a 500", async () => {
  const outside = ["9223372036854775807", "9223372036854775808", "99999999999999999999999999", "-9223372036854775809", "-1", "100000"];
  for (const endpoint of ["/api/v2/search?q=hello", "/api/v1/accounts/search?q=alice", "/api/v1/trends/statuses?x=1", "/api/v1/directory?x=1"]) {
    for (const value of [...outside, "0"]) {
      const res = await api(alice, "GET", `${endpoint}&limit=${value}`);
      assert.equal(res.status, 200, `${endpoint}&limit=${value}: ${JSON.stringify(res.body)}`);
    }
    for (const value of outside) {
      const res = await api(alice, "GET", `${endpoint}&offset=${value}`);
      assert.equal(res.status, 422, `${endpoint}&offset=${value}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, "Validation failed: offset must be a whole number from 0 to 10000");
    }
    assert.equal((await api(alice, "GET", `${endpoint}&offset=10000`)).status, 200);
  }
  const many = await api(alice, "GET", "/api/v2/search?q=alice&type=accounts&limit=9223372036854775808");
  assert.deepEqual(many.body.accounts.map((a: { username: string }) => a.username), ["alice"]);
  const far = await api(alice, "GET", "/api/v1/accounts/search?q=alice&offset=10000");
  assert.deepEqual(far.body, [], "an offset past the end finds nothing");
});

test("cursors that are not ids (max_id=abc, 1.5, beyond 64 bits) find nothing rather than failing", async () => {
  for (const name of ["max_id", "since_id", "min_id"]) {
    for (const value of ["abc", "1.5", "-1", "99999999999999999999", "9223372036854775808", "1e309"]) {
      for (const path of ["/api/v1/timelines/public", `/api/v1/accounts/${alice.id}/statuses`, "/api/v1/timelines/home", "/api/v1/notifications"]) {
        const res = await api(alice, "GET", `${path}?${name}=${value}`);
        assert.equal(res.status, 200, `${path}?${name}=${value}: ${JSON.stringify(res.body)}`);
        assert.ok(Array.isArray(res.body));
      }
    }
  }
  for (const path of [
    "/api/v1/statuses/99999999999999999999",
    "/api/v1/accounts/9223372036854775808",
    "/api/v1/polls/1.5",
    "/api/v1/lists/abc",
    "/api/v1/lists/99999999999999999999",
    "/api/v1/streaming/list?list=99999999999999999999",
    "/api/v1/streaming/list?list=9223372036854775808",
    "/api/v2/notifications/ungrouped-9223372036854775808",
  ]) {
    const res = await api(alice, "GET", path);
    assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
  }
});

test("integer body parameters must be whole numbers of the right type (mute duration, poll and filter expires_in, poll choices)", async () => {
  for (const duration of [true, 1.5, "1.5", "1e3", [60], { s: 1 }, "9223372036854775808"]) {
    const res = await api(alice, "POST", `/api/v1/accounts/${bob.id}/mute`, { duration });
    assert.equal(res.status, 422, `duration ${JSON.stringify(duration)}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${bob.id}/mute`, { duration: "3600" })).status, 200);
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${bob.id}/mute`, { duration: 0 })).status, 200);

  for (const expiresIn of [true, 3600.5, "3600.5", "1e309", [3600]]) {
    const res = await api(alice, "POST", "/api/v1/statuses", { status: "poll?", poll: { options: ["a", "b"], expires_in: expiresIn } });
    assert.equal(res.status, 422, `poll expires_in ${JSON.stringify(expiresIn)}: ${JSON.stringify(res.body)}`);
    const filter = await api(alice, "POST", "/api/v2/filters", { title: "t", context: ["home"], expires_in: expiresIn });
    assert.equal(filter.status, 422, `filter expires_in ${JSON.stringify(expiresIn)}: ${JSON.stringify(filter.body)}`);
  }

  const poll = await api(bob, "POST", "/api/v1/statuses", { status: "tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: "3600" } });
  assert.equal(poll.status, 200, JSON.stringify(poll.body));
  for (const choices of [[1.5], ["1.5"], [true], ["9223372036854775808"], [[0]]]) {
    const res = await api(alice, "POST", `/api/v1/polls/${poll.body.poll.id}/votes`, { choices });
    assert.equal(res.status, 422, `choices ${JSON.stringify(choices)}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await api(alice, "POST", `/api/v1/polls/${poll.body.poll.id}/votes`, { choices: ["1"] })).status, 200);
});

// --- moving an account ------------------------------------------------------------------------

test("moving an account: the password is checked before the target is looked at, and a target that is not a URL is a 422", async () => {
  // A listener standing in for a remote server: a wrong password must not make Skein contact it.
  let contacted = 0;
  const listener = http.createServer((_req, res) => {
    contacted++;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const target = `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}/users/elsewhere`;
  try {
    const wrong = await api(alice, "POST", "/api/v1/accounts/move", { moved_to_uri: target, password: "not the password" });
    assert.equal(wrong.status, 401, JSON.stringify(wrong.body));
    assert.equal(contacted, 0, "the target was not fetched for a wrong password");

    const wrongAndBad = await api(alice, "POST", "/api/v1/accounts/move", { moved_to_uri: "notaurl", password: "not the password" });
    assert.equal(wrongAndBad.status, 401, JSON.stringify(wrongAndBad.body));

    for (const uri of ["notaurl", "http://", "ftp://a.example/users/x", "javascript:alert(1)", "https://[::1", "//a.example/users/x"]) {
      const res = await api(alice, "POST", "/api/v1/accounts/move", { moved_to_uri: uri, password: alice.password });
      assert.equal(res.status, 422, `${uri}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error, /^Validation failed: /);
    }
    for (const uri of ["notaurl", "ftp://a.example/users/x"]) {
      const res = await api(alice, "POST", "/api/v1/accounts/alias", { also_known_as_uris: [uri] });
      assert.equal(res.status, 422, `alias ${uri}: ${JSON.stringify(res.body)}`);
    }
    const account = await api(alice, "GET", "/api/v1/accounts/verify_credentials");
    assert.ok(!account.body.moved, "alice has not moved");
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});
