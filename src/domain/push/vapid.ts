// The server's VAPID identity (RFC 8292): the P-256 key pair InstanceService makes once in the
// settings table (`vapid_keys`, so every process signs with the key clients were given in
// /api/v2/instance and the app's vapid_key), in the form the web-push library takes, and the
// contact the JWT's `sub` names.
import { createPrivateKey } from "node:crypto";
import type { Config } from "../../config/config.ts";
import type { SettingsStore } from "../../store/settings.ts";

export interface VapidDetails {
  subject: string;
  /** Uncompressed point, base64url. */
  publicKey: string;
  /** The 32-byte private scalar, base64url. */
  privateKey: string;
}

export async function loadVapid(settings: SettingsStore, ensureCreated: () => Promise<string>, config: Pick<Config, "origin" | "instance">): Promise<VapidDetails> {
  const publicKey = await ensureCreated();
  const stored = JSON.parse((await settings.get("vapid_keys")) ?? "{}") as { public?: string; private?: string };
  if (stored.public !== publicKey || !stored.private) throw new Error("the VAPID key pair in the settings table is incomplete");
  const d = createPrivateKey(stored.private).export({ format: "jwk" }).d;
  if (!d) throw new Error("the VAPID private key is not an EC key");
  return { subject: vapidSubject(config), publicKey, privateKey: d };
}

/**
 * Push services (Apple's in particular) want a way to reach the sender: the contact e-mail when it
 * is a deliverable address, else the server's https URL; a local development server has neither,
 * and gets its contact address as it is.
 */
export function vapidSubject(config: Pick<Config, "origin" | "instance">): string {
  const email = config.instance.contactEmail;
  const domain = email.split("@")[1] ?? "";
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain) && !/\.(localhost|local|test|invalid)$/i.test(domain)) return `mailto:${email}`;
  if (config.origin.startsWith("https://")) return config.origin;
  return `mailto:${email}`;
}
