// The access token a push payload carries, kept sealed at rest. Skein stores only hashes of
// tokens, but Mastodon's payload hands the token itself back to the client (which finds its
// account by it, and fetches the notification with it), so a subscription keeps a copy:
// AES-256-GCM under a key that is not derived from the token, bound to the subscription's id
// (a sealed token copied into another row does not open). The key comes from PUSH_TOKEN_KEY when
// the operator sets it — then a copy of the database alone opens nothing — and otherwise from the
// settings table, where it only keeps the token out of anything that holds the subscriptions
// table without the settings (exports, logs, a table dump).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { SettingsStore } from "../../store/settings.ts";

const SETTING = "push_token_key";
const VERSION = "v1";

export class TokenBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("the push token key must be 32 bytes");
    this.key = key;
  }

  seal(token: string, subscriptionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(subscriptionId));
    const sealed = Buffer.concat([cipher.update(token, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString("base64url")}.${sealed.toString("base64url")}`;
  }

  /** The token, or null when the value was not sealed by this key for this subscription. */
  open(value: string, subscriptionId: string): string | null {
    const [version, ivText, sealedText] = value.split(".");
    if (version !== VERSION || !ivText || !sealedText) return null;
    try {
      const sealed = Buffer.from(sealedText, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(ivText, "base64url"));
      decipher.setAAD(Buffer.from(subscriptionId));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}

/** The key: derived from the configured secret, else made once in the settings table (every process agrees). */
export async function loadTokenBox(settings: SettingsStore, configuredSecret: string | null): Promise<TokenBox> {
  if (configuredSecret) return new TokenBox(Buffer.from(hkdfSync("sha256", configuredSecret, "skein", "push access tokens", 32)));
  const stored = await settings.getOrCreate(SETTING, () => randomBytes(32).toString("base64url"));
  return new TokenBox(Buffer.from(stored, "base64url"));
}
