// The sign-in page and the OAuth endpoints as an attacker meets them, over HTTP against a real
// server: where sign-in may send a browser afterwards, malformed client credentials, forged
// CSRF tokens, and how fast one client address may register apps and mint app tokens.
//
// The server runs behind a (pretend) trusted proxy, so each test speaks from its own client
// address (the last X-Forwarded-For entry) and the per-address limits of one test never touch
// another's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../support/server.ts";
import { readForm } from "../support/browser.ts";

let server: TestServer;
let origin: string;
let password: string;

before(async () => {
  server = await startServer({ env: { TRUST_PROXY: "true" } });
  origin = new URL(server.url).origin;
  password = await server.createAccount("alice");
});

after(async () => {
  await server?.stop();
});

let nextAddress = 1;
/** A client address no other request in this file has used. */
function freshAddress(): string {
  return `198.51.100.${nextAddress++}`;
}

/** The sign-in form as a browser at `address` gets it: its CSRF cookie and its fields. */
async function signInForm(address: string, query = ""): Promise<{ cookie: string; fields: Record<string, string> }> {
  const page = await fetch(`${server.url}/auth/sign_in${query}`, { headers: { Accept: "text/html", "X-Forwarded-For": address } });
  assert.equal(page.status, 200);
  const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { cookie, fields: readForm(await page.text()).fields };
}

async function postForm(path: string, address: string, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, "X-Forwarded-For": address },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

/** Signs alice in with the right password, posting `returnTo` as the form's return_to. */
async function signInReturningTo(returnTo: string): Promise<Response> {
  const address = freshAddress();
  const { cookie, fields } = await signInForm(address);
  return postForm("/auth/sign_in", address, cookie, { ...fields, return_to: returnTo, login: "alice", password });
}

/** Where a browser goes with this Location: WHATWG URL parsing, as browsers do it. */
function destination(location: string): URL {
  return new URL(location, `${server.url}/auth/sign_in`);
}

test("after signing in, return_to never sends the browser to another site, and odd values are no 500", async () => {
  const hostile = [
    "/\t/evil.example", // browsers drop the tab: "//evil.example"
    "/\n/evil.example",
    "/\r\nSet-Cookie: stolen=1",
    "/\u0000/evil.example",
    "/\t\\evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/..//evil.example", // normalises to "//evil.example"
    "/%2e%2e//evil.example",
    "/.//evil.example",
  ];
  for (const returnTo of hostile) {
    const response = await signInReturningTo(returnTo);
    const label = JSON.stringify(returnTo);
    if (returnTo.includes("\u0000")) {
      // No parameter may hold a NUL (params.ts): refused before sign-in is even tried. That is fine too.
      assert.equal(response.status, 422, `${label}: got ${response.status}`);
      assert.equal(typeof (await response.json()).error, "string");
      continue;
    }
    assert.equal(response.status, 303, `${label}: signed in and redirected (got ${response.status}: ${await response.text()})`);
    const location = response.headers.get("location") ?? "";
    assert.match(location, /^[\x21-\x7e]+$/, `${label}: the Location is printable ASCII (${JSON.stringify(location)})`);
    assert.ok(!location.startsWith("//"), `${label}: not a scheme-relative URL (${location})`);
    assert.equal(destination(location).origin, origin, `${label}: the browser stays on this server (${location})`);
  }
});

test("return_to keeps a local path, query included, and encodes what a header cannot carry", async () => {
  const back = "/oauth/authorize?client_id=abc&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&scope=read+write";
  const local = await signInReturningTo(back);
  assert.equal(local.status, 303);
  assert.equal(local.headers.get("location"), back);

  // The consent page's URL, with a long redirect URI and state, survives the trip.
  const long = `/oauth/authorize?client_id=abc&redirect_uri=${encodeURIComponent(`https://client.example/${"c".repeat(1900)}`)}&state=${"s".repeat(3000)}`;
  const longBack = await signInReturningTo(long);
  assert.equal(longBack.status, 303);
  assert.equal(longBack.headers.get("location"), long);

  const unicode = await signInReturningTo("/tags/日本");
  assert.equal(unicode.status, 303, `got ${unicode.status}`);
  const location = unicode.headers.get("location") ?? "";
  assert.equal(destination(location).origin, origin);
  assert.equal(decodeURIComponent(destination(location).pathname), "/tags/日本");
});

test("the sign-in page does not carry a hostile return_to into its form", async () => {
  for (const returnTo of ["/\t/evil.example", "//evil.example", "/..//evil.example"]) {
    const { fields } = await signInForm(freshAddress(), `?return_to=${encodeURIComponent(returnTo)}`);
    assert.equal(destination(fields.return_to).origin, origin, `${JSON.stringify(returnTo)} became ${JSON.stringify(fields.return_to)}`);
    assert.ok(!/[\u0000-\u001f\\]/.test(fields.return_to) && !fields.return_to.startsWith("//"));
  }
});

test("a CSRF token of the right length in non-ASCII characters is refused with 403, not a 500", async () => {
  const address = freshAddress();
  const { cookie, fields } = await signInForm(address);
  const token = fields.authenticity_token;
  assert.ok(token.length >= 32 && token.length % 2 === 0);
  const sameLength = (character: string) => character.repeat(token.length / character.length);
  for (const forged of [sameLength("é"), sameLength("日"), sameLength("\u{1F600}")]) {
    for (const path of ["/auth/sign_in", "/auth/sign_out", "/oauth/authorize"]) {
      const response = await postForm(path, address, cookie, { ...fields, authenticity_token: forged, login: "alice", password });
      assert.equal(response.status, 403, `${path} with ${JSON.stringify(forged.slice(0, 2))}…: got ${response.status}`);
      assert.equal(typeof (await response.json()).error, "string");
    }
  }
  // An empty cookie and an empty token "match", but vouch for nothing.
  const empty = await postForm("/auth/sign_in", address, "skein_csrf=", { ...fields, authenticity_token: "", login: "alice", password });
  assert.equal(empty.status, 403, `an empty CSRF cookie: got ${empty.status}`);
  // The genuine token still works.
  const genuine = await postForm("/auth/sign_in", address, cookie, { ...fields, login: "alice", password });
  assert.equal(genuine.status, 303);
});

async function registerApp(address: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify(body),
  });
}

const APP = { client_name: "Security tests", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" };

async function newApp(): Promise<{ client_id: string; client_secret: string }> {
  const response = await registerApp(freshAddress(), APP);
  assert.equal(response.status, 200);
  return response.json();
}

function basic(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString("base64")}`;
}

async function tokenWithBasic(authorization: string, address = freshAddress()): Promise<Response> {
  return fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: authorization, "X-Forwarded-For": address },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "read" }),
  });
}

test("malformed HTTP Basic client credentials are 401 invalid_client, not a 500", async () => {
  // "%00:" decodes to a NUL, which PostgreSQL cannot compare (it was a 500 there).
  for (const authorization of [basic("%zz:x"), basic("x:%E0%A4%A"), basic("no colon at all"), "Basic !!!not-base64!!!", basic(""), basic("%00:"), basic("a:%00")]) {
    const response = await tokenWithBasic(authorization);
    assert.equal(response.status, 401, `${authorization}: got ${response.status}`);
    const body = await response.json();
    assert.equal(body.error, "invalid_client", authorization);
    assert.equal(typeof body.error_description, "string");
    assert.match(response.headers.get("www-authenticate") ?? "", /^Basic /i, "RFC 6749 §5.2: the scheme the client tried");
  }
  // Well-formed Basic credentials (form-encoded, then base64, as RFC 6749 §2.3.1 says) work.
  const app = await newApp();
  const ok = await tokenWithBasic(basic(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`));
  assert.equal(ok.status, 200);
  assert.equal(typeof (await ok.json()).access_token, "string");
  const wrong = await tokenWithBasic(basic(`${app.client_id}:not-the-secret`));
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error, "invalid_client");
});

/** Asserts a Mastodon-style throttled answer: 429, its error body, Retry-After and X-RateLimit-*. */
async function assertThrottled(response: Response, limit: number, label: string): Promise<void> {
  assert.equal(response.status, 429, `${label}: got ${response.status}`);
  assert.deepEqual(await response.json(), { error: "Too many requests" });
  const retryAfter = Number(response.headers.get("retry-after"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 300, `${label}: Retry-After ${retryAfter}`);
  assert.equal(response.headers.get("x-ratelimit-limit"), String(limit));
  assert.equal(response.headers.get("x-ratelimit-remaining"), "0");
  const reset = Date.parse(response.headers.get("x-ratelimit-reset") ?? "");
  assert.ok(reset > Date.now() && reset <= Date.now() + 301_000, `${label}: X-RateLimit-Reset`);
}

const APPS_PER_WINDOW = 30;

test("one client address registers at most 30 apps per five minutes; others are not held back", async () => {
  const address = freshAddress();
  for (let i = 0; i < APPS_PER_WINDOW; i++) {
    const response = await registerApp(address, APP);
    assert.equal(response.status, 200, `app ${i + 1}`);
    assert.equal(response.headers.get("x-ratelimit-remaining"), String(APPS_PER_WINDOW - i - 1));
  }
  await assertThrottled(await registerApp(address, APP), APPS_PER_WINDOW, "app 31");
  assert.equal((await registerApp(freshAddress(), APP)).status, 200, "another address still registers");

  // An IPv6 client holds a whole /64: its addresses share one allowance.
  for (let i = 0; i < APPS_PER_WINDOW; i++) assert.equal((await registerApp(`2001:db8:1:2::${(i + 1).toString(16)}`, APP)).status, 200);
  await assertThrottled(await registerApp("2001:db8:1:2:ffff:ffff:ffff:ffff", APP), APPS_PER_WINDOW, "same /64");
  assert.equal((await registerApp("2001:db8:1:3::1", APP)).status, 200, "the next /64 is another client");
});

const CLIENT_CREDENTIAL_TOKENS_PER_WINDOW = 30;

test("one client address mints at most 30 client-credentials tokens per five minutes", async () => {
  const app = await newApp();
  const address = freshAddress();
  const mint = () =>
    fetch(`${server.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "read" }),
    });
  for (let i = 0; i < CLIENT_CREDENTIAL_TOKENS_PER_WINDOW; i++) {
    const response = await mint();
    assert.equal(response.status, 200, `token ${i + 1}`);
    await response.body?.cancel();
  }
  await assertThrottled(await mint(), CLIENT_CREDENTIAL_TOKENS_PER_WINDOW, "token 31");
});

test("app registrations are bounded as Mastodon bounds them, with its 422 error shape", async () => {
  const longName = "n".repeat(61);
  const manySmallUris = Array.from({ length: 10 }, (_, i) => `https://client.example/${"p".repeat(190)}/${i}`); // ~2,150 characters
  const seventeenKilobytes = Array.from({ length: 10 }, (_, i) => `https://client.example/${"q".repeat(1700)}/${i}`);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a 61-character name", { ...APP, client_name: longName }, /Application name is too long \(maximum is 60 characters\)/],
    ["17 KB of redirect URIs", { ...APP, redirect_uris: seventeenKilobytes }, /Redirect URI is too long \(maximum is 2000 characters\)/],
    ["ten short redirect URIs adding up past 2,000 characters", { ...APP, redirect_uris: manySmallUris.join("\n") }, /Redirect URI is too long/],
    ["eleven redirect URIs", { ...APP, redirect_uris: Array.from({ length: 11 }, (_, i) => `https://c.example/${i}`) }, /Redirect URI/],
    ["a 2,001-character website", { ...APP, website: `https://client.example/${"w".repeat(1978)}` }, /Website is too long \(maximum is 2000 characters\)/],
    ["a scopes text longer than every scope named once", { ...APP, scopes: "read ".repeat(1000) }, /Scopes is too long/],
  ];
  for (const [label, body, message] of cases) {
    const response = await registerApp(freshAddress(), body);
    assert.equal(response.status, 422, `${label}: got ${response.status}`);
    const json = await response.json();
    assert.deepEqual(Object.keys(json), ["error"], label);
    assert.match(json.error, /^Validation failed: /, label);
    assert.match(json.error, message, label);
  }
  // Right at the bounds is fine.
  const atBounds = await registerApp(freshAddress(), {
    ...APP,
    client_name: "n".repeat(60),
    redirect_uris: [`https://client.example/${"r".repeat(1977)}`],
    website: `https://client.example/${"w".repeat(1977)}`,
  });
  assert.equal(atBounds.status, 200, await atBounds.clone().text());
});
