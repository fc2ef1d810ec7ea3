// The signed URLs of remote media shown through Skein: /media_proxy/<kind>/<id>/<variant>?u=…&s=…
// `u` is a digest of the remote file's URL (a changed avatar gets a new URL, so a client's cached
// copy of the old one is never shown for the new one), `s` an HMAC of the rest under a secret made
// once and kept in the settings table (every process signs and checks alike). The proxy serves
// only what such a URL names — a row federation stored — so it is no open proxy: nobody can make
// it fetch a URL of their choosing, and a tampered URL is a 404.
import crypto from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { MediaUrls, ProxiedKind } from "./media-urls.ts";

export const PROXY_SECRET_SETTING = "media_proxy_secret";
export const PROXIED_KINDS: readonly ProxiedKind[] = ["attachment", "avatar", "header", "emoji", "card"];
export type ProxyVariant = "original" | "small";

export class ProxySigner {
  private secret: Buffer | null = null;
  private readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** Loads the secret, making it the first time (the first process to store it wins). */
  async load(stores: Stores): Promise<void> {
    const value = await stores.settings.getOrCreate(PROXY_SECRET_SETTING, () => crypto.randomBytes(32).toString("base64url"));
    this.secret = Buffer.from(value, "base64url");
  }

  get loaded(): boolean {
    return this.secret !== null;
  }

  /** A short digest of a remote file's URL. */
  static urlDigest(sourceUrl: string): string {
    return crypto.createHash("sha256").update(sourceUrl).digest("base64url").slice(0, 16);
  }

  private mac(kind: string, id: string, variant: string, digest: string): string {
    if (!this.secret) throw new Error("the media proxy's secret is not loaded (RemoteMediaCache.start() was not called)");
    return crypto.createHmac("sha256", this.secret).update(`${kind}\n${id}\n${variant}\n${digest}`).digest("base64url").slice(0, 22);
  }

  url(kind: ProxiedKind, id: string, variant: ProxyVariant, sourceUrl: string): string {
    const digest = ProxySigner.urlDigest(sourceUrl);
    return `${this.origin}/media_proxy/${kind}/${encodeURIComponent(id)}/${variant}?u=${digest}&s=${this.mac(kind, id, variant, digest)}`;
  }

  /** Whether `u` and `s` are what url() made for these; constant-time. */
  verify(kind: string, id: string, variant: string, digest: string, signature: string): boolean {
    if (!this.secret || !/^[A-Za-z0-9_-]{16}$/.test(digest) || !/^[A-Za-z0-9_-]{22}$/.test(signature)) return false;
    const expected = Buffer.from(this.mac(kind, id, variant, digest));
    const given = Buffer.from(signature);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  }
}

/** `base`'s stored() (the media storage's public URLs) with remote files named through the signed proxy. */
export function proxiedMediaUrls(base: MediaUrls, signer: ProxySigner): MediaUrls {
  return {
    stored: (key) => base.stored(key),
    proxied: (kind, id, variant, sourceUrl) => signer.url(kind, id, variant, sourceUrl),
  };
}
