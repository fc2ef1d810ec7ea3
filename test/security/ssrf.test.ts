// Server-side request forgery: a remote actor (or anyone who can make Skein fetch a URL) must
// not be able to point Skein at the machine's own network. A production-mode server is driven
// through every path that opens an outgoing connection — deliveries (to an inbox, to a shared
// inbox), actor, object and collection fetches, WebFinger, signature-key and JSON-LD context
// loading, account moves, link previews — at loopback addresses in every spelling, and plain TCP listeners on
// those addresses count the connections they are offered. Each must count none: refusing after
// a TLS handshake, or after any byte, is too late. And an actor cannot park such an inbox in
// the database to begin with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { generateKeyPairSync } from "node:crypto";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { digestOf, signedPostHeaders } from "../../src/federation/delivery/http-signature.ts";
import { Resolver } from "../../src/federation/resolver.ts";
import { Endpoints, Person } from "@fedify/vocab";

/** Loopback, spelled every way a URL parser or a socket accepts it, and where each one lands. */
const SPELLINGS: { host: string; lands: string }[] = [
  { host: "127.0.0.65", lands: "127.0.0.65" },
  { host: "2130706433", lands: "127.0.0.1" }, // 127.0.0.1 as one decimal number
  { host: "0x7f000041", lands: "127.0.0.65" }, // hexadecimal
  { host: "0177.0.0.1", lands: "127.0.0.1" }, // octal first part
  { host: "127.1", lands: "127.0.0.1" }, // short form
  { host: "[::1]", lands: "::1" },
  { host: "[::ffff:127.0.0.1]", lands: "127.0.0.1" }, // IPv4-mapped IPv6
  { host: "[::ffff:7f00:1]", lands: "127.0.0.1" }, // the same, in hex words
];

interface Listener {
  /** `host:port` as a URL names it, e.g. `0x7f000041:40123`. */
  authority: string;
  spelling: string;
  connections: number;
  server: net.Server;
}

/** One TCP listener per spelling, each on its own port, counting (and closing) every connection. */
async function listeners(): Promise<Listener[]> {
  return Promise.all(
    SPELLINGS.map(async ({ host, lands }) => {
      const listener = { authority: "", spelling: host, connections: 0 } as Listener;
      listener.server = net.createServer((socket) => {
        listener.connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.server.listen({ host: lands, port: 0, ipv6Only: lands.includes(":") }, resolve));
      listener.authority = `${host}:${(listener.server.address() as net.AddressInfo).port}`;
      return listener;
    }),
  );
}

async function closeAll(list: Listener[]): Promise<void> {
  await Promise.all(list.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
}

function assertNoConnections(list: Listener[], path: string): void {
  const reached = list.filter((l) => l.connections > 0).map((l) => `${l.spelling} (${l.connections})`);
  assert.deepEqual(reached, [], `${path} connected to loopback`);
}

let server: TestServer;
let alice: TestUser;
let runtime: Runtime;

before(async () => {
  // Two sender threads: deliveries take the threaded path, as in production.
  server = await startServer({ env: { SKEIN_ENV: "production", DELIVERY_THREADS: "2" } });
  alice = await signUp(server, "alice");
  // The test's own handle on the server's database, for what federation cannot set up here:
  // a remote actor naming a loopback inbox must come from a public server, and none is reachable.
  runtime = await openRuntime(loadConfig(server.env));
});

after(async () => {
  await runtime?.close();
  await server?.stop();
});

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${alice.token}`, ...init.headers } });
  await response.arrayBuffer();
  assert.ok(response.status < 500, `${init.method ?? "GET"} ${path} → ${response.status}`);
  return response;
}

/** Stores a remote account as if its actor document had been fetched (domain rules only). */
async function remoteAccount(username: string, uri: string, inboxes: { inbox: string; sharedInbox?: string }) {
  const account = await runtime.services.remoteAccounts.save({
    uri,
    username,
    domain: new URL(uri).host,
    url: uri,
    displayName: username,
    note: "",
    fields: [],
    locked: false,
    bot: false,
    group: false,
    discoverable: false,
    indexable: false,
    avatarUrl: null,
    headerUrl: null,
    inboxUrl: inboxes.inbox,
    sharedInboxUrl: inboxes.sharedInbox ?? null,
    followersUrl: null,
    featuredUrl: null,
    alsoKnownAs: [],
    actorType: "Person",
    published: null,
  });
  assert.ok(account, `stored ${uri}`);
  return account;
}

/** Waits until Skein has tried every delivery to these inboxes (sent, retried or given up). */
async function deliveriesSettled(inboxes: string[]): Promise<{ inbox_url: string; last_error: string | null }[]> {
  const wanted = inboxes.map((i) => new URL(i).href);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await runtime.database.db
      .selectFrom("deliveries")
      .select(["inbox_url", "attempts", "gave_up_at", "last_error"])
      .where("inbox_url", "in", wanted)
      .execute();
    const settled = rows.filter((r) => r.attempts > 0 || r.gave_up_at !== null);
    if (new Set(settled.map((r) => r.inbox_url)).size === wanted.length) return settled;
    if (Date.now() > deadline) assert.fail(`deliveries not tried within 60 s: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("deliveries to an inbox at a loopback address in any spelling never connect", async () => {
  const list = await listeners();
  try {
    const inboxes: string[] = [];
    for (const [i, l] of list.entries()) {
      const inbox = `https://${l.authority}/users/target${i}/inbox`;
      const account = await remoteAccount(`target${i}`, `https://${l.authority}/users/target${i}`, { inbox });
      inboxes.push(inbox);
      assert.equal((await api(`/api/v1/accounts/${account.id}/follow`, { method: "POST" })).status, 200);
    }
    const rows = await deliveriesSettled(inboxes);
    assertNoConnections(list, "a Follow delivery");
    for (const row of rows) assert.match(row.last_error ?? "", /refused/i, `${row.inbox_url}: ${row.last_error}`);
  } finally {
    await closeAll(list);
  }
});

test("deliveries to followers' shared inboxes at loopback addresses never connect", async () => {
  const list = await listeners();
  try {
    const aliceRow = (await runtime.stores.accounts.byId(alice.id))!;
    const sharedInboxes: string[] = [];
    for (const [i, l] of list.entries()) {
      // The actor claims a public-looking inbox of its own and a shared inbox on loopback.
      const sharedInbox = `https://${l.authority}/inbox`;
      const follower = await remoteAccount(`follower${i}`, `https://${l.authority}/users/follower${i}`, { inbox: `https://${l.authority}/users/follower${i}/inbox`, sharedInbox });
      await runtime.services.relationships.receiveFollow(follower, aliceRow, `https://${l.authority}/follows/${i}`);
      sharedInboxes.push(sharedInbox);
    }
    await api("/api/v1/statuses", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "hello, followers", visibility: "public" }) });
    await deliveriesSettled(sharedInboxes);
    assertNoConnections(list, "a post's delivery to followers");
  } finally {
    await closeAll(list);
  }
});

test("resolving an actor, a post or a collection by URL never connects to loopback", async () => {
  const list = await listeners();
  try {
    for (const l of list) {
      for (const path of ["/users/x", "/users/x/statuses/1", "/users/x/followers", "/users/x/outbox"]) {
        const q = encodeURIComponent(`https://${l.authority}${path}`);
        await api(`/api/v2/search?q=${q}&resolve=true`);
        await api(`/api/v2/search?q=${encodeURIComponent(`http://${l.authority}${path}`)}&resolve=true`);
      }
    }
    assertNoConnections(list, "search with resolve=true");
  } finally {
    await closeAll(list);
  }
});

test("WebFinger lookups of a handle on a loopback address never connect", async () => {
  const list = await listeners();
  try {
    for (const l of list) {
      // A handle's domain cannot hold brackets; the IPv6 spellings are covered by the URL tests.
      await api(`/api/v2/search?q=${encodeURIComponent(`@x@${l.authority}`)}&resolve=true`);
      await api(`/api/v1/accounts/lookup?acct=${encodeURIComponent(`x@${l.authority}`)}`);
    }
    assertNoConnections(list, "WebFinger");
  } finally {
    await closeAll(list);
  }
});

test("moving to an account at a loopback address never fetches it", async () => {
  const list = await listeners();
  try {
    for (const l of list) {
      await api("/api/v1/accounts/move", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ moved_to_uri: `https://${l.authority}/users/x`, password: alice.password }),
      });
    }
    assertNoConnections(list, "an account move");
  } finally {
    await closeAll(list);
  }
});

test("an inbox POST naming loopback for its key, actor and JSON-LD context never connects", async () => {
  const list = await listeners();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  try {
    for (const l of list) {
      const actor = `https://${l.authority}/users/x`;
      const body = Buffer.from(
        JSON.stringify({
          "@context": ["https://www.w3.org/ns/activitystreams", `http://${l.authority}/context`, `https://${l.authority}/context`],
          id: `${actor}/activities/1`,
          type: "Create",
          actor,
          object: { id: `${actor}/notes/1`, type: "Note", attributedTo: actor, content: "hi", to: "https://www.w3.org/ns/activitystreams#Public" },
        }),
      );
      const inbox = new URL(`${server.url}/inbox`);
      // Unsigned: refused, and nothing it names is loaded.
      const unsigned = await fetch(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body });
      await unsigned.arrayBuffer();
      assert.ok(unsigned.status >= 400 && unsigned.status < 500, `unsigned → ${unsigned.status}`);
      // Signed with a key that lives on loopback: the key is not fetched.
      const headers = await signedPostHeaders(inbox, digestOf(body), { keyId: `${actor}#main-key`, privateKey });
      const signed = await fetch(inbox, { method: "POST", headers, body });
      await signed.arrayBuffer();
      assert.ok(signed.status >= 400 && signed.status < 500, `signed by a loopback key → ${signed.status}`);
    }
    assertNoConnections(list, "an inbox POST");
  } finally {
    await closeAll(list);
  }
});

test("an actor's inbox is stored only when it is https on a public address, its own host's or another that resolves publicly", async () => {
  // The resolver as federation runs it, in this production configuration; nothing is fetched.
  const resolver = new Resolver({ config: runtime.config, stores: runtime.stores, services: runtime.services }, () => assert.fail("nothing is fetched"));
  const cases: { name: string; inbox: string; sharedInbox?: string; stored: [string | null, string | null] }[] = [
    { name: "literal", inbox: "https://127.0.0.65/inbox", sharedInbox: "https://[::ffff:7f00:1]/inbox", stored: [null, null] },
    { name: "spelled", inbox: "https://2130706433/inbox", sharedInbox: "https://[fd00::1]/inbox", stored: [null, null] },
    { name: "plain", inbox: "http://social.example/users/plain/inbox", stored: [null, null] },
    // Another host whose name resolves to loopback.
    { name: "named", inbox: "https://social.example/users/named/inbox", sharedInbox: "https://localhost/inbox", stored: ["https://social.example/users/named/inbox", null] },
    // Another host on a public address (a bridge, a relay): kept.
    { name: "bridged", inbox: "https://93.184.215.14/inbox/bridged", stored: ["https://93.184.215.14/inbox/bridged", null] },
  ];
  for (const c of cases) {
    const id = new URL(`https://social.example/users/${c.name}`);
    const saved = await resolver.saveActor(
      new Person({ id, preferredUsername: c.name, inbox: new URL(c.inbox), endpoints: c.sharedInbox ? new Endpoints({ sharedInbox: new URL(c.sharedInbox) }) : null }),
    );
    assert.ok(saved, `${c.name}: the actor is stored`);
    assert.deepEqual([saved.inbox_url, saved.shared_inbox_url], c.stored, c.name);
  }
});

test("link previews of pages at a loopback address in any spelling never connect", async () => {
  const list = await listeners();
  try {
    // Posts whose first link points at each listener; the server's `cards` queue judges them.
    const db = runtime.database.db;
    const now = new Date().toISOString();
    const ids: string[] = [];
    for (const [i, l] of list.entries()) {
      const id = String(930_000_000_000_000n + BigInt(i));
      ids.push(id);
      await db
        .insertInto("statuses")
        .values({
          id, uri: `${server.url}/users/alice/statuses/${id}`, url: null, account_id: alice.id, local: 1, in_reply_to_id: null, in_reply_to_account_id: null,
          reblog_of_id: null, conversation_id: id, text: "", content: `<p>Look <a href="http://${l.authority}/page">here</a></p>`, spoiler_text: "", sensitive: 0,
          visibility: "public", language: null, application_id: null, replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: now, updated_at: now,
        } as never)
        .execute();
    }
    await runtime.services.cards.jobs!.enqueue("cards", ids.map((statusId) => ({ statusId })));
    const deadline = Date.now() + 60_000;
    let judged: { url: string; state: string; last_error: string | null }[] = [];
    while (judged.length < list.length) {
      if (Date.now() > deadline) assert.fail(`link previews not judged within 60 s: ${JSON.stringify(judged)}`);
      await new Promise((r) => setTimeout(r, 100));
      judged = await db.selectFrom("preview_cards").select(["url", "state", "last_error"]).where("state", "!=", "pending").execute();
    }
    for (const card of judged) assert.equal(card.state, "failed", card.url);
    assertNoConnections(list, "a link preview");
  } finally {
    await closeAll(list);
  }
});
