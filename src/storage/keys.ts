// Storage keys and the types their extensions name. Both drivers check keys here, and the local
// driver (like nginx serving DATA_DIR/media directly) answers a file's Content-Type from its
// extension through CONTENT_TYPES — so a key's extension must agree with the type it was stored
// with, and put() refuses a disagreement instead of serving a file under the wrong type.

/** Lowercase segments of [a-z0-9._-], none empty or starting with "." (so no ".." and no ".tmp"). */
const KEY = /^[a-z0-9_-][a-z0-9._-]*(?:\/[a-z0-9_-][a-z0-9._-]*)*$/;
export const MAX_KEY_LENGTH = 255;

/** Why `key` is not a storage key, or null when it is one. */
export function keyProblem(key: string): string | null {
  if (typeof key !== "string" || key.length === 0) return "a storage key must not be empty";
  if (key.length > MAX_KEY_LENGTH) return `a storage key has at most ${MAX_KEY_LENGTH} characters`;
  if (!KEY.test(key)) return `"${key.slice(0, 80)}" is not a storage key (lowercase a-z 0-9 . _ - segments joined by "/", none starting with ".")`;
  return null;
}

export function isStorageKey(key: string): boolean {
  return keyProblem(key) === null;
}

/** Throws a TypeError for a key Skein should never have made (a programming error, not input). */
export function assertStorageKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new TypeError(problem);
}

/** A prefix for list(): "" (everything) or the start of a key. */
export function assertStoragePrefix(prefix: string): void {
  if (prefix === "") return;
  if (prefix.length > MAX_KEY_LENGTH || !/^[a-z0-9_-][a-z0-9._/-]*$/.test(prefix) || /\/\/|\/\./.test(prefix)) {
    throw new TypeError(`"${prefix.slice(0, 80)}" is not a storage key prefix`);
  }
}

/**
 * The extensions media are stored under and the types they are served as. The same pairs as
 * nginx's mime.types, so a folder served by nginx answers exactly as Skein does (the README's
 * nginx snippet repeats them).
 */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  heic: "image/heic",
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  flac: "audio/flac",
};

/** What a key without a known extension (an upload as received) is served as. */
export const UNKNOWN_CONTENT_TYPE = "application/octet-stream";

const PREFERRED_EXTENSION: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "video/mp4": "mp4",
  "audio/ogg": "ogg",
  "audio/mp4": "m4a",
};

function extensionOf(key: string): string | null {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1) : null;
}

/** The type a key is served as: by its extension, else application/octet-stream. */
export function contentTypeForKey(key: string): string {
  const ext = extensionOf(key);
  return (ext && CONTENT_TYPES[ext]) || UNKNOWN_CONTENT_TYPE;
}

/** The extension to name a file of this type with ("jpg" for image/jpeg), or null if media never have it. */
export function extensionForContentType(contentType: string): string | null {
  const type = baseType(contentType);
  if (PREFERRED_EXTENSION[type]) return PREFERRED_EXTENSION[type];
  for (const [ext, t] of Object.entries(CONTENT_TYPES)) if (t === type) return ext;
  return null;
}

function baseType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

/**
 * Throws when `key`'s extension names another type than `contentType` (keys without a known
 * extension may hold anything: they are uploads, never served).
 */
export function assertTypeMatchesKey(key: string, contentType: string): void {
  const ext = extensionOf(key);
  const expected = ext ? CONTENT_TYPES[ext] : undefined;
  if (expected && expected !== baseType(contentType)) {
    throw new TypeError(`the key "${key}" names ${expected} by its extension, but the content is ${contentType}`);
  }
}

/** The one Cache-Control for stored media: a key's bytes never change. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
