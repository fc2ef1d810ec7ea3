// Object Integrity Proofs (FEP-8b32, eddsa-jcs-2022) on forwarded activities, as Mitra and Fedify
// send them: a Create by an author on one server, with a proof by the author's Ed25519 key (a
// Multikey in the author's actor, assertionMethod), delivered by a third server that HTTP-signs
// it with its own key. Skein takes it as the author's. A proof that fails — the activity changed
// after signing, made with the forwarder's key, or with a key whose own server claims the author
// controls it while the author's actor does not list it — is refused with 401 and leaves no
// trace; so is a forwarded activity with no proof at all. And Skein's own actors publish an
// Ed25519 Multikey, with which the activities they send carry a proof a Fedify server verifies.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { signObject, verifyObject } from "@fedify/fedify";
import { Create, Mention, Multikey, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { draftSigned, rawKey, type RawSigningKey } from "../support/http-signatures.ts";

const SKEIN = "proofs.test";
const AUTHOR_HOST = "author.test";
const RELAY_HOST = "relay.test";
// Reserved for this file: files run side by side.
const SKEIN_ADDRESS = 255;
const AUTHOR_ADDRESS = "127.0.1.1";
const RELAY_ADDRESS = "127.0.1.2";

let fleet: Fleet;
let author: FedifyPeer;
let relay: FedifyPeer;
let carol: TestUser;
let carolActor: Actor;
let relayKey: RawSigningKey;
let contract: ContractLog;

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${SKEIN}${path}`, { ...init, headers: { Authorization: `Bearer ${carol.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** A public Create(Note) by `actor` mentioning carol. */
function mention(actor: URL, label: string): Create {
  const noteId = new URL(`${actor.href}/notes/${crypto.randomUUID()}`);
  const note = new Note({
    id: noteId,
    attribution: actor,
    content: `<p>@carol ${label}</p>`,
    to: PUBLIC_COLLECTION,
    ccs: [carolActor.id!],
    tags: [new Mention({ href: carolActor.id!, name: `@carol@${SKEIN}` })],
    published: Polyfill.Now.instant() as unknown as Temporal.Instant,
  });
  return new Create({ id: new URL(`${noteId.href}/activity`), actor, object: note, to: PUBLIC_COLLECTION, ccs: [carolActor.id!] });
}

/** `create` with a proof by the Ed25519 key of `signer` (a peer and one of its actors), as compact JSON. */
async function proved(create: Create, signer: FedifyPeer, identifier: string): Promise<Record<string, any>> {
  // Named as the actor lists it: the Multikey's id (Fedify's sendActivity does the same).
  const pair = (await signer.context().getActorKeyPairs(identifier)).find((p) => p.privateKey.algorithm.name === "Ed25519")!;
  const signed = await signObject(create, pair.privateKey, pair.multikey.id!, { contextLoader: signer.context().contextLoader });
  return (await signed.toJsonLd({ format: "compact", contextLoader: signer.context().contextLoader })) as Record<string, any>;
}

/** POSTs `json` to Skein's shared inbox, HTTP-signed by the relay (not the activity's actor). */
async function forward(json: object): Promise<{ status: number; text: string }> {
  const response = await fetch(draftSigned(`https://${SKEIN}/inbox`, relayKey, { body: JSON.stringify(json) }));
  return { status: response.status, text: await response.text() };
}

/** The status carol was notified of for the Note `noteUri`, or null. */
async function notified(noteUri: string): Promise<any> {
  const notifications = await api("/api/v1/notifications?types[]=mention&limit=80");
  assert.equal(notifications.status, 200);
  return notifications.body.find((n: any) => n.status?.uri === noteUri)?.status ?? null;
}

const noteOf = (create: Create) => create.objectId!.href;

before(async () => {
  const authorUri = new URL(`https://${AUTHOR_HOST}/users/author`);
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [AUTHOR_HOST]: AUTHOR_ADDRESS, [RELAY_HOST]: RELAY_ADDRESS } });
  contract = installContractCheck(fleet.servers[SKEIN].url);
  author = await startFedifyPeer({ host: AUTHOR_HOST, address: AUTHOR_ADDRESS, tls: fleet.tls, identifiers: ["author"] });
  // The relay's "forger" publishes keys that say the author controls them; the author's actor does not list them.
  relay = await startFedifyPeer({ host: RELAY_HOST, address: RELAY_ADDRESS, tls: fleet.tls, identifiers: ["relay", "forger"], claimedControllers: { forger: authorUri } });
  assert.equal(author.actors.author.uri.href, authorUri.href);
  carol = await signUp(fleet.servers[SKEIN], "carol");
  carolActor = await author.lookup(`carol@${SKEIN}`);
  const key = await relay.signingKey("relay");
  relayKey = rawKey(key.keyId, key.privateKey);
});

after(async () => {
  await relay?.stop();
  await author?.stop();
  await fleet?.stop();
});

test("a forwarded activity with a valid proof by its author is taken as the author's", async () => {
  const create = mention(author.actors.author.uri, "forwarded with the author's proof");
  const json = await proved(create, author, "author");
  assert.equal(json.proof?.cryptosuite, "eddsa-jcs-2022");
  const response = await forward(json);
  assert.ok(response.status >= 200 && response.status < 300, `${response.status} ${response.text}`);
  const status = await eventually(() => notified(noteOf(create)), 20_000, "the forwarded post on Skein");
  assert.equal(status.account.acct, `author@${AUTHOR_HOST}`, "posted as the author, not as the relay");
  assert.equal(status.content.includes("forwarded with the author&#39;s proof") || status.content.includes("forwarded with the author's proof"), true);
});

test("a forwarded activity whose proof fails, or that has none, is refused with 401 and leaves no trace", async () => {
  const refused: string[] = [];
  const expect401 = async (what: string, create: Create, json: object) => {
    const response = await forward(json);
    assert.equal(response.status, 401, `${what}: ${response.text}`);
    refused.push(noteOf(create));
  };
  const authorUri = author.actors.author.uri;

  let create = mention(authorUri, "changed after the proof was made");
  const tampered = await proved(create, author, "author");
  tampered.object.content = "<p>@carol words the author never wrote</p>";
  await expect401("a tampered activity", create, tampered);

  create = mention(authorUri, "proved with the relay's own key");
  await expect401("a proof by the forwarder's key", create, await proved(create, relay, "relay"));

  // The forger's server says its key is the author's (controller); the author's actor does not list it.
  create = mention(authorUri, "proved with a key the author's actor does not list");
  const forgerKey = (await relay.lookup(relay.actors.forger.uri.href)).getAssertionMethods();
  for await (const key of forgerKey) assert.equal((key as Multikey).controllerId?.href, authorUri.href, "the forger's key claims the author");
  await expect401("a proof by a key not the author's", create, await proved(create, relay, "forger"));

  create = mention(authorUri, "forwarded without any proof");
  await expect401("no proof", create, (await create.toJsonLd({ format: "compact" })) as object);

  // A later valid one has arrived: none of the refused ones exists.
  const marker = mention(authorUri, "a valid marker after the refused ones");
  assert.ok((await forward(await proved(marker, author, "author"))).status < 300);
  await eventually(() => notified(noteOf(marker)), 20_000, "the marker on Skein");
  for (const noteUri of refused) {
    assert.equal(await notified(noteUri), null, `${noteUri} was not delivered`);
    assert.deepEqual((await api(`/api/v2/search?type=statuses&resolve=false&q=${encodeURIComponent(noteUri)}`)).body.statuses, []);
  }
});

test("Skein's actors publish an Ed25519 Multikey and their activities carry a proof a Fedify server verifies", async () => {
  const keys: Multikey[] = [];
  for await (const key of carolActor.getAssertionMethods()) keys.push(key);
  const ed25519 = keys.find((k) => k.publicKey?.algorithm.name === "Ed25519");
  assert.ok(ed25519, "carol's actor lists an Ed25519 Multikey");
  assert.equal(ed25519.controllerId?.href, carolActor.id!.href);

  const posted = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: `@author@${AUTHOR_HOST} a proof of mine`, visibility: "public" }) });
  assert.equal(posted.status, 200);
  const received = await eventually(async () => author.received.find((r) => r.type === "Create" && r.object?.id?.href === posted.body.uri), 20_000, "carol's post at the author's server").catch((error) => {
    throw new Error(`${error.message}; received: ${JSON.stringify(author.received.map((r) => [r.type, r.object?.id?.href]))}; posted: ${JSON.stringify(posted.body.mentions)}`);
  });
  const proofs = [];
  for await (const proof of received.activity.getProofs()) proofs.push(proof);
  assert.equal(proofs.length, 1);
  assert.equal(proofs[0].cryptosuite, "eddsa-jcs-2022");
  assert.equal(proofs[0].verificationMethodId?.href, ed25519.id?.href);
  const ctx = author.context();
  const verified = await verifyObject(Create, received.json, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  assert.ok(verified, "the proof verifies against carol's Multikey");
  assert.deepEqual(contract.violations, []);
});
