// Hostile inbox bodies and hostile remote documents (issue 10, defects 1 and 9). Before the inbox
// gate, a deeply nested body was run through JSON-LD before its signature was checked: 1,000
// levels held the whole process 15 s (unsigned, answered 401 in the end) or 31 s (signed by a
// real actor, then accepted). Now such bodies are refused on their text, signed or not, while the
// server keeps answering; bodies that are not an activity, name a context that cannot be loaded,
// or carry a proof whose key cannot be fetched are 4xx, never 500; and documents Skein fetches are
// held to the same bounds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import fs from "node:fs";
import { signRequest } from "@fedify/fedify";
import { startFleet, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";

const SKEIN = "skein.test";
const PEER = "fedify.test";
const HOSTILE = "hostile.test";
// Distinct from the addresses other federation test files use, since files run side by side.
const SKEIN_ADDRESS = 80;
const PEER_ADDRESS = "127.0.0.81";
const HOSTILE_ADDRESS = "127.0.0.82";
const AS = "https://www.w3.org/ns/activitystreams";

let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
let peerKey: { keyId: URL; privateKey: CryptoKey };
let hostile: https.Server;
/** Documents the hostile server serves, by path; every request it gets is counted by path. */
const documents = new Map<string, string>();
const hostileHits = new Map<string, number>();

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS, [HOSTILE]: HOSTILE_ADDRESS } });
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls });
  alice = await signUp(fleet.servers[SKEIN], "alice");
  peerKey = await peer.signingKey("peer");
  hostile = https.createServer({ cert: fs.readFileSync(fleet.tls.cert), key: fs.readFileSync(fleet.tls.key) }, (req, res) => {
    const path = new URL(req.url ?? "/", `https://${HOSTILE}`).pathname;
    hostileHits.set(path, (hostileHits.get(path) ?? 0) + 1);
    const body = documents.get(path);
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "application/activity+json" }).end(body);
  });
  await new Promise<void>((resolve) => hostile.listen(443, HOSTILE_ADDRESS, resolve));
});

after(async () => {
  hostile?.closeAllConnections();
  await new Promise<void>((resolve) => (hostile ? hostile.close(() => resolve()) : resolve()));
  await peer?.stop();
  await fleet?.stop();
});

/** A Create by the peer whose Note replies to a Note that replies to … `levels` deep. */
function nestedCreate(levels: number): string {
  const id = peer.newId("peer", "notes").href;
  const inner = `{"type":"Note","content":"deep","inReplyTo":`.repeat(levels) + `"${id}"` + "}".repeat(levels);
  return `{"@context":"${AS}","id":"${id}/activity","type":"Create","actor":"${peer.actors.peer.uri.href}","to":"${AS}#Public","object":{"id":"${id}","type":"Note","attributedTo":"${peer.actors.peer.uri.href}","content":"top","to":"${AS}#Public","inReplyTo":${inner}}}`;
}

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request(`https://${SKEIN}/inbox`, { method: "POST", headers: { "Content-Type": "application/activity+json", ...headers }, body });
}

const signed = (body: string) => signRequest(post(body), peerKey.privateKey, peerKey.keyId);

async function send(request: Request | Promise<Request>): Promise<{ status: number; text: string }> {
  const response = await fetch(await request);
  return { status: response.status, text: await response.text() };
}

/** Time for /health to answer, in ms. */
async function healthLatency(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`https://${SKEIN}/health`);
  assert.equal(response.status, 200);
  await response.text();
  return performance.now() - started;
}

test("a deeply nested activity signed by a real actor is refused with 400, and the server answers throughout", async () => {
  // 1,000 levels, ~60 KB: before the gate, accepted with 202 after ~30 s of JSON-LD work.
  const results = await Promise.all([send(signed(nestedCreate(1_000))), send(signed(nestedCreate(30))), healthLatency()]);
  for (const result of results.slice(0, 2) as Array<{ status: number; text: string }>) {
    assert.equal(result.status, 400, result.text);
    assert.match(JSON.parse(result.text).error, /nests deeper than/);
  }
  // The same shape within the bounds is an ordinary activity.
  assert.equal((await send(signed(nestedCreate(3)))).status, 202);
  // At the bounds (about 500 objects, 21 levels), a real activity is still accepted.
  const heavyId = peer.newId("peer", "notes").href;
  let reply: unknown = heavyId;
  for (let i = 0; i < 18; i++) reply = { type: "Note", content: "deep", inReplyTo: reply };
  const mentions = Array.from({ length: 470 }, (_, i) => ({ type: "Mention", href: `https://fedify.test/users/u${i}`, name: `@u${i}@fedify.test` }));
  const heavy = JSON.stringify({ "@context": AS, id: `${heavyId}/activity`, type: "Create", actor: peer.actors.peer.uri.href, to: `${AS}#Public`, object: { id: heavyId, type: "Note", attributedTo: peer.actors.peer.uri.href, content: "heavy", to: `${AS}#Public`, inReplyTo: reply, tag: mentions } });
  const atBounds = await send(signed(heavy));
  assert.equal(atBounds.status, 202, atBounds.text);
});

test("unsigned hostile bodies are refused without reading them as JSON-LD, and /health keeps answering", async () => {
  const deep = nestedCreate(15_000); // ~1 MB
  const inFlight = Array.from({ length: 6 }, () => send(post(deep)));
  const health = await healthLatency();
  for (const result of await Promise.all(inFlight)) assert.equal(result.status, 401, result.text);
  // Before the gate /health stalled 15 s and more behind one such body; now it waits for nothing.
  assert.ok(health < 5_000, `/health answered in ${Math.round(health)} ms while hostile bodies arrived`);
  // With a junk signature the text is checked first, and the body refused for its shape.
  const junk = await send(post(deep, { Signature: 'keyId="https://fedify.test/users/peer#main-key",headers="(request-target)",signature="AAAA"' }));
  assert.equal(junk.status, 400, junk.text);
});

test("too many objects, too many values and NUL characters are refused in signed activities", async () => {
  const many = (count: number, item: string) => `{"@context":"${AS}","id":"${peer.newId("peer", "notes").href}","type":"Create","actor":"${peer.actors.peer.uri.href}","object":[${Array(count).fill(item).join(",")}]}`;
  const objects = await send(signed(many(1_500, `{"type":"Note"}`)));
  assert.equal(objects.status, 400, objects.text);
  assert.match(JSON.parse(objects.text).error, /more than 500 objects/);
  const values = await send(signed(many(25_000, "1")));
  assert.equal(values.status, 400, values.text);
  assert.match(JSON.parse(values.text).error, /more than 20000 values/);
  const nul = await send(signed(nestedCreate(1).replace('"content":"top"', '"content":"t\\u0000p"')));
  assert.equal(nul.status, 400, nul.text);
  assert.match(JSON.parse(nul.text).error, /NUL/);
});

test("bodies that are not an activity are 400, an unloadable context or proof key never a 500", async () => {
  for (const body of ['"x"', "[]", "null", "12", "{not json"]) {
    const result = await send(signed(body));
    assert.equal(result.status, 400, `${body}: ${result.text}`);
  }
  const id = peer.newId("peer", "notes").href;
  const actor = peer.actors.peer.uri.href;
  // A context on a server that answers 404: the activity cannot be understood.
  const unloadable = `{"@context":["${AS}","https://${HOSTILE}/missing-context"],"id":"${id}","type":"Create","actor":"${actor}","object":{"id":"${id}/note","type":"Note","content":"x","attributedTo":"${actor}"}}`;
  const context = await send(signed(unloadable));
  assert.ok(context.status >= 400 && context.status < 500, `unloadable context: ${context.status} ${context.text}`);
  assert.ok((hostileHits.get("/missing-context") ?? 0) >= 1, "the context was looked for");
  // A proof whose key is on a server that answers 404, unsigned otherwise: refused as unsigned.
  const proof = `{"@context":["${AS}","https://w3id.org/security/data-integrity/v1"],"id":"${id}/2","type":"Create","actor":"${actor}","object":"${id}/note","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","verificationMethod":"https://${HOSTILE}/missing-key#key","proofPurpose":"assertionMethod","proofValue":"z3FXQ","created":"2026-01-01T00:00:00Z"}}`;
  assert.equal((await send(post(proof))).status, 401);
  // The same, HTTP-signed by the actor: the signature stands; the bad proof changes nothing.
  const both = await send(signed(proof));
  assert.ok(both.status >= 200 && both.status < 300, `signed, with an unverifiable proof: ${both.status} ${both.text}`);
  // A signature value that is not base64, naming a real key: Fedify throws on it (it was a 500).
  const junkValue = await signRequest(post(nestedCreate(1)), peerKey.privateKey, peerKey.keyId, { spec: "draft-cavage-http-signatures-12" });
  const headers = new Headers(junkValue.headers);
  headers.set("Signature", (headers.get("Signature") ?? "").replace(/signature="[^"]*"/, 'signature="!!!"'));
  const notBase64 = await send(new Request(junkValue.url, { method: "POST", headers, body: await junkValue.text() }));
  assert.equal(notBase64.status, 401, notBase64.text);
  // Thousands of contexts, each resolved and merged by JSON-LD: refused before any of that.
  const contexts = await send(signed(nestedCreate(1).replace(`"@context":"${AS}"`, `"@context":${JSON.stringify(Array(5_000).fill(AS))}`)));
  assert.equal(contexts.status, 400, contexts.text);
  assert.match(JSON.parse(contexts.text).error, /more than 32 contexts/);
  // A signature whose key cannot be fetched.
  const missingKey = await send(signRequest(post(nestedCreate(1)), peerKey.privateKey, new URL(`https://${HOSTILE}/missing-key#key`)));
  assert.equal(missingKey.status, 401, missingKey.text);
});

test("remote documents Skein fetches are held to the same bounds: a deeply nested post or actor is not stored", async () => {
  const deepNote = `{"@context":"${AS}","id":"https://${HOSTILE}/notes/deep","type":"Note","attributedTo":"https://${HOSTILE}/users/deep","content":"deep","inReplyTo":${`{"type":"Note","inReplyTo":`.repeat(2_000)}null${"}".repeat(2_000)}}`;
  documents.set("/notes/deep", deepNote);
  const search = await fetch(`https://${SKEIN}/api/v2/search?resolve=true&type=statuses&q=${encodeURIComponent(`https://${HOSTILE}/notes/deep`)}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(search.status, 200);
  assert.deepEqual((await search.json()).statuses, []);
  assert.ok((hostileHits.get("/notes/deep") ?? 0) >= 1, "the post was fetched");

  const nulActor = JSON.stringify({ "@context": AS, id: `https://${HOSTILE}/users/nul`, type: "Person", preferredUsername: "nul", name: "a\u0000b", inbox: `https://${HOSTILE}/users/nul/inbox` });
  documents.set("/users/nul", nulActor);
  const lookup = await fetch(`https://${SKEIN}/api/v2/search?resolve=true&type=accounts&q=${encodeURIComponent(`https://${HOSTILE}/users/nul`)}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(lookup.status, 200);
  assert.deepEqual((await lookup.json()).accounts, []);
  assert.ok((hostileHits.get("/users/nul") ?? 0) >= 1, "the actor was fetched");
  assert.ok((await healthLatency()) < 5_000);
});
