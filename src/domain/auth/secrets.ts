// Random secrets handed to clients (tokens, codes, client secrets) and the hashes we keep of
// them. A leaked database therefore holds nothing that signs anyone in.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** SHA-256 is enough here: the secrets are random, so there is nothing to guess. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function sameSecret(secret: string, hash: string): boolean {
  return secretsEqual(hashSecret(secret), hash);
}

/**
 * Whether two secrets are equal, in a time that does not tell how much of them matched. The one
 * place Skein compares secrets: both sides are hashed first, so timingSafeEqual always gets
 * buffers of the same byte length (equal string lengths are not equal byte lengths: "é" is one
 * character and two bytes, and timingSafeEqual throws on a mismatch), and the length of the
 * secret is not given away either.
 */
export function secretsEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const digest = (value: string | Uint8Array) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
