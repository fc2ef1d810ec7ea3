// Paid registration end to end: a real server, a simulated Stripe on loopback
// (test/support/payment-provider.ts) that signs its webhooks itself, exactly as Stripe does.
// Account mode: an account behind the fee is refused (403 + where to pay) until a verified
// checkout.session.completed arrives; forged and replayed webhooks are 400 and change nothing; a
// duplicate is 200 and handled once; a refund disables the account and files a report; an
// expired checkout gets a fresh one; the sweep removes accounts left unpaid. Invite mode: the
// fee set from the CLI, the invite form → checkout → payment → a one-use invite.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { eventually } from "../support/federation-fleet.ts";
import { SimulatedStripe } from "../support/payment-provider.ts";
import { tokenFor } from "../support/admin-clients.ts";

let server: TestServer;
let contract: ContractLog;
const stripe = new SimulatedStripe();
let adminToken: string;

before(async () => {
  await stripe.start();
  server = await startServer({
    env: {
      REGISTRATION_FEE: "5.00 USD",
      REGISTRATION_FEE_MODE: "account",
      PAYMENT_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.base,
      REGISTRATIONS: "open",
    },
  });
  stripe.webhookUrl = `${server.url}/webhooks/payments/stripe`;
  contract = installContractCheck(server.url);
  const password = await server.createAccount("boss", { admin: true });
  adminToken = (await tokenFor(server, "boss", password, "admin:read:reports")).token;
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await stripe.stop();
});

const me = (token: string) => fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } });

/** Signs up USERNAME (token first, as POST /api/v1/accounts hands one out) and puts it behind the fee. */
async function unpaidUser(username: string): Promise<{ user: TestUser; checkoutUrl: string; sessionId: string }> {
  const user = await signUp(server, username);
  const result = await server.cli(["payments", "require", username]);
  assert.equal(result.code, 0, result.stderr);
  const checkoutUrl = /Checkout: (\S+)/.exec(result.stdout)![1];
  const sessionId = /\/pay\/(cs_test_[0-9a-f]+)$/.exec(checkoutUrl)![1];
  return { user, checkoutUrl, sessionId };
}

/** POST /api/v1/accounts as a client app does: an app token, then the sign-up form. */
let appToken: string | null = null;
async function apiSignUp(username: string, inviteCode?: string): Promise<Response> {
  if (!appToken) {
    const app = await (await fetch(`${server.url}/api/v1/apps`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_name: "paid", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write" }) })).json();
    const token = await (await fetch(`${server.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "read write" }) })).json();
    appToken = token.access_token as string;
  }
  return fetch(`${server.url}/api/v1/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${appToken}`, "content-type": "application/json" },
    body: JSON.stringify({ username, email: `${username}@example.com`, password: "a long enough password 123", agreement: true, locale: "en", ...(inviteCode ? { invite_code: inviteCode } : {}) }),
  });
}

async function reportsAbout(accountId: string): Promise<{ comment: string }[]> {
  const response = await fetch(`${server.url}/api/v1/admin/reports?target_account_id=${accountId}&resolved=false`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(response.status, 200);
  return response.json();
}

test("account mode: unpaid is refused with where to pay; forged and replayed webhooks change nothing; a paid checkout makes the account usable", async () => {
  const { user, checkoutUrl, sessionId } = await unpaidUser("carol");
  const session = stripe.session(sessionId);
  assert.equal(session.amount, 500);
  assert.equal(session.currency, "usd");
  assert.equal(session.email, "carol@example.com");
  assert.equal(stripe.unauthorized, 0);

  const refused = await me(user.token);
  assert.equal(refused.status, 403);
  const body = await refused.json();
  assert.equal(body.checkout_url, checkoutUrl);
  assert.match(body.error, /registration fee \(5\.00 USD\)/);
  // Nor can the password sign in again.
  const grant = await fetch(`${server.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "password", username: "carol", password: user.password, client_id: "x" }) });
  assert.notEqual(grant.status, 200);

  // The web sign-in says why, and where to pay.
  const signInPage = await fetch(`${server.url}/auth/sign_in`);
  const signInCsrf = /name="authenticity_token" value="([^"]+)"/.exec(await signInPage.text())![1];
  const signInCookie = (signInPage.headers.get("set-cookie") ?? "").split(";")[0];
  const signIn = await fetch(`${server.url}/auth/sign_in`, {
    method: "POST", redirect: "manual", headers: { cookie: signInCookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ authenticity_token: signInCsrf, login: "carol", password: user.password }),
  });
  assert.notEqual(signIn.status, 302);
  assert.ok((await signIn.text()).includes(`waiting for its registration fee. Pay at ${checkoutUrl}`));

  // Signed with another secret: 400, nothing changes.
  const forged = await stripe.complete(sessionId, { secret: "whsec_attacker" });
  assert.equal(forged.status, 400, forged.body);
  assert.match(JSON.parse(forged.body).error, /signature/i);
  // No signature at all, or a garbage one.
  assert.equal((await stripe.complete(sessionId, { header: "" })).status, 400);
  assert.equal((await stripe.complete(sessionId, { header: "t=1,v1=00" })).status, 400);
  // A real signature, but ten minutes old (a captured request replayed): 400.
  const replayed = await stripe.complete(sessionId, { timestamp: Math.floor(Date.now() / 1000) - 600 });
  assert.equal(replayed.status, 400, replayed.body);
  assert.match(JSON.parse(replayed.body).error, /tolerance/);
  assert.equal((await me(user.token)).status, 403);
  // The provider's "success" page is no proof of payment either.
  assert.equal((await fetch(`${server.url}/auth/payment/done`)).status, 200);
  assert.equal((await me(user.token)).status, 403);

  // Paying on the simulator's page sends the signed webhook, then the payer back to us.
  const paid = await fetch(checkoutUrl, { method: "POST", redirect: "manual" });
  assert.equal(paid.status, 303);
  assert.equal(paid.headers.get("x-webhook-status"), "200");
  assert.equal(paid.headers.get("location"), `${server.url}/auth/payment/done`);
  const usable = await me(user.token);
  assert.equal(usable.status, 200);
  assert.equal((await usable.json()).username, "carol");
});

test("a duplicate event is acknowledged (200) and handled once; a refund disables the account and tells moderators once", async () => {
  const { user, sessionId } = await unpaidUser("dora");
  const first = await stripe.complete(sessionId);
  assert.equal(first.status, 200, first.body);
  assert.equal(JSON.parse(first.body).status, "processed");
  assert.equal((await me(user.token)).status, 200);

  // Stripe retries with the same event id (it did not see our 200, say): 200, "duplicate".
  const again = await stripe.complete(sessionId, { eventId: first.eventId });
  assert.equal(again.status, 200);
  assert.equal(JSON.parse(again.body).status, "duplicate");

  // A rolled secret: the header carries an old signature first and the current one after it.
  const refund = await stripe.refund(sessionId, { extraSignatures: ["ab".repeat(32)] });
  assert.equal(refund.status, 200, refund.body);
  assert.equal((await me(user.token)).status, 401);
  const reports = await reportsAbout(user.id);
  assert.equal(reports.length, 1);
  assert.match(reports[0].comment, /refunded \(5\.00 USD, stripe event evt_test_/);

  const retried = await stripe.refund(sessionId, { eventId: refund.eventId });
  assert.equal(retried.status, 200);
  assert.equal(JSON.parse(retried.body).status, "duplicate");
  // A late "completed" (another event id) cannot undo the refund.
  assert.equal((await stripe.complete(sessionId)).status, 200);
  assert.equal((await me(user.token)).status, 401);
  assert.equal((await reportsAbout(user.id)).length, 1);

  // A dispute on top is a second thing moderators hear about.
  assert.equal((await stripe.dispute(sessionId)).status, 200);
  const after = await reportsAbout(user.id);
  assert.equal(after.length, 2);
  assert.ok(after.some((r) => /disputed/.test(r.comment)));
});

test("an expired checkout leaves the account unpaid with a fresh checkout; the sweep removes unpaid accounts only", async () => {
  const { user, checkoutUrl, sessionId } = await unpaidUser("erik");
  assert.equal((await stripe.expire(sessionId)).status, 200);
  const refused = await me(user.token);
  assert.equal(refused.status, 403);
  const renewed = (await refused.json()).checkout_url as string;
  assert.notEqual(renewed, checkoutUrl);
  assert.ok(stripe.sessions.get(/\/pay\/(cs_test_[0-9a-f]+)$/.exec(renewed)![1])?.status === "open");

  // 0.00001 days (under a second) unpaid: erik goes; carol (paid), dora (refunded) and the admin stay.
  await new Promise((r) => setTimeout(r, 1100)); // the sweep compares creation times with the clock; one second must pass
  const swept = await server.cli(["payments", "sweep"], { UNPAID_ACCOUNT_DAYS: "0.00001" });
  assert.equal(swept.code, 0, swept.stderr);
  assert.match(swept.stdout, /Removed 1 unpaid account/);
  const lookup = (name: string) => fetch(`${server.url}/api/v1/accounts/lookup?acct=${name}`);
  assert.equal((await lookup("erik")).status, 404);
  for (const name of ["carol", "dora", "boss"]) assert.equal((await lookup(name)).status, 200, name);
});

test("webhook bounds: an unknown provider is 404, an oversized body 413, an event Skein does not act on 200", async () => {
  assert.equal((await fetch(`${server.url}/webhooks/payments/paypal`, { method: "POST", body: "{}" })).status, 404);
  // On a connection of its own: the server does not read the refused body, and closes it.
  const big = await new Promise<number>((resolve, reject) => {
    const req = http.request(stripe.webhookUrl, { method: "POST", agent: false, headers: { "stripe-signature": "t=1,v1=00", "content-length": 300 * 1024 } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end("x".repeat(300 * 1024));
  });
  assert.equal(big, 413);
  const other = await stripe.send("customer.created", { id: "cus_test_1", object: "customer" });
  assert.equal(other.status, 200);
  assert.equal(JSON.parse(other.body).status, "ignored");
});

test("POST /api/v1/accounts with a fee: the answer carries the checkout URL, the token is refused until paid; the web sign-up redirects to the checkout", async () => {
  const signed = await apiSignUp("gina");
  assert.equal(signed.status, 200);
  const token = await signed.json();
  assert.match(token.checkout_url, /\/pay\/cs_test_/);
  const refused = await me(token.access_token);
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).checkout_url, token.checkout_url);
  const paid = await fetch(token.checkout_url, { method: "POST", redirect: "manual" });
  assert.equal(paid.headers.get("x-webhook-status"), "200");
  const usable = await me(token.access_token);
  assert.equal(usable.status, 200);
  assert.equal((await usable.json()).username, "gina");

  // The sign-up page: straight on to the provider.
  const form = await fetch(`${server.url}/auth/sign_up`);
  assert.equal(form.status, 200);
  const html = await form.text();
  const csrf = /name="authenticity_token" value="([^"]+)"/.exec(html)![1];
  const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0];
  const posted = await fetch(`${server.url}/auth/sign_up`, {
    method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ authenticity_token: csrf, username: "hugo", email: "hugo@example.com", password: "a long enough password 123", password_confirmation: "a long enough password 123", agreement: "1" }),
  });
  assert.equal(posted.status, 303, await posted.text());
  const session = stripe.session(/\/pay\/(cs_test_[0-9a-f]+)$/.exec(posted.headers.get("location")!)![1]);
  assert.equal(session.email, "hugo@example.com");
  assert.equal(session.amount, 500);
});

test("invite mode (set from the CLI): the invite form leads to a checkout; payment mints a one-use invite", async () => {
  const set = await server.cli(["registrations", "fee", "7.50", "EUR", "--mode", "invite"]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /7\.50 EUR \(invite mode\)/);

  const form = await fetch(`${server.url}/auth/payment/invite`);
  assert.equal(form.status, 200);
  const html = await form.text();
  assert.match(html, /7\.50 EUR/);
  const csrf = /name="authenticity_token" value="([^"]+)"/.exec(html)![1];
  const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0];
  const post = (email: string, token = csrf) =>
    fetch(`${server.url}/auth/payment/invite`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ authenticity_token: token, email }) });
  assert.equal((await post("not an address")).status, 422);
  assert.equal((await post("fern@example.com", "forged")).status, 403);
  const started = await post("fern@example.com");
  assert.equal(started.status, 303);
  const checkoutUrl = started.headers.get("location")!;
  const session = stripe.session(/\/pay\/(cs_test_[0-9a-f]+)$/.exec(checkoutUrl)![1]);
  assert.equal(session.amount, 750);
  assert.equal(session.currency, "eur");
  assert.equal(session.email, "fern@example.com");

  const before = await server.cli(["payments", "list"]);
  assert.match(before.stdout, new RegExp(`invite\\s+pending\\s+7\\.50 EUR\\s+fern@example\\.com\\s+${session.id}`));
  const paid = await fetch(checkoutUrl, { method: "POST", redirect: "manual" });
  assert.equal(paid.headers.get("x-webhook-status"), "200");
  const listed = await eventually(async () => {
    const out = (await server.cli(["payments", "list"])).stdout;
    return /invite\s+paid\s+7\.50 EUR\s+fern@example\.com\s+invite (\w{10})/.exec(out);
  }, 20_000, "a paid invite");
  assert.ok(listed[1]);
  // The payer gets the invite by e-mail (the mail folder: no SMTP_URL here), and its link leads to sign-up.
  const mailed = await eventually(async () => {
    const out = (await server.cli(["mail", "list"])).stdout;
    return out.includes(`/invite/${listed[1]}`) ? out : null;
  }, 30_000, "the invite mail");
  assert.match(mailed, /to fern@example\.com/);
  const inviteLink = await fetch(`${server.url}/invite/${listed[1]}`, { redirect: "manual" });
  assert.equal(inviteLink.status, 303);
  assert.equal(inviteLink.headers.get("location"), `/auth/sign_up?invite_code=${listed[1]}`);

  // Without an invite, sign-up is refused and says where to buy one; with the bought one it works, once.
  const without = await apiSignUp("ivan");
  assert.equal(without.status, 403);
  assert.match((await without.json()).error, /buy one \(7\.50 EUR\) at .*\/auth\/payment\/invite/);
  const withInvite = await apiSignUp("fern", listed[1]);
  assert.equal(withInvite.status, 200, await withInvite.clone().text());
  assert.equal((await withInvite.json()).checkout_url, undefined);
  const reused = await apiSignUp("fern2", listed[1]);
  assert.equal(reused.status, 422);

  // Turned off: nothing is sold.
  assert.equal((await server.cli(["payments", "fee", "off"])).code, 0);
  assert.equal((await fetch(`${server.url}/auth/payment/invite`)).status, 404);
  assert.match((await server.cli(["payments", "fee"])).stdout, /Registration fee: off/);
  // `default`: REGISTRATION_FEE from the environment again.
  assert.match((await server.cli(["payments", "fee", "default"])).stdout, /5\.00 USD \(account mode\)/);
});
