// What a newcomer does with nothing but `./skein start`: no mail server configured. They open
// registrations from the command line, sign up on the web page, find the confirmation link with
// `./skein mail list`, follow it, and sign in with a client app that can then post.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import { startServer, type TestServer } from "../support/server.ts";
import { Browser, readForm } from "../support/browser.ts";
import { eventually } from "../support/federation-fleet.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

let server: TestServer;
let contract: ContractLog;

before(async () => {
  server = await startServer();
  contract = installContractCheck(server.url);
});

after(async () => {
  assert.deepEqual(contract?.violations ?? [], []);
  await server?.stop();
});

test("open registrations, sign up on the web, confirm with the link from ./skein mail list, sign in with an app and post", async () => {
  const closed = await (await new Browser().request(`${server.url}/auth/sign_up`)).text();
  assert.match(closed, /Registrations are closed/, "registrations start closed");
  const opened = await server.cli(["registrations", "open"]);
  assert.equal(opened.code, 0, opened.stderr);

  const browser = new Browser();
  const page = await eventually(async () => {
    const text = await (await browser.request(`${server.url}/auth/sign_up`)).text();
    return text.includes('name="username"') ? text : null;
  }, 10_000, "the sign-up page once registrations are open");
  const { action, fields } = readForm(page);
  const signedUp = await browser.request(new URL(action, server.url).toString(), {
    form: { ...fields, username: "newcomer", email: "newcomer@example.com", password: "a long enough passphrase", agreement: "1" },
  });
  assert.ok(signedUp.status === 200 || signedUp.status === 303, `sign-up answered ${signedUp.status}`);
  await signedUp.text();

  const listed = await eventually(async () => {
    const result = await server.cli(["mail", "list"]);
    return result.code === 0 && result.stdout.includes("confirmation_token=") ? result.stdout : null;
  }, 30_000, "the confirmation mail in ./skein mail list");
  assert.match(listed, /newcomer@example\.com/);
  const link = /(http\S+confirmation_token=\S+)/.exec(listed)![1];

  // Before confirming, the app's token opens nothing but the account's own profile.
  const app = await createRestAPIClient({ url: server.url }).v1.apps.create({ clientName: "newcomer's app", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" });
  const token = await createOAuthAPIClient({ url: server.url }).token.create({
    grantType: "password", clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: "urn:ietf:wg:oauth:2.0:oob",
    username: "newcomer@example.com", password: "a long enough passphrase", scope: "read write",
  });
  const client = createRestAPIClient({ url: server.url, accessToken: token.accessToken });
  assert.equal((await client.v1.accounts.verifyCredentials()).username, "newcomer");
  await assert.rejects(client.v1.statuses.create({ status: "too early" }), (error: { statusCode?: number }) => error.statusCode === 403);

  const confirmed = await fetch(link);
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /confirmed/i);

  const status = await client.v1.statuses.create({ status: "Hello from a brand-new server" });
  assert.equal(status.account.username, "newcomer");
  const timeline = await createRestAPIClient({ url: server.url }).v1.timelines.public.list({ local: true });
  assert.ok(timeline.some((s) => s.id === status.id), "the post is public on the local timeline");
});
