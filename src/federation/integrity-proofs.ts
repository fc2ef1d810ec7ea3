// Object Integrity Proofs (FEP-8b32, `eddsa-jcs-2022`) on activities a third server forwards —
// a relay, or the server of a thread's author passing a reply on to the thread's audience. The
// HTTP signature is then the forwarder's, not the author's, and only the author's proof can say
// the activity is theirs. Fedify verifies the proof (verifyObject: the signature over the JCS
// form, by an Ed25519 Multikey), but takes the key's owner from the key's own `controller` —
// which is whatever the server serving the key says. A server could thus publish a key of its
// own naming someone else as controller, and sign activities in that someone's name.
//
// The rule added here, after FEP-521a (an actor's keys are those its own document lists): the
// key of every proof on a forwarded activity must be listed in the author's actor document
// (`assertionMethod`), fetched from the author's id.
// Activities HTTP-signed by their own actor do not need the proof and are not checked.
import type { DocumentLoader } from "@fedify/fedify";
import { Activity, isActor, Object as APObject } from "@fedify/vocab";

export interface ProofLoaders {
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
}

/** At most this many proofs are looked at on one activity; more is refused. */
const MAX_PROOFS = 4;

/**
 * Why a forwarded activity's proof cannot be the author's (a sentence for the 401), or null when
 * every proof's key is one the author's actor lists — or there are no proofs (Fedify then falls
 * back on the HTTP signature, whose signer must be the actor).
 */
export async function forwardedProofRefusal(json: object, actor: URL | null, loaders: ProofLoaders): Promise<string | null> {
  // Read strictly: a proof this check could not see must not be one Fedify goes on to accept. A
  // body that cannot be read here and names no proof at all is left to Fedify (which reads some
  // contexts more leniently, and checks Linked Data Signatures itself).
  const methods: string[] = [];
  try {
    const activity = await Activity.fromJsonLd(json, loaders);
    for await (const proof of activity.getProofs(loaders)) {
      if (methods.length >= MAX_PROOFS) return "it carries too many proofs";
      methods.push(proof.verificationMethodId?.href ?? "");
    }
  } catch {
    return JSON.stringify(json).includes("proof") ? "its proofs cannot be read" : null;
  }
  if (methods.length === 0) return null;
  if (!actor) return "its proof names no actor";
  const listed = await assertionMethodsOf(actor, loaders);
  if (listed === null) return "its actor could not be fetched to check the proof's key";
  const foreign = methods.find((method) => !listed.has(method));
  return foreign === undefined ? null : `its proof's key (${foreign.slice(0, 200) || "none"}) is not one its actor lists`;
}

/** The ids of the keys an actor's own document lists as its assertion methods; null when it cannot be had. */
async function assertionMethodsOf(actor: URL, loaders: ProofLoaders): Promise<Set<string> | null> {
  try {
    const { document } = await loaders.documentLoader(actor.href);
    const object = await APObject.fromJsonLd(document, loaders);
    if (!isActor(object) || object.id?.href !== actor.href) return null;
    const ids = new Set<string>();
    for await (const key of object.getAssertionMethods({ ...loaders, suppressError: true })) {
      // A key the actor lists but says is someone else's is not the actor's either.
      if (key.id && (key.controllerId === null || key.controllerId.href === actor.href)) ids.add(key.id.href);
    }
    return ids;
  } catch {
    return null;
  }
}
