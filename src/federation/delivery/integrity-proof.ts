// An Object Integrity Proof (FEP-8b32, cryptosuite eddsa-jcs-2022) over an activity's compact
// JSON, made here rather than by Fedify's signObject. signObject compacts the activity itself,
// then — because Fedify's compaction writes the public audience as "as:Public" and its context
// carries inline terms — checks by two RDF canonicalizations that spelling it out changes nothing;
// the signed object then had to be compacted again to be sent. Three JSON-LD passes a post, ~5 ms
// of the ~10 ms a public post's body cost (docs/PERFORMANCE.md, "sustained"). Here the body is
// compacted once (activity-body.ts), the audience is spelled out by us (the context is ours, so
// we know "as:" means ActivityStreams), and the proof signs those very bytes' JSON Canonical
// form. Verifiers (Fedify's verifyProof) rebuild the same two hashes from what they receive.
import { webcrypto } from "node:crypto";

export interface IntegrityProof {
  type: "DataIntegrityProof";
  cryptosuite: "eddsa-jcs-2022";
  verificationMethod: string;
  proofPurpose: "assertionMethod";
  proofValue: string;
  created: string;
}

/**
 * The proof of `document` (compact JSON-LD with its "@context", no proof yet) by `privateKey`
 * (Ed25519), named as `keyId` (the Multikey as the actor lists it). `created` is written to the
 * second: a verifier reads it back as an instant and writes it again, and a fraction of zeros
 * would not survive that (".000Z" comes back as "Z").
 */
export async function integrityProof(document: Record<string, unknown>, privateKey: CryptoKey, keyId: string, created = new Date()): Promise<IntegrityProof> {
  const config = {
    type: "DataIntegrityProof" as const,
    cryptosuite: "eddsa-jcs-2022" as const,
    verificationMethod: keyId,
    proofPurpose: "assertionMethod" as const,
    created: created.toISOString().replace(/\.\d+Z$/, "Z"),
  };
  const encoder = new TextEncoder();
  const [configHash, documentHash] = await Promise.all([
    webcrypto.subtle.digest("SHA-256", encoder.encode(canonicalJson({ "@context": document["@context"], ...config }))),
    webcrypto.subtle.digest("SHA-256", encoder.encode(canonicalJson(document))),
  ]);
  const signed = new Uint8Array(64);
  signed.set(new Uint8Array(configHash), 0);
  signed.set(new Uint8Array(documentHash), 32);
  const signature = new Uint8Array(await webcrypto.subtle.sign("Ed25519", privateKey, signed));
  return { ...config, proofValue: `z${base58btc(signature)}` };
}

/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by their names' UTF-16 code
 * units (JavaScript's own string order), no whitespace, and numbers and strings as
 * ECMAScript's JSON.stringify writes them — which is what the RFC specifies.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("JSON has no infinite or NaN numbers");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(",")}}`;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58 in Bitcoin's alphabet, as multibase's "z" prefix names it. */
export function base58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (const byte of bytes.subarray(zeros)) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return "1".repeat(zeros) + digits.reverse().map((d) => BASE58[d]).join("");
}
