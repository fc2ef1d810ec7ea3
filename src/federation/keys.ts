// Local actors' key pairs: RSA (HTTP Signatures, draft-cavage and RFC 9421) and Ed25519 (Object
// Integrity Proofs). Made on first use and stored, so every process signs with the same keys;
// kept parsed in memory afterwards, since parsing is slower than signing.
import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Stores } from "../store/stores.ts";

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

async function load(stores: Stores, accountId: string): Promise<ActorKeyPairs> {
  let row = await stores.actorKeys.get(accountId);
  if (!row) {
    const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const ed = await generateCryptoKeyPair("Ed25519");
    row = await stores.actorKeys.insertOrGet({
      account_id: accountId,
      rsa_private: JSON.stringify(await exportJwk(rsa.privateKey)),
      rsa_public: JSON.stringify(await exportJwk(rsa.publicKey)),
      ed25519_private: JSON.stringify(await exportJwk(ed.privateKey)),
      ed25519_public: JSON.stringify(await exportJwk(ed.publicKey)),
      created_at: new Date().toISOString(),
    });
  }
  return {
    rsa: { privateKey: await importJwk(JSON.parse(row.rsa_private), "private"), publicKey: await importJwk(JSON.parse(row.rsa_public), "public") },
    ed25519: { privateKey: await importJwk(JSON.parse(row.ed25519_private), "private"), publicKey: await importJwk(JSON.parse(row.ed25519_public), "public") },
  };
}
