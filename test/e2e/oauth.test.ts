// The sign-in path of every Mastodon client, driven with masto.js against a real server process:
// register an app, authorize with PKCE through the HTML sign-in and consent pages, get a token,
// use it, revoke it. Every JSON response is checked against the Mastodon OpenAPI contract.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { authorizeInBrowser, pkcePair } from "../support/browser.ts";

const REDIRECT_URI = "https://client.example/callback";

let server: TestServer;
let contract: ContractLog;
let password: string;

before(async () => {
  server = await startServer();
  contract = installContractCheck(server.url);
  password = await server.createAccount("alice", { admin: true });
});

after(async () => {
  await server?.stop();
});

async function registerApp(scopes = "read write follow"): Promise<mastodon.v1.Client> {
  return createRestAPIClient({ url: server.url }).v1.apps.create({ clientName: "Skein tests", redirectUris: REDIRECT_URI, scopes, website: "https://client.example" });
}

async function tokenFor(app: mastodon.v1.Client, scope: string): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const { code, state } = await authorizeInBrowser(server.url, {
    clientId: app.clientId!, redirectUri: REDIRECT_URI, scope, login: "alice", password, challenge, state: "xyz",
  });
  assert.equal(state, "xyz", "the state parameter comes back unchanged");
  const oauth = createOAuthAPIClient({ url: server.url });
  const token = await oauth.token.create({
    grantType: "authorization_code", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: REDIRECT_URI, code, codeVerifier: verifier,
  } as Parameters<typeof oauth.token.create>[0]);
  assert.equal(token.tokenType, "Bearer");
  assert.equal(token.scope, scope);
  return token.accessToken;
}

test("an app signs a user in with the authorization code flow and PKCE", async () => {
  const app = await registerApp();
  assert.ok(app.clientId && app.clientSecret);
  assert.deepEqual(app.redirectUris, [REDIRECT_URI]);

  const accessToken = await tokenFor(app, "read write");
  const client = createRestAPIClient({ url: server.url, accessToken });

  const me = await client.v1.accounts.verifyCredentials();
  assert.equal(me.username, "alice");
  assert.equal(me.acct, "alice");
  assert.equal(me.source.privacy, "public");
  assert.equal(me.role?.name, "Admin");

  const verifiedApp = await client.v1.apps.verifyCredentials();
  assert.equal(verifiedApp.name, "Skein tests");
  assert.equal((verifiedApp as { clientSecret?: string }).clientSecret, undefined, "the secret is never shown again");

  const v2 = await client.v2.instance.fetch();
  assert.equal(v2.domain, new URL(server.url).host);
  assert.match(v2.version, /^4\.5\.0 \(compatible; Skein \d+\.\d+\.\d+\)$/);
  assert.equal(v2.apiVersions?.mastodon, 7, "API version 7 (Mastodon 4.5): clients offer quote posts from it");
  assert.equal(v2.contact.account?.username, "alice", "the first admin is the contact");
  assert.equal(v2.usage.users.activeMonth, 1);
  const v1 = await client.v1.instance.fetch();
  assert.equal(v1.uri, new URL(server.url).host);

  const prefs = await client.v1.preferences.fetch();
  assert.equal(prefs["posting:default:visibility"], "public");

  const updated = await client.v1.accounts.updateCredentials({ displayName: "Alice A.", note: "Hello <b>world</b>\nhttps://example.com", source: { privacy: "unlisted" } });
  assert.equal(updated.displayName, "Alice A.");
  assert.equal(updated.note, '<p>Hello &lt;b&gt;world&lt;/b&gt;<br><a href="https://example.com" target="_blank" rel="nofollow noopener" translate="no">example.com</a></p>');
  assert.equal(updated.source.privacy, "unlisted");
  assert.equal((await client.v1.preferences.fetch())["posting:default:visibility"], "unlisted");

  assert.deepEqual(contract.violations, []);
});

test("a token without the write scope cannot write, and a revoked token is refused", async () => {
  const app = await registerApp();
  const readOnly = await tokenFor(app, "read");
  const client = createRestAPIClient({ url: server.url, accessToken: readOnly });
  assert.equal((await client.v1.accounts.verifyCredentials()).username, "alice");
  await assert.rejects(client.v1.accounts.updateCredentials({ displayName: "Mallory" }), (e: { statusCode?: number }) => e.statusCode === 403);

  const writable = await tokenFor(app, "read write");
  const oauth = createOAuthAPIClient({ url: server.url });
  // masto.js has the call at run time but not in its typings.
  await (oauth.token as unknown as { revoke(p: object): Promise<void> }).revoke({ clientId: app.clientId!, clientSecret: app.clientSecret!, token: writable });
  const revoked = createRestAPIClient({ url: server.url, accessToken: writable });
  await assert.rejects(revoked.v1.accounts.verifyCredentials(), (e: { statusCode?: number }) => e.statusCode === 401);
  // The other token of the same app still works.
  assert.equal((await client.v1.accounts.verifyCredentials()).username, "alice");
  assert.deepEqual(contract.violations, []);
});

test("codes are single-use and bound to their PKCE verifier", async () => {
  const app = await registerApp();
  const { verifier, challenge } = pkcePair();
  const { code } = await authorizeInBrowser(server.url, { clientId: app.clientId!, redirectUri: REDIRECT_URI, scope: "read", login: "alice", password, challenge });
  const exchange = (codeVerifier: string) =>
    fetch(`${server.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code", client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT_URI, code, code_verifier: codeVerifier }),
    });
  const wrong = await exchange(pkcePair().verifier);
  assert.equal(wrong.status, 400);
  assert.equal((await wrong.json()).error, "invalid_grant");
  // The failed attempt consumed the code: even the right verifier cannot use it now.
  const again = await exchange(verifier);
  assert.equal(again.status, 400);
  assert.deepEqual(contract.violations, []);
});

test("apps register from form and JSON bodies; bad input gets Mastodon's error shape", async () => {
  const form = await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_name: "Phanpy", redirect_uris: "https://phanpy.example/", scopes: "read write follow push" }),
  });
  assert.equal(form.status, 200);
  assert.deepEqual((await form.json()).scopes, ["read", "write", "follow", "push"]);

  const json = await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Elk", redirect_uris: ["https://elk.example/a", "https://elk.example/b"], scopes: "read" }),
  });
  assert.equal(json.status, 200);
  assert.deepEqual((await json.json()).redirect_uris, ["https://elk.example/a", "https://elk.example/b"]);

  const nameless = await fetch(`${server.url}/api/v1/apps`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ redirect_uris: REDIRECT_URI }) });
  assert.equal(nameless.status, 422);
  assert.match((await nameless.json()).error, /name/);

  const badScope = await fetch(`${server.url}/api/v1/apps`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "x", redirect_uris: REDIRECT_URI, scopes: "read everything" }) });
  assert.equal(badScope.status, 422);

  const broken = await fetch(`${server.url}/api/v1/apps`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{not json" });
  assert.equal(broken.status, 400);
  assert.equal(typeof (await broken.json()).error, "string");

  const anonymous = await fetch(`${server.url}/api/v1/accounts/verify_credentials`);
  assert.equal(anonymous.status, 401);
  assert.deepEqual(await anonymous.json(), { error: "The access token is invalid" });

  const missing = await fetch(`${server.url}/api/v1/no/such/thing`);
  assert.equal(missing.status, 404);
  assert.equal(typeof (await missing.json()).error, "string");
  assert.deepEqual(contract.violations, []);
});

test("the password and client-credentials grants work for first-party tools", async () => {
  const app = await registerApp("read write");
  const oauth = createOAuthAPIClient({ url: server.url });
  const userToken = await oauth.token.create({ grantType: "password", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: REDIRECT_URI, username: "alice@example.com", password, scope: "read" });
  const me = await createRestAPIClient({ url: server.url, accessToken: userToken.accessToken }).v1.accounts.verifyCredentials();
  assert.equal(me.username, "alice");

  await assert.rejects(
    oauth.token.create({ grantType: "password", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: REDIRECT_URI, username: "alice", password: "wrong password", scope: "read" }),
    (e: { statusCode?: number }) => e.statusCode === 400,
  );

  const appToken = await oauth.token.create({ grantType: "client_credentials", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: REDIRECT_URI, scope: "read" });
  const asApp = createRestAPIClient({ url: server.url, accessToken: appToken.accessToken });
  assert.equal((await asApp.v1.apps.verifyCredentials()).name, "Skein tests");
  await assert.rejects(asApp.v1.accounts.verifyCredentials(), (e: { statusCode?: number }) => e.statusCode === 422);

  await assert.rejects(
    oauth.token.create({ grantType: "client_credentials", clientId: app.clientId!, clientSecret: "not the secret", redirectUri: REDIRECT_URI }),
    (e: { statusCode?: number }) => e.statusCode === 401,
  );
  assert.ok(contract.checked > 0);
  assert.deepEqual(contract.violations, []);
});
