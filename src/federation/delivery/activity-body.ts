// The body of an outgoing activity, made once however many inboxes it goes to: compact JSON-LD
// with an Object Integrity Proof (Ed25519, FEP-8b32) and — for public activities only — a Linked
// Data Signature (RSA), which lets relays and servers that receive it second-hand trust it.
// Private activities carry no LD signature, as on Mastodon: a signed copy could be passed on
// beyond its audience and still look authentic. The activity is compacted once; the proof signs
// that JSON (integrity-proof.ts), and only the LD signature still canonicalizes it as RDF.
import { signJsonLd, type Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { outgoingContext } from "../../convert/activitypub/attachments.ts";
import { integrityProof } from "./integrity-proof.ts";

const logger = getLogger(["skein", "federation", "delivery"]);
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const AUDIENCE_FIELDS = ["to", "cc", "bto", "bcc", "audience"];

/** Spells the public collection out in full (Fedify compacts it to "as:Public", which some servers do not read). */
function spellOutPublic(node: Record<string, unknown>): boolean {
  let isPublic = false;
  for (const field of AUDIENCE_FIELDS) {
    const value = node[field];
    if (value === "as:Public" || value === "Public" || value === PUBLIC) {
      node[field] = PUBLIC;
      isPublic = true;
    } else if (Array.isArray(value)) {
      node[field] = value.map((v) => (v === "as:Public" || v === "Public" ? PUBLIC : v));
      if ((node[field] as unknown[]).includes(PUBLIC)) isPublic = true;
    }
  }
  return isPublic;
}

/**
 * A post's attachments as an array even when there is one, as Mastodon sends them: compaction
 * makes a single value a scalar, which some servers (Pixelfed) do not read as a list.
 */
function attachmentsAsArray(object: Record<string, unknown>): void {
  if (object.attachment !== undefined && !Array.isArray(object.attachment)) object.attachment = [object.attachment];
}

export async function signedActivityBody(ctx: Context<void>, identifier: string, activity: Activity): Promise<string> {
  const keys = await ctx.getActorKeyPairs(identifier);
  const rsa = keys.find((k) => k.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5");
  const ed25519 = keys.find((k) => k.privateKey.algorithm.name === "Ed25519");
  const contextLoader = ctx.contextLoader;
  // A post with media is compacted with Mastodon's media terms (blurhash, focalPoint) defined, in the proof too.
  const context = await outgoingContext(activity);
  let json = (await activity.toJsonLd({ format: "compact", contextLoader, context })) as Record<string, unknown>;
  let isPublic = spellOutPublic(json);
  // The post a Create or Update embeds (other activities name their object by its id).
  const object = json.object && typeof json.object === "object" && !Array.isArray(json.object) ? (json.object as Record<string, unknown>) : null;
  if (object) {
    isPublic = spellOutPublic(object) || isPublic;
    attachmentsAsArray(object);
  }
  // The proof names the key as the actor lists it (assertionMethod: the Multikey's id, #multikey-2),
  // not the pair's CryptographicKey id (#key-2), which no verifier finds among its Multikeys.
  if (ed25519) json = { ...json, proof: await integrityProof(json, ed25519.privateKey, (ed25519.multikey.id ?? ed25519.keyId).href) };
  if (rsa && isPublic) {
    try {
      json = (await signJsonLd(json, rsa.privateKey, rsa.keyId, { contextLoader })) as Record<string, unknown>;
    } catch (error) {
      logger.warn("No Linked Data signature for {id}: {error}", { id: activity.id?.href, error });
    }
  }
  return JSON.stringify(json);
}
