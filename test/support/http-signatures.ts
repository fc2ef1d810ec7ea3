// HTTP signatures made by hand (node:crypto), the way Mastodon makes them, for tests that check
// what Skein's inboxes and secure-mode fetches accept from other implementations — rather than
// through Fedify's signRequest, which is the library on Skein's own side too.
//
//   draft-cavage (Mastodon's app/lib/request.rb): `(request-target) host date digest` for a POST,
//   `(request-target) host date accept` for a GET, algorithm rsa-sha256, `Digest: SHA-256=…`.
//   RFC 9421 (what Mastodon 4.5 accepts): `("@method" "@target-uri" "content-digest")` with
//   `created` and `keyid`, `Content-Digest: sha-256=:…:` (RFC 9530).
//
// Each option bends one thing, so that a test can send a signature that covers too little, a
// digest that does not match the body, or a stale date.
import { createHash, createSign, KeyObject } from "node:crypto";
import { genRFC3230DigestHeader, signAsDraftToRequest, type RequestLike } from "@misskey-dev/node-http-message-signatures";

export interface RawSigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** A WebCrypto key pair's private half as node:crypto wants it. */
export function rawKey(keyId: URL | string, privateKey: CryptoKey): RawSigningKey {
  return { keyId: String(keyId), privateKey: KeyObject.from(privateKey) };
}

export interface SignOptions {
  /** The request's body; a GET when absent. */
  body?: string;
  /** The components signed, in order (draft: header names and "(request-target)"; RFC 9421: component names). */
  covered?: string[];
  /** When the request says it was signed (Date header / `created`); now by default. */
  at?: Date;
  /** The body the digest header is computed over, when it should not be the one sent. */
  digestOf?: string;
}

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

function rsaSha256(key: KeyObject, text: string): string {
  return createSign("sha256").update(text).sign(key, "base64");
}

/** A draft-cavage signed request, as Mastodon sends one. */
export function draftSigned(url: string, key: RawSigningKey, options: SignOptions = {}): Request {
  const target = new URL(url);
  const method = options.body === undefined ? "GET" : "POST";
  const headers: Record<string, string> = {
    host: target.host,
    date: (options.at ?? new Date()).toUTCString(),
    accept: ACCEPT,
  };
  if (options.body !== undefined) {
    headers["content-type"] = "application/activity+json";
    headers.digest = `SHA-256=${createHash("sha256").update(options.digestOf ?? options.body).digest("base64")}`;
  }
  const covered = options.covered ?? (options.body === undefined ? ["(request-target)", "host", "date", "accept"] : ["(request-target)", "host", "date", "digest"]);
  const text = covered.map((name) => `${name}: ${name === "(request-target)" ? `${method.toLowerCase()} ${target.pathname}${target.search}` : headers[name]}`).join("\n");
  const signature = `keyId="${key.keyId}",algorithm="rsa-sha256",headers="${covered.join(" ")}",signature="${rsaSha256(key.privateKey, text)}"`;
  return new Request(url, { method, headers: { ...headers, signature }, body: options.body });
}

/** An RFC 9421 signed request, as Mastodon 4.5 verifies them. */
export function rfc9421Signed(url: string, key: RawSigningKey, options: SignOptions = {}): Request {
  const target = new URL(url);
  const method = options.body === undefined ? "GET" : "POST";
  const headers: Record<string, string> = { accept: ACCEPT };
  if (options.body !== undefined) {
    headers["content-type"] = "application/activity+json";
    headers["content-digest"] = `sha-256=:${createHash("sha256").update(options.digestOf ?? options.body).digest("base64")}:`;
  }
  const covered = options.covered ?? (options.body === undefined ? ["@method", "@target-uri"] : ["@method", "@target-uri", "content-digest"]);
  const created = Math.floor((options.at ?? new Date()).getTime() / 1000);
  const params = `(${covered.map((c) => `"${c}"`).join(" ")});created=${created};keyid="${key.keyId}"`;
  const value = (name: string) => (name === "@method" ? method : name === "@target-uri" ? target.href : name === "@authority" ? target.host : name === "@path" ? target.pathname : headers[name]);
  const base = [...covered.map((name) => `"${name}": ${value(name)}`), `"@signature-params": ${params}`].join("\n");
  return new Request(url, { method, headers: { ...headers, "signature-input": `sig1=${params}`, signature: `sig1=:${rsaSha256(key.privateKey, base)}:` }, body: options.body });
}

/**
 * A request signed as Misskey signs it (its ApRequestService: createSignedPost / createSignedGet),
 * with Misskey's own library: Date, Host (and Content-Type, Digest for a POST) set first, then
 * `signAsDraftToRequest` over `(request-target) date host digest` (or `… accept` for a GET).
 * `includeHeaders` bends what is covered; `at` the Date.
 */
export async function misskeySigned(url: string, key: { keyId: string; privateKeyPem: string }, options: { body?: string; includeHeaders?: string[]; at?: Date } = {}): Promise<Request> {
  const target = new URL(url);
  const request: RequestLike = options.body === undefined
    ? { url: target.href, method: "GET", headers: { Accept: ACCEPT, Date: (options.at ?? new Date()).toUTCString(), Host: target.host } }
    : { url: target.href, method: "POST", headers: { Date: (options.at ?? new Date()).toUTCString(), Host: target.host, "Content-Type": "application/activity+json" } };
  if (options.body !== undefined) request.headers.Digest = await genRFC3230DigestHeader(options.body, "SHA-256");
  const include = options.includeHeaders ?? (options.body === undefined ? ["(request-target)", "date", "host", "accept"] : ["(request-target)", "date", "host", "digest"]);
  await signAsDraftToRequest(request, key, include);
  return new Request(url, { method: request.method, headers: request.headers as Record<string, string>, body: options.body });
}

/** An RSA private key as the PKCS#8 PEM Misskey stores. */
export function pkcs8Pem(privateKey: CryptoKey): string {
  return KeyObject.from(privateKey).export({ type: "pkcs8", format: "pem" }).toString();
}
