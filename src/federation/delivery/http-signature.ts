// HTTP Signatures for deliveries (draft-cavage-http-signatures-12, rsa-sha256): what Mastodon,
// GoToSocial, Misskey, Pleroma and Fedify all verify. Signed here rather than through Fedify so
// the private key stays a parsed KeyObject (parsing costs more than signing) and the RSA work
// runs on libuv's thread pool (crypto.sign with a callback), using every core.
import { createHash, createPrivateKey, sign, type KeyObject } from "node:crypto";

export const SIGNED_HEADERS = "(request-target) host date digest content-type";
export const ACTIVITY_CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

export function parsePrivateJwk(jwk: string): KeyObject {
  return createPrivateKey({ key: JSON.parse(jwk), format: "jwk" });
}

/** The Digest header value of a body (computed once per activity, shared by its deliveries). */
export function digestOf(body: Buffer): string {
  return `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
}

function signAsync(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => sign("sha256", data, key, (error, signature) => (error ? reject(error) : resolve(signature))));
}

/** The headers of a signed POST of `body` (whose digest is `digest`) to `url`. */
export async function signedPostHeaders(url: URL, digest: string, key: SigningKey, date = new Date()): Promise<Record<string, string>> {
  const headers = {
    host: url.host,
    date: date.toUTCString(),
    digest,
    "content-type": ACTIVITY_CONTENT_TYPE,
  };
  const signingString = [
    `(request-target): post ${url.pathname}${url.search}`,
    `host: ${headers.host}`,
    `date: ${headers.date}`,
    `digest: ${headers.digest}`,
    `content-type: ${headers["content-type"]}`,
  ].join("\n");
  const signature = (await signAsync(Buffer.from(signingString), key.privateKey)).toString("base64");
  return {
    ...headers,
    signature: `keyId="${key.keyId}",algorithm="rsa-sha256",headers="${SIGNED_HEADERS}",signature="${signature}"`,
  };
}
