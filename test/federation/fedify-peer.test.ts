// Skein against a second implementation: a small server written directly with Fedify
// (test/support/fedify-peer.ts, none of Skein's code), over real HTTPS on its own host name.
// The peer follows a Skein account and is accepted; it receives the account's public and
// followers-only posts with the addressing other servers rely on; its reply to a Skein post is
// threaded there and notifies the mentioned account through the client API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Create, Follow, Link, Mention, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer, type ReceivedActivity } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";

const SKEIN = "skein.test";
const PEER = "fedify.test";
// Distinct from the addresses other federation test files use, since files run side by side.
const SKEIN_ADDRESS = 40;
const PEER_ADDRESS = "127.0.0.49";

let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${SKEIN}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** Every id an activity or object is addressed to (to, cc, bto, bcc, audience). */
function audienceOf(item: { toIds: URL[]; ccIds: URL[]; btoIds: URL[]; bccIds: URL[]; audienceIds: URL[] }): string[] {
  return [...item.toIds, ...item.ccIds, ...item.btoIds, ...item.bccIds, ...item.audienceIds].map((u) => u.href);
}

/** The Create(Note) the peer received for the Skein status `uri`. */
function createdNote(uri: string): ReceivedActivity | undefined {
  return peer.received.find((r) => r.type === "Create" && r.object instanceof Note && r.object.id?.href === uri);
}

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS } });
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls });
  alice = await signUp(fleet.servers[SKEIN], "alice");
});

after(async () => {
  await peer?.stop();
  await fleet?.stop();
});

test("the Fedify peer finds a Skein account through WebFinger and follows it; Skein accepts", async () => {
  aliceActor = await peer.lookup(`alice@${SKEIN}`);
  assert.equal(aliceActor.id?.href, `https://${SKEIN}/users/alice`);
  assert.equal(aliceActor.preferredUsername, "alice");
  assert.ok(aliceActor.inboxId, "the actor has an inbox");
  assert.ok((await aliceActor.getPublicKey())?.publicKey, "the actor publishes its public key");

  const followId = peer.newId("peer", "follows");
  await peer.send("peer", aliceActor, new Follow({ id: followId, actor: peer.actors.peer.uri, object: aliceActor.id }));

  const accept = await eventually(async () => peer.received.find((r) => r.type === "Accept"), 30_000, "Skein's Accept on the peer");
  assert.equal(accept.actor, aliceActor.id!.href, "the followed account accepts");
  assert.equal(accept.recipient === null || accept.recipient === "peer", true);
  assert.ok(accept.object instanceof Follow, "the Accept names the Follow");
  assert.equal(accept.object.id?.href, followId.href);
  assert.equal(accept.object.actorId?.href, peer.actors.peer.uri.href);
  assert.equal(accept.object.objectId?.href, aliceActor.id!.href);

  const followers = await eventually(async () => {
    const list = await api(`/api/v1/accounts/${alice.id}/followers`);
    return list.body?.length ? list.body : null;
  }, 20_000, "the follower on Skein");
  assert.deepEqual(followers.map((a: { acct: string }) => a.acct), [`peer@${PEER}`]);
  assert.equal(followers[0].url, `https://${PEER}/@peer`);
  const me = await api("/api/v1/accounts/verify_credentials");
  assert.equal(me.body.followers_count, 1);
});

test("a public post reaches the follower as Create(Note), to Public and cc followers", async () => {
  const post = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Hello, second implementation! #interop" }) });
  assert.equal(post.status, 200);
  const received = await eventually(async () => createdNote(post.body.uri), 30_000, "the Create on the peer");
  const create = received.activity as Create;
  const note = received.object as Note;
  assert.equal(received.actor, aliceActor.id!.href);
  assert.equal(note.attributionId?.href, aliceActor.id!.href);
  assert.match(String(note.content), /Hello, second implementation!/);
  assert.equal(note.url instanceof Link ? note.url.href?.href : note.url?.href, post.body.url);
  const followers = aliceActor.followersId!.href;
  for (const item of [create, note]) {
    assert.deepEqual(item.toIds.map((u) => u.href), [PUBLIC_COLLECTION.href], "addressed to Public");
    assert.ok(item.ccIds.some((u) => u.href === followers), "cc the author's followers");
  }
  const tags = [];
  for await (const tag of note.getTags()) tags.push(tag);
  assert.ok(tags.some((t) => String(t.name).toLowerCase() === "#interop"), "the hashtag travels as a tag");
});

test("a followers-only post reaches the follower addressed to followers, never to Public", async () => {
  const post = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Only for my followers", visibility: "private" }) });
  assert.equal(post.status, 200);
  assert.equal(post.body.visibility, "private");
  const received = await eventually(async () => createdNote(post.body.uri), 30_000, "the followers-only Create on the peer");
  const create = received.activity as Create;
  const note = received.object as Note;
  assert.match(String(note.content), /Only for my followers/);
  const followers = aliceActor.followersId!.href;
  for (const item of [create, note]) {
    assert.deepEqual(item.toIds.map((u) => u.href), [followers], "addressed to the followers");
    assert.ok(!audienceOf(item).includes(PUBLIC_COLLECTION.href), "Public appears nowhere");
    assert.ok(!audienceOf(item).some((u) => u === "as:Public" || u === "Public"), "not even in compact form");
  }
});

test("a reply from the Fedify peer is threaded under the Skein post and notifies the mentioned account", async () => {
  const original = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Tell me what you think" }) });
  assert.equal(original.status, 200);
  await eventually(async () => createdNote(original.body.uri), 30_000, "the post on the peer");

  const noteId = peer.newId("peer", "notes");
  const peerActor = peer.actors.peer.uri;
  const followers = peer.context().getFollowersUri("peer");
  const reply = new Note({
    id: noteId,
    attribution: peerActor,
    content: `<p><span class="h-card"><a href="https://${SKEIN}/@alice" class="u-url mention">@<span>alice</span></a></span> Interop works!</p>`,
    replyTarget: new URL(original.body.uri),
    url: noteId,
    to: PUBLIC_COLLECTION,
    ccs: [followers, aliceActor.id!],
    tags: [new Mention({ href: aliceActor.id!, name: `@alice@${SKEIN}` })],
    // Fedify runs on the Temporal polyfill; its typings name the standard global.
    published: Polyfill.Now.instant() as unknown as Temporal.Instant,
  });
  peer.notes.set(noteId.href, reply);
  await peer.send(
    "peer",
    aliceActor,
    new Create({ id: new URL(`${noteId.href}/activity`), actor: peerActor, object: reply, to: PUBLIC_COLLECTION, ccs: [followers, aliceActor.id!], published: reply.published }),
  );

  const mention = await eventually(async () => {
    const list = await api("/api/v1/notifications?types[]=mention");
    return list.body?.find((n: any) => n.status?.uri === noteId.href);
  }, 30_000, "the mention notification on Skein");
  assert.equal(mention.type, "mention");
  assert.equal(mention.account.acct, `peer@${PEER}`);
  assert.match(mention.status.content, /Interop works!/);
  assert.equal(mention.status.in_reply_to_id, original.body.id);
  assert.equal(mention.status.visibility, "public");
  assert.deepEqual(mention.status.mentions.map((m: { acct: string }) => m.acct), ["alice"]);

  const context = await api(`/api/v1/statuses/${original.body.id}/context`);
  assert.equal(context.status, 200);
  assert.deepEqual(context.body.descendants.map((s: { uri: string }) => s.uri), [noteId.href]);
  const parent = await api(`/api/v1/statuses/${original.body.id}`);
  assert.equal(parent.body.replies_count, 1);
  const replyContext = await api(`/api/v1/statuses/${mention.status.id}/context`);
  assert.deepEqual(replyContext.body.ancestors.map((s: { id: string }) => s.id), [original.body.id]);
});
