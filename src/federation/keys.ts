// Local actors' key pairs: RSA (HTTP Signatures, draft-cavage and RFC 9421) and Ed25519 (Object
// Integrity Proofs). Made on first use and stored, so every process signs with the same keys;
// kept parsed in memory afterwards, since parsing is slower than signing.
import type { Stores } from "../store/stores.ts";
import { parsePrivateJwk, type SigningKey } from "./delivery/http-signature.ts";

export interface ActorKeyPairs {
  rsa: CryptoKeyPair;
  ed25519: CryptoKeyPair;
}

const cache = new Map<string, Promise<ActorKeyPairs>>();
const MAX_CACHED = 10_000;

export function keyPairsOf(stores: Stores, accountId: string): Promise<ActorKeyPairs> {
  let pending = cache.get(accountId);
  if (!pending) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    pending = load(stores, accountId).catch((error) => {
      cache.delete(accountId);
      throw error;
    });
    cache.set(accountId, pending);
  }
  return pending;
}

/** RSA key size: what Mastodon and GoToSocial use; a 4096-bit key (Fedify's default) costs ~6× as much per signature, and every delivery is one. */
export const RSA_MODULUS_BITS = 2048;

async function newKeys(accountId: string) {
  const rsa = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: RSA_MODULUS_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const ed = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
  return {
    account_id: accountId,
    rsa_private: JSON.stringify(await exportJwk(rsa.privateKey)),
    rsa_public: JSON.stringify(await exportJwk(rsa.publicKey)),
    ed25519_private: JSON.stringify(await exportJwk(ed.privateKey)),
    ed25519_public: JSON.stringify(await exportJwk(ed.publicKey)),
    created_at: new Date().toISOString(),
  };
}

/** The instance actor's keys: it signs our fetches from servers that require signatures. */
export function instanceKeyPairs(stores: Stores): Promise<ActorKeyPairs> {
  let pending = cache.get(INSTANCE_KEYS);
  if (!pending) {
    pending = (async () => {
      // Made once; if two processes race, the first stored pair is the one everyone uses.
      const stored = (await stores.settings.get(INSTANCE_KEYS)) ?? (await stores.settings.setIfAbsent(INSTANCE_KEYS, JSON.stringify(await newKeys("instance"))));
      return parse(JSON.parse(stored));
    })().catch((error) => {
      cache.delete(INSTANCE_KEYS);
      throw error;
    });
    cache.set(INSTANCE_KEYS, pending);
  }
  return pending;
}

const INSTANCE_KEYS = "instance_actor_keys";

async function load(stores: Stores, accountId: string): Promise<ActorKeyPairs> {
  const row = (await stores.actorKeys.get(accountId)) ?? (await stores.actorKeys.insertOrGet(await newKeys(accountId)));
  return parse(row);
}

async function parse(row: { rsa_private: string; rsa_public: string; ed25519_private: string; ed25519_public: string }): Promise<ActorKeyPairs> {
  return {
    rsa: { privateKey: await importJwk(JSON.parse(row.rsa_private), "private"), publicKey: await importJwk(JSON.parse(row.rsa_public), "public") },
    ed25519: { privateKey: await importJwk(JSON.parse(row.ed25519_private), "private"), publicKey: await importJwk(JSON.parse(row.ed25519_public), "public") },
  };
}

// JWK in and out as Fedify's exportJwk/importJwk do it (Ed25519 keys carry `alg`), on WebCrypto
// directly: importing Fedify for these would load its whole stack at start-up, which a server waits
// to do until it federates (stack-loader.ts).
async function exportJwk(key: CryptoKey): Promise<JsonWebKey> {
  const jwk = await crypto.subtle.exportKey("jwk", key);
  if (jwk.crv === "Ed25519") jwk.alg = "Ed25519";
  return jwk;
}

async function importJwk(jwk: JsonWebKey, type: "public" | "private"): Promise<CryptoKey> {
  const usages: KeyUsage[] = type === "public" ? ["verify"] : ["sign"];
  if (jwk.kty === "RSA" && jwk.alg === "RS256") return crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, usages);
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return crypto.subtle.importKey("jwk", jwk, "Ed25519", true, usages);
  throw new TypeError("Unsupported JWK format.");
}

const signingKeys = new Map<string, Promise<SigningKey>>();

/** A local account's RSA key as a parsed KeyObject with its key id, for signing deliveries. */
export function signingKeyOf(stores: Stores, accountId: string): Promise<SigningKey> {
  let pending = signingKeys.get(accountId);
  if (!pending) {
    if (signingKeys.size >= MAX_CACHED) signingKeys.delete(signingKeys.keys().next().value!);
    pending = (async () => {
      const [row, account] = await Promise.all([stores.actorKeys.get(accountId), stores.accounts.byId(accountId)]);
      if (!row || !account) throw new Error(`no signing key for account ${accountId}`);
      // Fedify publishes an actor's first key as #main-key (the RSA one).
      return { keyId: `${account.uri}#main-key`, privateKey: parsePrivateJwk(row.rsa_private) };
    })().catch((error) => {
      signingKeys.delete(accountId);
      throw error;
    });
    signingKeys.set(accountId, pending);
  }
  return pending;
}

/**
 * Deliveries made in the instance actor's name (forwarded reports) are queued with this account
 * id: the instance actor has no account row, and ids are never 0.
 */
export const INSTANCE_ACCOUNT_ID = "0";

/** The instance actor's RSA key as a parsed KeyObject, named by its key id on this origin. */
function instanceSigningKey(stores: Stores, origin: string): Promise<SigningKey> {
  let pending = signingKeys.get(INSTANCE_ACCOUNT_ID);
  if (!pending) {
    pending = (async () => {
      await instanceKeyPairs(stores);
      const stored = await stores.settings.get(INSTANCE_KEYS);
      if (!stored) throw new Error("no instance actor key");
      return { keyId: `${new URL(origin).origin}/users/instance.actor#main-key`, privateKey: parsePrivateJwk((JSON.parse(stored) as { rsa_private: string }).rsa_private) };
    })().catch((error) => {
      signingKeys.delete(INSTANCE_ACCOUNT_ID);
      throw error;
    });
    signingKeys.set(INSTANCE_ACCOUNT_ID, pending);
  }
  return pending;
}

/** The delivery engine's key lookup: local accounts' keys, and the instance actor's. */
export function deliveryKeyOf(stores: Stores, origin: string): (accountId: string) => Promise<SigningKey> {
  return (accountId) => (accountId === INSTANCE_ACCOUNT_ID ? instanceSigningKey(stores, origin) : signingKeyOf(stores, accountId));
}
