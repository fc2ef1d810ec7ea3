// Relays: an admin subscribes a.test to a relay (r.test, Mastodon's protocol: a Follow of the
// Public collection sent to the relay's inbox, answered with Accept). The relay's Announces then
// bring public posts of other servers (p.test, q.test) into the federated timeline — fetched
// from their authors' servers and judged by that origin, so a blocked origin stays out while the
// relay keeps working — and a.test's own public posts (only those) go to the relay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Accept, Announce, Follow, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

const A = "a.test";
const [RELAY, P, Q] = ["r.test", "p.test", "q.test"];
let fleet: Fleet;
let relay: FedifyPeer;
let p: FedifyPeer;
let q: FedifyPeer;
let admin: { token: string };
let alice: TestUser;
let subscriber: Actor; // a.test's instance actor, as the relay sees it
const contracts: ContractLog[] = [];

async function api(user: { token: string } | null, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${A}${path}`, {
    ...init,
    headers: { ...(user ? { Authorization: `Bearer ${user.token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** A public note by `author` on `peer`, served at its id. */
function publish(peer: FedifyPeer, text: string): URL {
  const id = peer.newId("author", "notes");
  peer.notes.set(id.href, new Note({ id, attribution: peer.actors.author.uri, content: `<p>${text}</p>`, to: PUBLIC_COLLECTION, published: Polyfill.Now.instant() as unknown as Temporal.Instant }));
  return id;
}

/** The relay passes `note` on to its subscriber, as LitePub-style relays do. */
async function relayed(note: URL): Promise<void> {
  await relay.send("relay", subscriber, new Announce({ id: relay.newId("relay", "announces"), actor: relay.actors.relay.uri, object: note, to: PUBLIC_COLLECTION }), { sharedInbox: true });
}

async function federatedTimeline(): Promise<{ uri: string; reblog: unknown; account: { acct: string } }[]> {
  const timeline = await api(alice, "/api/v1/timelines/public?remote=true&limit=40");
  assert.equal(timeline.status, 200);
  return timeline.body;
}

before(async () => {
  fleet = await startFleet([A], { firstAddress: 118, extraHosts: { [RELAY]: "127.0.0.119", [P]: "127.0.0.120", [Q]: "127.0.0.121" } });
  contracts.push(installContractCheck(fleet.servers[A].url));
  relay = await startFedifyPeer({ host: RELAY, address: "127.0.0.119", tls: fleet.tls, identifiers: ["relay"], autoAccept: false });
  p = await startFedifyPeer({ host: P, address: "127.0.0.120", tls: fleet.tls, identifiers: ["author"] });
  q = await startFedifyPeer({ host: Q, address: "127.0.0.121", tls: fleet.tls, identifiers: ["author"] });
  admin = await adminUser(fleet.servers[A], "root", "admin");
  alice = await signUp(fleet.servers[A], "alice");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await Promise.all([relay?.stop(), p?.stop(), q?.stop()]);
  await fleet?.stop();
});

test("subscribing: a Follow of Public to the relay's inbox, accepted", async () => {
  assert.equal((await api(alice, "/api/v1/admin/relays")).status, 403, "only admins manage relays");
  assert.equal((await api(admin, "/api/v1/admin/relays", { method: "POST", body: JSON.stringify({ inbox_url: "ftp://r.test/inbox" }) })).status, 422);
  const added = await api(admin, "/api/v1/admin/relays", { method: "POST", body: JSON.stringify({ inbox_url: `https://${RELAY}/inbox` }) });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.equal(added.body.state, "pending");
  assert.equal(added.body.protocol, "mastodon");

  const follow = await eventually(async () => relay.received.find((r) => r.type === "Follow"), 20_000, "the relay's Follow");
  assert.equal(follow.activity.actorId?.href, `https://${A}/users/instance.actor`);
  assert.equal((follow.activity as Follow).objectId?.href, PUBLIC_COLLECTION.href, "Mastodon relays are followed through the Public collection");
  subscriber = await relay.lookup(follow.activity.actorId!.href);
  await relay.send("relay", subscriber, new Accept({ id: relay.newId("relay", "accepts"), actor: relay.actors.relay.uri, object: follow.activity as Follow }));
  await eventually(async () => (await api(admin, "/api/v1/admin/relays")).body[0]?.state === "accepted", 20_000, "the relay accepted");
});

test("what the relay brings fills the federated timeline, judged by its origin", async () => {
  const fromP = publish(p, "Hello from p.test, through the relay");
  await relayed(fromP);
  const shown = await eventually(async () => (await federatedTimeline()).find((s) => s.uri === fromP.href), 20_000, "p.test's post on a.test");
  assert.equal(shown.reblog, null, "a relayed post is the post itself, not a boost by the relay");
  assert.equal(shown.account.acct, `author@${P}`);

  // The admin suspends p.test: what the relay brings from there stays out; q.test's still comes.
  const blocked = await api(admin, "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: P, severity: "suspend" }) });
  assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
  const secondFromP = publish(p, "A second post from p.test");
  const fromQ = publish(q, "Hello from q.test");
  await relayed(secondFromP);
  await relayed(fromQ);
  await eventually(async () => (await federatedTimeline()).some((s) => s.uri === fromQ.href), 20_000, "q.test's post on a.test");
  assert.ok(!(await federatedTimeline()).some((s) => s.uri === secondFromP.href), "nothing from a suspended origin, even through a relay");
});

test("local public posts go to the relay; unlisted and private ones do not", async () => {
  const unlisted = await api(alice, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Unlisted: not for relays", visibility: "unlisted" }) });
  const privatePost = await api(alice, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Followers only", visibility: "private" }) });
  const open = await api(alice, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Public: for everyone, relays too" }) });
  const received = await eventually(async () => relay.received.find((r) => r.type === "Create" && r.object?.id?.href === open.body.uri), 20_000, "the public post at the relay");
  assert.equal(received.actor, `https://${A}/users/alice`);
  const others = new Set([unlisted.body.uri, privatePost.body.uri]);
  assert.ok(!relay.received.some((r) => r.object?.id && others.has(r.object.id.href)));
});

test("unsubscribing sends the Undo of the Follow", async () => {
  const [subscription] = (await api(admin, "/api/v1/admin/relays")).body;
  assert.equal((await api(admin, `/api/v1/admin/relays/${subscription.id}`, { method: "DELETE" })).status, 200);
  const undo = await eventually(async () => relay.received.find((r) => r.type === "Undo"), 20_000, "the Undo at the relay");
  assert.equal(undo.object?.id?.href, `https://${A}/relays/${subscription.id}#follow`);
  await eventually(async () => (await api(admin, "/api/v1/admin/relays")).body.length === 0, 20_000, "the relay forgotten");
});

test("a LitePub relay (given by its actor URL) is followed as an actor, at the inbox its actor names", async () => {
  const added = await api(admin, "/api/v1/admin/relays", { method: "POST", body: JSON.stringify({ inbox_url: relay.actors.relay.uri.href }) });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  assert.equal(added.body.protocol, "litepub");
  const follow = await eventually(async () => relay.received.find((r) => r.type === "Follow" && (r.activity as Follow).objectId?.href === relay.actors.relay.uri.href), 20_000, "the LitePub Follow");
  assert.equal(follow.activity.actorId?.href, `https://${A}/users/instance.actor`);
  await relay.send("relay", subscriber, new Accept({ id: relay.newId("relay", "accepts"), actor: relay.actors.relay.uri, object: follow.activity as Follow }));
  const accepted = await eventually(async () => ((await api(admin, "/api/v1/admin/relays")).body as any[]).find((r) => r.id === added.body.id && r.state === "accepted"), 20_000, "the LitePub relay accepted");
  assert.equal(accepted.actor_uri, relay.actors.relay.uri.href);
  const fromQ = publish(q, "Through a LitePub relay");
  await relayed(fromQ);
  await eventually(async () => (await federatedTimeline()).some((s) => s.uri === fromQ.href), 20_000, "the relayed post");
});
