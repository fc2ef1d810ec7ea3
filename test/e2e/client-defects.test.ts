// What real clients ran into (issue 14), each shown as the client does it, plus the posting
// features beside scheduled statuses: allowed_mentions and the direct timeline. The server runs
// with the default LOCAL_DOMAIN's host name (localhost), whose instance answers must be
// schema-valid as they are (the contract check covers every response of the file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRestAPIClient } from "masto";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";
import { validateResponse } from "../support/openapi.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob", "carol"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol } = ready.users);
}, { env: { LOCAL_DOMAIN: "localhost", REGISTRATIONS: "open" } });

/** A form POST, as browsers and Phanpy send it. */
async function form(pathname: string, fields: [string, string][], token?: string, multipart = false): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let body: FormData | URLSearchParams;
  if (multipart) {
    body = new FormData();
    for (const [k, v] of fields) body.append(k, v);
  } else {
    body = new URLSearchParams(fields);
  }
  const response = await fetch(`${server.url}${pathname}`, { method: pathname.includes("update_credentials") ? "PATCH" : "POST", headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A new token of `user`'s, from the password grant of a fresh app. */
async function newToken(user: TestUser): Promise<{ token: string; clientId: string; clientSecret: string }> {
  const app = (await api(null, "POST", "/api/v1/apps", { client_name: "phanpy", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" })).body;
  const granted = await api(null, "POST", "/oauth/token", { grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username: user.username, password: user.password, scope: "read write" });
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  return { token: granted.body.access_token, clientId: app.client_id, clientSecret: app.client_secret };
}

test("a boost carries the booster's flags of the boosted post: the answer to reblog, the status, and the timeline", async () => {
  const original = await alice.client.v1.statuses.create({ status: "boost me" });
  await bob.client.v1.statuses.$select(original.id).favourite();
  await bob.client.v1.statuses.$select(original.id).bookmark();
  const boost = await bob.client.v1.statuses.$select(original.id).reblog();
  assert.equal(boost.reblog?.id, original.id);
  const flags = (s: { reblogged?: boolean | null; favourited?: boolean | null; bookmarked?: boolean | null; muted?: boolean | null }) => [s.reblogged, s.favourited, s.bookmarked, s.muted];
  assert.deepEqual(flags(boost.reblog!), [true, true, true, false]);
  assert.deepEqual(flags(boost), [true, true, true, false], "the wrapper, as the original");
  assert.deepEqual(flags(await bob.client.v1.statuses.$select(boost.id).fetch()), [true, true, true, false]);
  const [inTimeline] = (await bob.client.v1.timelines.home.list({ limit: 5 })).filter((s) => s.id === boost.id);
  assert.deepEqual(flags(inTimeline), [true, true, true, false]);
  // Another reader sees the same wrapper with their own flags.
  assert.deepEqual(flags(await carol.client.v1.statuses.$select(boost.id).fetch()), [false, false, false, false]);
  await bob.client.v1.statuses.$select(original.id).unfavourite();
  assert.equal((await bob.client.v1.statuses.$select(boost.id).fetch()).favourited, false);
});

test("update_credentials ignores fields_attributes=undefined and reads fields_attributes[][name] forms", async () => {
  // What masto.js sends (multipart) when the caller leaves fields_attributes undefined.
  const undefinedFields = await form("/api/v1/accounts/update_credentials", [["display_name", "Alice A."], ["fields_attributes", "undefined"]], alice.token, true);
  assert.equal(undefinedFields.status, 200, JSON.stringify(undefinedFields.body));
  assert.equal(undefinedFields.body.display_name, "Alice A.");

  const appended = await form("/api/v1/accounts/update_credentials", [
    ["fields_attributes[][name]", "Site"], ["fields_attributes[][value]", "my site"],
    ["fields_attributes[][name]", "Pronouns"], ["fields_attributes[][value]", "she/her"],
  ], alice.token);
  assert.equal(appended.status, 200, JSON.stringify(appended.body));
  assert.deepEqual(appended.body.fields.map((f: { name: string; value: string }) => [f.name, f.value.replace(/<[^>]+>/g, "")]), [["Site", "my site"], ["Pronouns", "she/her"]]);

  const indexed = await form("/api/v1/accounts/update_credentials", [["fields_attributes[0][name]", "One"], ["fields_attributes[0][value]", "1"], ["fields_attributes[1][name]", "Two"], ["fields_attributes[1][value]", "2"]], alice.token);
  assert.deepEqual(indexed.body.fields.map((f: { name: string }) => f.name), ["One", "Two"]);
  const json = await alice.client.v1.accounts.updateCredentials({ fieldsAttributes: [{ name: "Json", value: "yes" }] });
  assert.deepEqual(json.fields.map((f) => f.name), ["Json"]);
  // And through masto.js with the fields left out: they stay.
  const kept = await alice.client.v1.accounts.updateCredentials({ note: "hello", fieldsAttributes: undefined });
  assert.deepEqual(kept.fields.map((f) => f.name), ["Json"]);
});

test("the instance's contact address is one clients accept, and admin@localhost is a valid account e-mail", async () => {
  const v1 = await api(null, "GET", "/api/v1/instance");
  const v2 = await api(null, "GET", "/api/v2/instance");
  assert.equal(v1.body.email, "admin@localhost.localdomain");
  assert.equal(v2.body.contact.email, "admin@localhost.localdomain");
  assert.deepEqual(validateResponse("GET", "/api/v1/instance", 200, v1.body).problems, []);
  assert.deepEqual(validateResponse("GET", "/api/v2/instance", 200, v2.body).problems, []);

  const created = await server.cli(["accounts", "create", "localadmin", "--email", "admin@localhost"]);
  assert.equal(created.code, 0, created.stderr);
  // Signing up through the API with such an address.
  const app = (await api(null, "POST", "/api/v1/apps", { client_name: "signup", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" })).body;
  const appToken = (await api(null, "POST", "/oauth/token", { grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "read write" })).body.access_token;
  const signedUp = await createRestAPIClient({ url: server.url, accessToken: appToken }).v1.accounts.create({ username: "dev", email: "dev@localhost", password: "correct horse battery", agreement: true, locale: "en" });
  assert.ok(signedUp.accessToken);
  assert.equal((await api(appToken, "POST", "/api/v1/accounts", { username: "nobody", email: "nobody", password: "correct horse battery", agreement: true, locale: "en" })).status, 422);
});

test("POST /oauth/revoke ends the token of whoever holds it, as Phanpy signs out", async () => {
  const phanpy = await newToken(alice);
  const revoked = await form("/oauth/revoke", [["token", phanpy.token], ["client_id", "undefined"], ["client_secret", "undefined"]]);
  assert.deepEqual([revoked.status, revoked.body], [200, {}]);
  assert.equal((await api(phanpy.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "the session is over");
  // Again, or an unknown token: 200 all the same (RFC 7009 §2.2).
  assert.deepEqual((await form("/oauth/revoke", [["token", phanpy.token]])).status, 200);
  assert.deepEqual((await form("/oauth/revoke", [["token", "no-such-token"], ["client_id", "undefined"]])).status, 200);

  // Another app's valid credentials may not end this app's token (RFC 7009 §2.1).
  const mine = await newToken(alice);
  const other = await newToken(bob);
  const refused = await form("/oauth/revoke", [["token", mine.token], ["client_id", other.clientId], ["client_secret", other.clientSecret]]);
  assert.equal(refused.status, 403);
  assert.equal((await api(mine.token, "GET", "/api/v1/accounts/verify_credentials")).status, 200);
  // Its own app's credentials do, as before.
  assert.equal((await form("/oauth/revoke", [["token", mine.token], ["client_id", mine.clientId], ["client_secret", mine.clientSecret]])).status, 200);
  assert.equal((await api(mine.token, "GET", "/api/v1/accounts/verify_credentials")).status, 401);
});

test("allowed_mentions: a post mentioning anyone else is refused with the unexpected accounts", async () => {
  const refused = await api(alice, "POST", "/api/v1/statuses", { status: "hi @bob and @carol", allowed_mentions: [bob.id] });
  assert.equal(refused.status, 422);
  assert.equal(typeof refused.body.error, "string");
  assert.deepEqual(refused.body.unexpected_accounts.map((a: { id: string; acct: string }) => [a.id, a.acct]), [[carol.id, "carol"]]);
  assert.deepEqual(validateResponse("GET", `/api/v1/accounts/${carol.id}`, 200, refused.body.unexpected_accounts[0]).problems, []);
  assert.equal((await alice.client.v1.accounts.$select(alice.id).statuses.list()).some((s) => s.content.includes("and @")), false, "nothing posted");

  const allowed = await alice.client.v1.statuses.create({ status: "hi @bob and @carol", allowedMentions: [bob.id, carol.id] });
  assert.deepEqual(allowed.mentions.map((m) => m.id).sort(), [bob.id, carol.id].sort());
  // A handle that is nobody here is no mention; one's own handle is never unexpected.
  const unknown = await alice.client.v1.statuses.create({ status: "hi @nobody@nowhere.invalid and @alice", allowedMentions: [] });
  assert.match(unknown.content, /nobody/);
  assert.deepEqual(unknown.mentions, []);
  await assert.rejects(alice.client.v1.statuses.create({ status: "@bob", allowedMentions: ["not-an-id"] }), rejectsWith(422));
});

test("GET /api/v1/timelines/direct: the user's direct statuses, sent and received, and nobody else's", async () => {
  const toBob = await alice.client.v1.statuses.create({ status: "@bob just between us", visibility: "direct" });
  const fromBob = await bob.client.v1.statuses.create({ status: "@alice sure", visibility: "direct", inReplyToId: toBob.id });
  const bobToCarol = await bob.client.v1.statuses.create({ status: "@carol something else", visibility: "direct" });
  await alice.client.v1.statuses.create({ status: "a public post @bob" });

  const ids = async (user: TestUser, query = "") => (await api(user, "GET", `/api/v1/timelines/direct${query}`)).body.map((s: { id: string }) => s.id);
  assert.deepEqual(await ids(alice), [fromBob.id, toBob.id]);
  assert.deepEqual(await ids(bob), [bobToCarol.id, fromBob.id, toBob.id]);
  assert.deepEqual(await ids(carol), [bobToCarol.id]);
  const page = await api(bob, "GET", "/api/v1/timelines/direct?limit=2");
  assert.deepEqual(page.body.map((s: { id: string }) => s.id), [bobToCarol.id, fromBob.id]);
  assert.match(page.headers.get("link") ?? "", new RegExp(`max_id=${fromBob.id}`));
  assert.deepEqual(await ids(bob, `?max_id=${fromBob.id}`), [toBob.id]);
  assert.deepEqual((await bob.client.v1.timelines.direct.list()).map((s) => s.id), [bobToCarol.id, fromBob.id, toBob.id], "masto.js reads it too");
  assert.equal((await api(null, "GET", "/api/v1/timelines/direct")).status, 401);
});

test("browser clients read the API from their own origin: CORS headers on answers, errors and preflights", async () => {
  const origin = { Origin: "https://elk.zone" };
  const home = await fetch(`${server.url}/api/v1/timelines/home`, { headers: { ...origin, Authorization: `Bearer ${alice.token}` } });
  await home.arrayBuffer();
  assert.equal(home.status, 200);
  assert.equal(home.headers.get("access-control-allow-origin"), "*");
  assert.equal(home.headers.get("access-control-expose-headers"), "Link,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Idempotency-Key");
  assert.match(home.headers.get("content-length") ?? "", /^\d+$/, "a whole body, not chunks");
  const refused = await fetch(`${server.url}/api/v1/timelines/home`, { headers: { ...origin, Authorization: "Bearer wrong" } });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get("access-control-allow-origin"), "*");
  assert.equal((await refused.json()).error, "The access token is invalid");
  const preflight = await fetch(`${server.url}/api/v1/statuses`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS");
  assert.equal(preflight.headers.get("access-control-allow-headers"), "Authorization,Content-Type,Idempotency-Key,Accept");
  assert.equal(preflight.headers.get("access-control-max-age"), "86400");
});
