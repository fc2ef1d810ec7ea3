// A handle that reappears under a new actor URI (the server re-created the account, or changed
// its URI scheme): Skein moves the account it knows to the new URI once WebFinger on the handle's
// server confirms it — keeping its id, posts and follows — and refuses an actor that merely
// claims a taken handle.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";

const A = "a.test";
const PEER = "m.test";
let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
const contracts: ContractLog[] = [];

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${A}${path}`, { ...init, headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** `identifier` posts `text` to alice (a mention delivered to her inbox). */
async function postAs(identifier: string, text: string): Promise<URL> {
  const id = peer.newId(identifier, "notes");
  const aliceActor = await peer.lookup(`alice@${A}`);
  const note = new Note({ id, attribution: peer.actors[identifier].uri, content: `<p>${text}</p>`, to: PUBLIC_COLLECTION, ccs: [aliceActor.id!], published: Polyfill.Now.instant() as unknown as Temporal.Instant });
  peer.notes.set(id.href, note);
  await peer.send(identifier, aliceActor, new Create({ id: new URL(`${id.href}/activity`), actor: peer.actors[identifier].uri, object: note, to: PUBLIC_COLLECTION, ccs: [aliceActor.id!] }));
  return id;
}

async function statusOn(uri: string) {
  const found = await api(`/api/v2/search?resolve=false&type=statuses&q=${encodeURIComponent(uri)}`);
  return found.body?.statuses?.[0];
}

before(async () => {
  fleet = await startFleet([A], { firstAddress: 124, extraHosts: { [PEER]: "127.0.0.125" } });
  contracts.push(installContractCheck(fleet.servers[A].url));
  peer = await startFedifyPeer({ host: PEER, address: "127.0.0.125", tls: fleet.tls, identifiers: ["v1", "v2", "impostor", "dora"] });
  peer.handles.set("carl", "v1");
  alice = await signUp(fleet.servers[A], "alice");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await peer?.stop();
  await fleet?.stop();
});

test("a re-created account moves to its new URI once WebFinger says so; an impostor is refused", async () => {
  const known = await api(`/api/v1/accounts/lookup?acct=carl@${PEER}`);
  assert.equal(known.status, 200);
  assert.equal((await api(`/api/v1/accounts/${known.body.id}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(`/api/v1/accounts/relationships?id[]=${known.body.id}`)).body[0]?.following, 20_000, "carl accepted");

  // The server re-creates carl as another actor; WebFinger now names it.
  peer.handles.set("carl", "v2");
  const fromNewUri = await postAs("v2", "Same carl, new actor");
  const moved = await eventually(() => statusOn(fromNewUri.href), 20_000, "the post of carl's new actor on a.test");
  assert.equal(moved.account.id, known.body.id, "the same account, moved to the new URI");
  assert.equal(moved.account.acct, `carl@${PEER}`);
  const relationship = (await api(`/api/v1/accounts/relationships?id[]=${known.body.id}`)).body[0];
  assert.equal(relationship.following, true, "the follow is kept");

  // Another actor whose document claims the handle while WebFinger names v2 is refused.
  peer.claimedUsernames.set("impostor", "carl");
  const claim = await postAs("impostor", "I am carl too");
  const later = await postAs("v2", "Still carl");
  await eventually(() => statusOn(later.href), 20_000, "carl's later post");
  assert.equal(await statusOn(claim.href), undefined);
});

test("a sender whose profile is more than a day old is fetched again when it sends something", async () => {
  const dora = await api(`/api/v1/accounts/lookup?acct=dora@${PEER}`);
  assert.equal(dora.body.display_name, "Fedify dora");
  // Two days pass; meanwhile dora renamed herself without sending an Update.
  await queryRows(fleet.servers[A], "update accounts set fetched_at = ? where id = ?", [new Date(Date.now() - 2 * 86400_000).toISOString(), dora.body.id]);
  peer.displayNames.set("dora", "Dora, renamed");
  const post = await postAs("dora", "Hello again");
  await eventually(() => statusOn(post.href), 20_000, "dora's post");
  await eventually(async () => (await api(`/api/v1/accounts/${dora.body.id}`)).body.display_name === "Dora, renamed", 20_000, "dora's profile fetched again");
});
