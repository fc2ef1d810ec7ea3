// Skein's own Object Integrity Proofs (federation/delivery/integrity-proof.ts): over the body it
// compacted once, the very signature Fedify's createProof makes of the same activity (Ed25519
// signs deterministically, so the bytes must be equal), for a plain public post and for one with
// media, whose context carries Mastodon's terms inline; and JSON canonicalization as RFC 8785
// spells it out.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { createProof, generateCryptoKeyPair } from "@fedify/fedify";
import { Create, Hashtag, PUBLIC_COLLECTION, type Activity } from "@fedify/vocab";
import { base58btc, canonicalJson, integrityProof } from "../../src/federation/delivery/integrity-proof.ts";
import { MediaNote, outgoingContext, toDocument } from "../../src/convert/activitypub/attachments.ts";

const ALICE = new URL("https://a.example/users/alice");
const KEY_ID = new URL("https://a.example/users/alice#multikey-2");
const CREATED = "2026-12-02T06:00:00Z";

function post(withMedia: boolean): Create {
  const id = new URL(`https://a.example/users/alice/statuses/${withMedia ? 2 : 1}`);
  const note = new MediaNote({
    id,
    attribution: ALICE,
    to: PUBLIC_COLLECTION,
    ccs: [new URL(`${ALICE.href}/followers`)],
    content: "<p>Hello #fediverse, « naïve » 😀</p>",
    tags: [new Hashtag({ href: new URL("https://a.example/tags/fediverse"), name: "#fediverse" })],
    attachments: withMedia ? [toDocument({ url: "https://a.example/media/1.webp", mediaType: "image/webp", description: "a cat", blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj", focus: { x: 0.5, y: -0.25 }, width: 1600, height: 1200 })] : [],
  });
  return new Create({ id: new URL(`${id.href}/activity`), actor: ALICE, to: PUBLIC_COLLECTION, ccs: [new URL(`${ALICE.href}/followers`)], object: note });
}

/** The body as activity-body.ts compacts and normalizes it, before the proof. */
async function compacted(activity: Activity): Promise<Record<string, unknown>> {
  const json = (await activity.toJsonLd({ format: "compact", context: await outgoingContext(activity) })) as Record<string, unknown>;
  const spell = (node: Record<string, unknown>) => {
    for (const field of ["to", "cc"]) if (node[field] === "as:Public") node[field] = PUBLIC_COLLECTION.href;
  };
  spell(json);
  const object = json.object as Record<string, unknown>;
  spell(object);
  if (object.attachment !== undefined && !Array.isArray(object.attachment)) object.attachment = [object.attachment];
  return json;
}

for (const withMedia of [false, true]) {
  test(`the proof of a public post${withMedia ? " with media (Mastodon's terms inline in its context)" : ""} is the one Fedify's createProof makes`, async () => {
    const { privateKey } = await generateCryptoKeyPair("Ed25519");
    const activity = post(withMedia);
    const json = await compacted(activity);
    if (withMedia) assert.equal(((json.object as { attachment: { blurhash: string }[] }).attachment[0]).blurhash, "LEHV6nWB2yk8pyo0adR*.7kCMdnj");
    const ours = await integrityProof(json, privateKey, KEY_ID.href, new Date(CREATED));
    const context = await outgoingContext(activity);
    const fedify = await createProof(activity, privateKey, KEY_ID, { context, created: Polyfill.Instant.from(CREATED) as unknown as Temporal.Instant });
    assert.deepEqual(
      { ...ours, proofValue: undefined },
      { type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", verificationMethod: KEY_ID.href, proofPurpose: "assertionMethod", created: CREATED, proofValue: undefined },
    );
    assert.equal(ours.proofValue, `z${base58btc(fedify.proofValue!)}`, "the same signature");
    // Anything changed after signing, and it is another signature.
    const changed = await integrityProof({ ...json, id: `${json.id}#x` }, privateKey, KEY_ID.href, new Date(CREATED));
    assert.notEqual(changed.proofValue, ours.proofValue);
  });
}

test("a proof's time is written to the second, which a verifier writes back the same", async () => {
  const { privateKey } = await generateCryptoKeyPair("Ed25519");
  const proof = await integrityProof({ "@context": "https://www.w3.org/ns/activitystreams", type: "Note" }, privateKey, KEY_ID.href, new Date("2026-12-02T06:00:00.000Z"));
  assert.equal(proof.created, "2026-12-02T06:00:00Z");
  assert.equal(Polyfill.Instant.from(proof.created).toString(), proof.created);
});

test("JSON is canonicalized as RFC 8785 says (its §3.2.2 example), and base58 as Bitcoin's alphabet", () => {
  const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
  assert.equal(canonicalJson(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  // Members sorted by UTF-16 code units, not by code points (RFC 8785 §3.2.3).
  assert.equal(canonicalJson({ "\u{1F600}": 1, "\uFB33": 2, b: [{ z: 1, a: 2 }] }), '{"b":[{"a":2,"z":1}],"\u{1F600}":1,"\uFB33":2}');
  assert.equal(base58btc(new TextEncoder().encode("Hello World!")), "2NEpo7TZRRrLZSi2U");
  assert.equal(base58btc(new Uint8Array([0, 0, 1])), "112");
});
