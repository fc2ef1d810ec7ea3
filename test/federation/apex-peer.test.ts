// Skein beside an ActivityPub server built on another implementation: activitypub-express (apex,
// test/support/apex-peer.ts), with its own signatures and JSON-LD processing — so a mistake Skein
// shares with Fedify (the library on both sides of the other federation tests) would show here.
// Both directions: apex follows a Skein account and receives its public and followers-only posts,
// a reply, a favourite and a boost; Skein follows apex's actor and receives its posts, mention,
// like and boost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startApexPeer, type ApexPeer, type ApexReceived } from "../support/apex-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

const SKEIN = "a.test";
const APEX = "apex.test";
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
let fleet: Fleet;
let apex: ApexPeer;
let alice: TestUser;
let aliceUri: string;
let peerUri: string;
const contracts: ContractLog[] = [];

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${SKEIN}${path}`, { ...init, headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** What apex received of `type` that mentions `uri` anywhere (apex compacts values into arrays). */
async function receivedOf(type: string, uri: string): Promise<ApexReceived | undefined> {
  return (await apex.received()).find((r) => r.activity.type === type && JSON.stringify(r.activity).includes(uri));
}

async function homeStatus(pattern: RegExp) {
  return ((await api("/api/v1/timelines/home")).body as any[]).find((s) => pattern.test(s.content));
}

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: 126, extraHosts: { [APEX]: "127.0.0.127" } });
  contracts.push(installContractCheck(fleet.servers[SKEIN].url));
  apex = await startApexPeer({ host: APEX, address: "127.0.0.127", tls: fleet.tls, hosts: { [SKEIN]: "127.0.0.126" } });
  peerUri = await apex.createActor("peer");
  alice = await signUp(fleet.servers[SKEIN], "alice");
  aliceUri = `https://${SKEIN}/users/alice`;
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await apex?.stop();
  await fleet?.stop();
});

test("apex follows a Skein account and receives its public and followers-only posts", async () => {
  await apex.outbox("peer", { type: "Follow", object: aliceUri, to: aliceUri });
  await eventually(async () => (await apex.received()).some((r) => r.activity.type === "Accept"), 20_000, "Skein's Accept at apex");
  const followers = await eventually(async () => {
    const list = (await api(`/api/v1/accounts/${alice.id}/followers`)).body as { acct: string }[];
    return list.length ? list : null;
  }, 20_000, "apex's actor among alice's followers");
  assert.deepEqual(followers.map((a) => a.acct), [`peer@${APEX}`]);

  const open = (await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Hello apex #interop" }) })).body;
  const create = await eventually(() => receivedOf("Create", open.uri), 20_000, "the public post at apex");
  assert.ok(JSON.stringify(create.activity.to ?? []).includes("Public"), "addressed to the public");

  const closed = (await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "For followers", visibility: "private" }) })).body;
  const privateCreate = await eventually(() => receivedOf("Create", closed.uri), 20_000, "the followers-only post at apex");
  const audience = JSON.stringify([privateCreate.activity.to, privateCreate.activity.cc]);
  assert.ok(audience.includes(`${aliceUri}/followers`) && !audience.includes("Public"), `addressed to followers only: ${audience}`);
});

test("Skein follows apex's actor and receives its posts, then replies, favourites and boosts them", async () => {
  const found = await api(`/api/v2/search?q=${encodeURIComponent(`peer@${APEX}`)}&resolve=true&type=accounts`);
  const peerId = found.body.accounts[0]?.id;
  assert.ok(peerId, "apex's actor found through WebFinger");
  assert.equal((await api(`/api/v1/accounts/${peerId}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(`/api/v1/accounts/relationships?id[]=${peerId}`)).body[0]?.following, 20_000, "apex accepted");

  await apex.outbox("peer", { type: "Create", to: [PUBLIC], cc: [`${peerUri}/followers`], object: { type: "Note", content: "<p>hello from apex</p>", attributedTo: peerUri, to: [PUBLIC], cc: [`${peerUri}/followers`] } });
  const note = await eventually(() => homeStatus(/hello from apex/), 20_000, "apex's public post in alice's home");
  assert.equal(note.visibility, "public");
  assert.equal(note.account.acct, `peer@${APEX}`);
  await apex.outbox("peer", { type: "Create", to: [`${peerUri}/followers`], object: { type: "Note", content: "<p>apex, followers only</p>", attributedTo: peerUri, to: [`${peerUri}/followers`] } });
  assert.equal((await eventually(() => homeStatus(/apex, followers only/), 20_000, "apex's followers-only post")).visibility, "private");

  const reply = (await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: `@peer@${APEX} nice one`, in_reply_to_id: note.id }) })).body;
  assert.equal((await api(`/api/v1/statuses/${note.id}/favourite`, { method: "POST" })).status, 200);
  assert.equal((await api(`/api/v1/statuses/${note.id}/reblog`, { method: "POST" })).status, 200);
  const replied = await eventually(() => receivedOf("Create", reply.uri), 20_000, "the reply at apex");
  assert.ok(JSON.stringify(replied.activity).includes(note.uri), "the reply names apex's note");
  assert.ok(await eventually(() => receivedOf("Like", note.uri), 20_000, "the favourite at apex"));
  assert.ok(await eventually(() => receivedOf("Announce", note.uri), 20_000, "the boost at apex"));
});

test("apex's reply with a mention, favourite and boost reach alice as notifications", async () => {
  const post = (await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Anyone from apex?" }) })).body;
  await apex.outbox("peer", {
    type: "Create", to: [PUBLIC], cc: [aliceUri],
    object: { type: "Note", content: `<p><a href="${aliceUri}">@alice</a> reply from apex</p>`, inReplyTo: post.uri, attributedTo: peerUri, to: [PUBLIC], cc: [aliceUri], tag: [{ type: "Mention", href: aliceUri, name: `@alice@${SKEIN}` }] },
  });
  const mention = await eventually(async () => ((await api("/api/v1/notifications?types[]=mention")).body as any[]).find((n) => /reply from apex/.test(n.status?.content)), 20_000, "the mention");
  assert.equal(mention.status.in_reply_to_id, post.id);

  await apex.send("peer", { type: "Like", object: post.uri, to: aliceUri });
  await apex.send("peer", { type: "Announce", object: post.uri, to: [PUBLIC], cc: [aliceUri, `${peerUri}/followers`] });
  const types = await eventually(async () => {
    const list = ((await api("/api/v1/notifications")).body as any[]).filter((n) => n.status?.id === post.id).map((n) => n.type);
    return list.includes("favourite") && list.includes("reblog") ? list : null;
  }, 20_000, "favourite and reblog notifications");
  assert.ok(types.every((t: string) => t === "favourite" || t === "reblog"));
});
