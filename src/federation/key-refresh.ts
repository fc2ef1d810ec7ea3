// A remote server that rotates an actor's key signs with the new key at once, while the actor
// document Skein cached (Fedify's document cache, five minutes) still holds the old one: its
// deliveries would be refused until the cache expired. As Mastodon does, a signature that does
// not verify against a cached key has the key's document fetched again, once, before it is
// refused. Bounded, since anyone can send a signature that fails: a key is refetched this way at
// most once per KEY_INTERVAL_MS — the cache's own lifetime — so forged signatures cannot make
// Skein fetch a key more often than its cache expiring would. (A key id not cached yet is fetched
// anyway, whoever names it; this adds no new way to make Skein fetch.)
import type { KvStore } from "@fedify/fedify";
import { REMOTE_DOCUMENTS } from "./document-loaders.ts";

const KEY_INTERVAL_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;

export class KeyRefresh {
  private readonly keys = new Map<string, number>();

  private readonly kv: KvStore;
  private readonly now: () => number;

  constructor(kv: KvStore, now: () => number = Date.now) {
    this.kv = kv;
    this.now = now;
  }

  /**
   * Forgets the cached documents of `keyId` (the key's URL and its document's, without the
   * fragment) so the next verification fetches them; false, forgetting nothing, when this key
   * was refreshed too recently.
   */
  async forget(keyId: URL): Promise<boolean> {
    const now = this.now();
    const key = keyId.href;
    if (now - (this.keys.get(key) ?? -Infinity) < KEY_INTERVAL_MS) return false;
    remember(this.keys, key, now);
    const document = new URL(keyId);
    document.hash = "";
    for (const url of new Set([key, document.href])) await this.kv.delete([...REMOTE_DOCUMENTS, url]);
    return true;
  }
}

function remember(map: Map<string, number>, name: string, at: number): void {
  map.delete(name);
  if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!);
  map.set(name, at);
}
