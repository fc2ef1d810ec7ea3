// The fan-out benchmark's fleet checks every delivery's signature with its own node:crypto code
// (bench/fleet/verify.ts); here that code must accept what Fedify signs, in both specifications,
// and refuse what has been tampered with.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyObject } from "node:crypto";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { publishedKeys, verifyDelivery, type IncomingDelivery } from "../../bench/fleet/verify.ts";

const ACTOR = "https://skein.test/users/alice";
const KEY_ID = `${ACTOR}#main-key`;

async function signed(spec: "rfc9421" | "draft-cavage-http-signatures-12", privateKey: CryptoKey, body = '{"id":"https://skein.test/1","actor":"https://skein.test/users/alice"}'): Promise<IncomingDelivery> {
  const request = new Request("https://d1.fleet.test:8443/inbox", { method: "POST", headers: { "Content-Type": "application/activity+json" }, body });
  const out = await signRequest(request, privateKey, new URL(KEY_ID), { spec });
  const headers: Record<string, string> = {};
  for (const [name, value] of out.headers) headers[name.toLowerCase()] = value;
  return { method: "POST", url: new URL(out.url), headers, body: Buffer.from(await out.arrayBuffer()) };
}

test("the fleet's verifier accepts Fedify's RFC 9421 and draft-cavage signatures, and refuses tampering", async () => {
  const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const other = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const pem = KeyObject.from(pair.publicKey).export({ type: "spki", format: "pem" }) as string;
  const keys = publishedKeys(async (url) => (url === ACTOR ? { id: ACTOR, publicKey: { id: KEY_ID, owner: ACTOR, publicKeyPem: pem } } : null));

  for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"] as const) {
    const good = await signed(spec, pair.privateKey);
    const result = await verifyDelivery(good, keys.source);
    assert.ok(result.ok, `${spec}: ${JSON.stringify(result)}`);
    assert.equal(result.owner, ACTOR);

    const changedBody = { ...good, body: Buffer.from('{"id":"https://skein.test/2"}') };
    assert.equal((await verifyDelivery(changedBody, keys.source)).ok, false, `${spec}: a changed body`);

    const otherHost = { ...good, url: new URL("https://d2.fleet.test:8443/inbox"), headers: { ...good.headers, host: "d2.fleet.test:8443" } };
    assert.equal((await verifyDelivery(otherHost, keys.source)).ok, false, `${spec}: replayed to another instance`);

    const forged = await signed(spec, other.privateKey);
    assert.equal((await verifyDelivery(forged, keys.source)).ok, false, `${spec}: signed with another key`);

    assert.equal((await verifyDelivery(good, keys.source, Date.now() + 2 * 3600_000)).ok, false, `${spec}: two hours later`);
  }
  assert.equal(keys.fetches(), 1, "the key is fetched once");
  const unsigned = await verifyDelivery({ method: "POST", url: new URL("https://d1.fleet.test/inbox"), headers: {}, body: Buffer.from("{}") }, keys.source);
  assert.deepEqual(unsigned, { ok: false, spec: null, reason: "unsigned" });
});
