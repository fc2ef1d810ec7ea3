// Web Push end to end: clients subscribe through /api/v1/push/subscription (scope push, one
// subscription per token), and notifications reach a push service simulated in this process over
// real HTTPS (push.test on 127.0.0.236 and push2.test on 127.0.0.237, with a certificate of the
// test CA made by `./skein dev-cert`; the server resolves the names through SKEIN_TEST_HOSTS and
// trusts the CA through NODE_EXTRA_CA_CERTS). The push service does what a real one does: it
// checks the VAPID signature against the key the instance publishes (RFC 8292: `vapid t=…, k=…`
// for aes128gcm, `WebPush <jwt>` + Crypto-Key p256ecdsa for the legacy aesgcm), with `aud` its
// own origin and `exp` within 24 h, and it decrypts the body with the subscription's private key
// and auth secret (RFC 8291 and the legacy draft), so the payload asserted is what a phone reads.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import https from "node:https";
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from "node:crypto";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { runCli, startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { eventually } from "../support/federation-fleet.ts";
import { queryRows } from "../support/server-db.ts";

interface Ece {
  decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer;
}
const ece = createRequire(import.meta.url)("http_ece") as Ece;

interface Received {
  host: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** One simulated push service: records every request; `answer` decides the status per path. */
interface PushService {
  origin: string;
  received: Received[];
  answers: Map<string, number[]>;
  /** Paths answered only after this many milliseconds (a slow push service). */
  holdMs: Map<string, number>;
  /** The most requests this service had in flight at once, and how many now. */
  inFlight: { now: number; max: number };
  close(): Promise<void>;
}

let server: TestServer;
let contract: ContractLog;
let certDir: string;
let push1: PushService;
let push2: PushService;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let admin: TestUser;
let vapidKey: string;
const api = apiCaller(() => server.url);

async function startPushService(name: string, address: string, tlsFiles: { cert: string; key: string }): Promise<PushService> {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const holdMs = new Map<string, number>();
  const inFlight = { now: 0, max: 0 };
  const srv = https.createServer({ cert: fs.readFileSync(tlsFiles.cert), key: fs.readFileSync(tlsFiles.key) }, (req, res) => {
    const chunks: Buffer[] = [];
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      await new Promise((r) => setTimeout(r, holdMs.get(req.url ?? "") ?? 0));
      inFlight.now--;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ host: name, path: req.url ?? "", headers, body: Buffer.concat(chunks) });
      // A path's scripted answers are used up in order; then 201 Created, as push services answer.
      const queue = answers.get(req.url ?? "");
      res.writeHead(queue?.length ? queue.shift()! : 201);
      res.end();
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, address, resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    origin: `https://${name}:${port}`,
    received,
    answers,
    holdMs,
    inFlight,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

before(async () => {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-push-"));
  const cert = await runCli(["dev-cert", "--domain", "push.test,push2.test"], { DATA_DIR: certDir, LOCAL_DOMAIN: "push.test" });
  assert.equal(cert.code, 0, cert.stderr);
  const setting = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(cert.stdout)![1];
  const files = { cert: setting("TLS_CERT"), key: setting("TLS_KEY") };
  push1 = await startPushService("push.test", "127.0.0.236", files);
  push2 = await startPushService("push2.test", "127.0.0.237", files);
  server = await startServer({ env: { SKEIN_TEST_HOSTS: "push.test=127.0.0.236,push2.test=127.0.0.237", NODE_EXTRA_CA_CERTS: setting("NODE_EXTRA_CA_CERTS") } });
  contract = installContractCheck(server.url);
  const push = { scope: "read write follow push" };
  [alice, bob, carol, dave, admin] = await Promise.all([
    signUp(server, "alice", push),
    signUp(server, "bob", push),
    signUp(server, "carol"),
    signUp(server, "dave", push),
    signUp(server, "boss", { ...push, admin: true }),
  ]);
  vapidKey = (await api(null, "GET", "/api/v2/instance")).body.configuration.vapid.public_key;
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await server?.stop();
  await push1?.close();
  await push2?.close();
  fs.rmSync(certDir, { recursive: true, force: true });
});

// ---- the client's side of a subscription ----

interface ClientKeys {
  ecdh: ECDH;
  p256dh: string;
  auth: string;
}

function clientKeys(): ClientKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
}

let pathCounter = 0;
/** A fresh endpoint path on a push service, so each test reads only its own pushes. */
const endpointOn = (service: PushService) => `${service.origin}/send/${++pathCounter}-${randomBytes(4).toString("hex")}`;

async function subscribe(user: TestUser | string, endpoint: string, keys: ClientKeys, data: unknown, standard?: boolean) {
  const response = await api(user, "POST", "/api/v1/push/subscription", {
    subscription: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, ...(standard === undefined ? {} : { standard }) },
    data,
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

function pushesTo(service: PushService, endpoint: string): Received[] {
  const p = new URL(endpoint).pathname;
  return service.received.filter((r) => r.path === p);
}

/** Checks the VAPID JWT as a push service does and returns its claims. */
function checkVapid(received: Received, service: PushService, encoding: "aes128gcm" | "aesgcm"): Record<string, unknown> {
  let jwt: string;
  let key: string;
  if (encoding === "aes128gcm") {
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(received.headers.authorization);
    assert.ok(match, `a vapid Authorization header: ${received.headers.authorization}`);
    [, jwt, key] = match;
  } else {
    const match = /^WebPush (\S+)$/.exec(received.headers.authorization);
    assert.ok(match, `a WebPush Authorization header: ${received.headers.authorization}`);
    jwt = match[1];
    const ecdsa = /(?:^|;)\s*p256ecdsa=([A-Za-z0-9_-]+)/.exec(received.headers["crypto-key"]);
    assert.ok(ecdsa, `Crypto-Key names the VAPID key: ${received.headers["crypto-key"]}`);
    key = ecdsa[1];
  }
  assert.equal(key, vapidKey, "the key the instance publishes in configuration.vapid.public_key");
  const [header, payload, signature] = jwt.split(".");
  assert.equal(JSON.parse(Buffer.from(header, "base64url").toString()).alg, "ES256");
  const point = Buffer.from(key, "base64url");
  const publicKey = createPublicKey({ key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, format: "jwk" });
  assert.ok(verify("sha256", Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url")), "the JWT is signed by the instance's VAPID key");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  assert.equal(claims.aud, service.origin);
  const now = Date.now() / 1000;
  assert.ok(typeof claims.exp === "number" && claims.exp > now && claims.exp <= now + 24 * 3600 + 5, `exp within 24 h: ${claims.exp}`);
  assert.match(String(claims.sub), /^(mailto:|https:)/);
  return claims;
}

/** Decrypts a push as the user agent does. */
function decrypt(received: Received, keys: ClientKeys, encoding: "aes128gcm" | "aesgcm"): Record<string, unknown> {
  assert.equal(received.headers["content-encoding"], encoding);
  let plain: Buffer;
  if (encoding === "aes128gcm") {
    plain = ece.decrypt(received.body, { version: "aes128gcm", privateKey: keys.ecdh, authSecret: keys.auth });
  } else {
    const dh = /(?:^|;)\s*dh=([A-Za-z0-9_-]+)/.exec(received.headers["crypto-key"])?.[1];
    const salt = /(?:^|;)\s*salt=([A-Za-z0-9_-]+)/.exec(received.headers.encryption)?.[1];
    assert.ok(dh && salt, "aesgcm carries dh in Crypto-Key and salt in Encryption");
    plain = ece.decrypt(received.body, { version: "aesgcm", privateKey: keys.ecdh, dh, salt, authSecret: keys.auth });
  }
  return JSON.parse(plain.toString("utf8")) as Record<string, unknown>;
}

async function latestNotification(user: TestUser, type: string) {
  const list = (await api(user, "GET", `/api/v1/notifications?types[]=${type}`)).body as { id: string; type: string }[];
  assert.ok(list.length > 0, `a ${type} notification`);
  return list[0];
}

/** Waits until no push job waits or runs (pushes not queued at all leave nothing to wait for). */
async function pushQueueEmpty(): Promise<void> {
  await eventually(async () => Number((await queryRows(server, "select count(*) as n from jobs where queue = 'push'"))[0].n) === 0, 15_000, "the push queue to be empty");
}

const allAlerts = { mention: true, status: true, reblog: true, follow: true, follow_request: true, favourite: true, poll: true, update: true, quote: true, quoted_update: true };

// ---- the subscription API ----

test("a subscription is the token's: created, read, changed and deleted, with the instance's VAPID key", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push1);
  // Form-encoded, as the iOS apps send it.
  const form = new URLSearchParams({
    "subscription[endpoint]": endpoint,
    "subscription[keys][p256dh]": keys.p256dh,
    "subscription[keys][auth]": keys.auth,
    "data[alerts][mention]": "true",
    "data[alerts][favourite]": "1",
    "data[alerts][admin.sign_up]": "true",
    "data[policy]": "followed",
  });
  const created = await api(bob, "POST", "/api/v1/push/subscription", form);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.endpoint, endpoint);
  assert.equal(created.body.server_key, vapidKey);
  assert.equal(created.body.standard, false);
  assert.equal(created.body.policy, "followed");
  assert.equal(created.body.alerts.mention, true);
  assert.equal(created.body.alerts.favourite, true);
  assert.equal(created.body.alerts.follow, false);
  assert.equal(created.body.alerts.quote, false);
  // Staff alerts are honoured only for a role that receives those notifications.
  assert.equal(created.body.alerts["admin.sign_up"], false);
  assert.equal((await api(null, "POST", "/api/v1/apps", { client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" })).body.vapid_key, vapidKey);

  const read = await api(bob, "GET", "/api/v1/push/subscription");
  assert.deepEqual(read.body, created.body);

  const changed = await api(bob, "PUT", "/api/v1/push/subscription", { data: { alerts: { follow: true }, policy: "none" } });
  assert.equal(changed.status, 200);
  assert.equal(changed.body.id, created.body.id);
  assert.equal(changed.body.endpoint, endpoint);
  assert.deepEqual([changed.body.alerts.follow, changed.body.alerts.mention, changed.body.policy], [true, false, "none"]);

  // POST again replaces it: still one subscription for the token.
  const replaced = await subscribe(bob, endpointOn(push1), clientKeys(), { alerts: { mention: true } }, true);
  assert.notEqual(replaced.id, created.body.id);
  assert.equal(replaced.standard, true);
  const rows = await queryRows(server, "select count(*) as n from push_subscriptions where account_id = ?", [bob.id]);
  assert.equal(Number(rows[0].n), 1);
  // The token is kept sealed, never as it is.
  const stored = await queryRows(server, "select sealed_token from push_subscriptions where account_id = ?", [bob.id]);
  assert.ok(!stored[0].sealed_token!.includes(bob.token));

  assert.equal((await api(bob, "DELETE", "/api/v1/push/subscription")).status, 200);
  assert.equal((await api(bob, "GET", "/api/v1/push/subscription")).status, 404);
  assert.equal((await api(bob, "PUT", "/api/v1/push/subscription", { data: { alerts: { mention: true } } })).status, 404);
});

test("the subscription API needs the push scope, and refuses endpoints and keys that cannot work", async () => {
  assert.equal((await api(null, "GET", "/api/v1/push/subscription")).status, 401);
  assert.equal((await api(carol, "GET", "/api/v1/push/subscription")).status, 403, "carol's token has no push scope");
  const keys = clientKeys();
  const attempt = (subscription: Record<string, unknown>, data: unknown = {}) => api(alice, "POST", "/api/v1/push/subscription", { subscription, data });
  const good = { endpoint: endpointOn(push1), keys: { p256dh: keys.p256dh, auth: keys.auth } };
  const cases: [string, Record<string, unknown>, unknown?][] = [
    ["subscription[endpoint]", { ...good, endpoint: "http://push.test/send/1" }],
    ["subscription[endpoint]", { ...good, endpoint: "not a url" }],
    ["subscription[endpoint]", { ...good, endpoint: `https://push.test/${"a".repeat(3000)}` }],
    ["subscription[endpoint]", { ...good, endpoint: "https://user:pw@push.test/send" }],
    ["subscription[endpoint]", { keys: good.keys }],
    ["subscription[keys][p256dh]", { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(65, 7).toString("base64url") } }],
    ["subscription[keys][p256dh]", { ...good, keys: { ...good.keys, p256dh: "short" } }],
    ["subscription[keys][auth]", { ...good, keys: { ...good.keys, auth: randomBytes(20).toString("base64url") } }],
    ["subscription[keys][auth]", { ...good, keys: { p256dh: good.keys.p256dh } }],
    ["data[policy]", good, { policy: "everyone" }],
  ];
  for (const [field, subscription, data] of cases) {
    const response = await attempt(subscription, data ?? {});
    assert.equal(response.status, 422, `${field}: ${JSON.stringify(subscription).slice(0, 120)} → ${response.status}`);
    assert.ok(response.body.details?.[field], `details name ${field}: ${JSON.stringify(response.body)}`);
  }
  // Standard base64 with padding is what some clients send: accepted.
  const padded = { ...good, keys: { p256dh: keys.ecdh.getPublicKey().toString("base64"), auth: Buffer.from(keys.auth, "base64url").toString("base64") } };
  assert.equal((await attempt(padded)).status, 200);
  assert.equal((await api(alice, "DELETE", "/api/v1/push/subscription")).status, 200);
});

// ---- pushes ----

test("a mention reaches the push service, legacy aesgcm by default: VAPID checked, payload decrypted", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push1);
  await subscribe(alice, endpoint, keys, { alerts: allAlerts });
  await bob.client.v1.statuses.create({ status: "@alice lunch at noon?" });
  const [received] = await eventually(async () => (pushesTo(push1, endpoint).length ? pushesTo(push1, endpoint) : null), 15_000, "the mention's push");
  checkVapid(received, push1, "aesgcm");
  assert.equal(received.headers.ttl, "172800");
  assert.equal(received.headers.urgency, "high");
  const payload = decrypt(received, keys, "aesgcm");
  const notification = await latestNotification(alice, "mention");
  assert.equal(payload.notification_type, "mention");
  assert.equal(payload.notification_id, notification.id);
  assert.equal(payload.access_token, alice.token, "the client finds its account by its token");
  assert.equal(payload.title, "You were mentioned by bob");
  assert.match(String(payload.body), /lunch at noon\?/);
  assert.equal(payload.preferred_locale, "en");
  assert.match(String(payload.icon), /^http/);
});

test("subscription[standard]=true sends RFC 8291 aes128gcm with vapid t=,k=; likes are low urgency", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push2);
  await subscribe(alice, endpoint, keys, { alerts: allAlerts }, true);
  const status = await alice.client.v1.statuses.create({ status: "a post to like" });
  await bob.client.v1.statuses.$select(status.id).favourite();
  const [received] = await eventually(async () => (pushesTo(push2, endpoint).length ? pushesTo(push2, endpoint) : null), 15_000, "the like's push");
  checkVapid(received, push2, "aes128gcm");
  assert.equal(received.headers.urgency, "low");
  assert.equal(received.headers.ttl, "172800");
  const payload = decrypt(received, keys, "aes128gcm");
  assert.equal(payload.notification_type, "favourite");
  assert.equal(payload.notification_id, (await latestNotification(alice, "favourite")).id);
  assert.equal(payload.title, "bob favorited your post");
  assert.equal(payload.body, "a post to like");
});

test("alerts decide what is pushed, and the followed policy lets only followed accounts through", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push1);
  // Mentions only, and only from accounts alice follows.
  await subscribe(alice, endpoint, keys, { alerts: { mention: true }, policy: "followed" });
  await alice.client.v1.accounts.$select(bob.id).follow();
  const liked = await alice.client.v1.statuses.create({ status: "likes are not pushed here" });
  await bob.client.v1.statuses.$select(liked.id).favourite();
  await carol.client.v1.statuses.create({ status: "@alice from someone you do not follow" });
  await bob.client.v1.statuses.create({ status: "@alice from someone you follow" });
  const [received] = await eventually(async () => (pushesTo(push1, endpoint).length ? pushesTo(push1, endpoint) : null), 15_000, "bob's mention");
  const payload = decrypt(received, keys, "aesgcm");
  assert.match(String(payload.body), /from someone you follow/);
  // Carol's mention and bob's like were notified before bob's mention, and not pushed.
  await latestNotification(alice, "favourite");
  assert.equal((await api(alice, "GET", "/api/v1/notifications?types[]=mention")).body.some((n: { account: { id: string } }) => n.account.id === carol.id), true);
  await pushQueueEmpty();
  assert.equal(pushesTo(push1, endpoint).length, 1, "only bob's mention was pushed");
  await alice.client.v1.accounts.$select(bob.id).unfollow();
});

test("a 500 is tried again and delivered; a 410 deletes the subscription", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push2);
  push2.answers.set(new URL(endpoint).pathname, [500]);
  await subscribe(alice, endpoint, keys, { alerts: { follow: true } });
  await bob.client.v1.accounts.$select(alice.id).follow();
  const received = await eventually(async () => (pushesTo(push2, endpoint).length >= 2 ? pushesTo(push2, endpoint) : null), 15_000, "the retried push");
  assert.equal(decrypt(received[1], keys, "aesgcm").notification_type, "follow");
  assert.deepEqual(decrypt(received[0], keys, "aesgcm"), decrypt(received[1], keys, "aesgcm"), "the same notification, sent again");
  assert.equal((await api(alice, "GET", "/api/v1/push/subscription")).status, 200);

  // The push service forgot this subscription: the next push deletes ours.
  const gone = endpointOn(push1);
  push1.answers.set(new URL(gone).pathname, [410]);
  await subscribe(alice, gone, clientKeys(), { alerts: { mention: true } });
  await bob.client.v1.statuses.create({ status: "@alice are you there?" });
  await eventually(async () => pushesTo(push1, gone).length > 0, 15_000, "the push answered 410");
  await eventually(async () => (await api(alice, "GET", "/api/v1/push/subscription")).status === 404, 15_000, "the subscription deleted");
  await bob.client.v1.accounts.$select(alice.id).unfollow();
});

test("a slow push service gets a few pushes at a time, and every one in the end", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push2);
  push2.holdMs.set(new URL(endpoint).pathname, 150);
  push2.inFlight.max = 0;
  await subscribe(alice, endpoint, keys, { alerts: { mention: true } }, true);
  const count = 24;
  await Promise.all(Array.from({ length: count }, (_, i) => bob.client.v1.statuses.create({ status: `@alice burst ${i}` })));
  const received = await eventually(async () => (pushesTo(push2, endpoint).length === count ? pushesTo(push2, endpoint) : null), 20_000, `${count} pushes`);
  assert.ok(push2.inFlight.max <= 8, `at most 8 at once to one push service (saw ${push2.inFlight.max})`);
  assert.ok(push2.inFlight.max >= 2, `several at once (saw ${push2.inFlight.max})`);
  const bodies = received.map((r) => String(decrypt(r, keys, "aes128gcm").body)).sort();
  assert.equal(new Set(bodies).size, count, "each mention pushed once");
});

test("staff alerts reach the roles that receive them: a report pushed to an admin", async () => {
  const keys = clientKeys();
  const endpoint = endpointOn(push2);
  const subscription = await subscribe(admin, endpoint, keys, { alerts: { "admin.report": true, "admin.sign_up": true } }, true);
  assert.equal(subscription.alerts["admin.report"], true);
  assert.equal(subscription.alerts["admin.sign_up"], true);
  assert.equal((await api(carol, "POST", "/api/v1/reports", { account_id: bob.id, comment: "spam" })).status, 200);
  const [received] = await eventually(async () => (pushesTo(push2, endpoint).length ? pushesTo(push2, endpoint) : null), 15_000, "the report's push");
  const payload = decrypt(received, keys, "aes128gcm");
  assert.equal(payload.notification_type, "admin.report");
  assert.equal(payload.title, "carol submitted a report");
  assert.equal(payload.access_token, admin.token);
});

test("revoking the token ends its subscription", async () => {
  // A token of an app of our own, so that it can be revoked as its app does it (RFC 7009).
  const app = (await api(null, "POST", "/api/v1/apps", { client_name: "push revoker", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read push" })).body;
  const grant = { grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username: dave.username, password: dave.password, scope: "read push" };
  const token = (await api(null, "POST", "/oauth/token", grant)).body.access_token as string;
  const endpoint = endpointOn(push1);
  await subscribe(token, endpoint, clientKeys(), { alerts: { mention: true } });
  // A live subscription beside it shows when the pushes of this mention have been sent.
  const control = endpointOn(push1);
  await subscribe(alice, control, clientKeys(), { alerts: { mention: true } });
  assert.equal((await api(null, "POST", "/oauth/revoke", { token, client_id: app.client_id, client_secret: app.client_secret })).status, 200);
  assert.equal((await api(token, "GET", "/api/v1/push/subscription")).status, 401);
  await bob.client.v1.statuses.create({ status: "@dave @alice hello both" });
  await eventually(async () => pushesTo(push1, control).length > 0, 15_000, "alice's push");
  assert.equal((await queryRows(server, "select id from notifications where account_id = ? and type = 'mention'", [dave.id])).length, 1, "dave was notified");
  await pushQueueEmpty();
  assert.equal(pushesTo(push1, endpoint).length, 0, "nothing is pushed for a revoked token");
});

test("an account's removal (its rows purged) removes its subscriptions", async () => {
  // Dave's subscription is still stored (its revoked token is swept hourly), until the account goes.
  assert.equal((await queryRows(server, "select id from push_subscriptions where account_id = ?", [dave.id])).length, 1);
  await queryRows(server, "delete from accounts where id = ?", [dave.id]);
  assert.equal((await queryRows(server, "select id from push_subscriptions where account_id = ?", [dave.id])).length, 0);
});
