// The media storage seam: where uploaded media, their previews, avatars, headers, custom emojis
// and the remote-media cache keep their files. Two drivers implement it — a folder under
// DATA_DIR/media (served by Skein at /system/<key>, or by nginx from the same folder) and an
// S3-compatible bucket (served by the bucket or a CDN in front of it, S3_ALIAS_HOST). Everything
// above this layer names files by key only and never knows which driver it has.
import type { Readable } from "node:stream";

/**
 * Keys are chosen by Skein, never taken from a request: lowercase path segments such as
 * `attachments/original/123-x7f.webp` or `cache/small/abcdef….webp` (storage/keys.ts has the
 * grammar). Drivers refuse anything else (no "..", no leading "/", no uppercase, at most 255
 * characters). A key's extension names its type (keys.ts CONTENT_TYPES): put() refuses a
 * content type that disagrees with it, and the local driver answers the type from it.
 */
export type StorageKey = string;

export interface PutOptions {
  contentType: string;
  /** Defaults to a year, immutable: a key's bytes never change (a new version gets a new key). */
  cacheControl?: string;
}

export interface StoredObjectInfo {
  key: StorageKey;
  size: number;
  contentType: string;
  /** A strong validator of the bytes, quoted as HTTP wants it. */
  etag: string;
  lastModified: Date;
}

export interface ByteRange {
  start: number;
  /** Inclusive; absent: to the end. */
  end?: number;
}

/** Both drivers refuse the same malformed ranges (a programming error, not a client's: HTTP parses Range first). */
export function assertByteRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw new TypeError(`a range starts at a byte offset (got ${start})`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) throw new TypeError(`a range ends at or after its start (got ${start}-${end})`);
}

/** open() was asked for a range that starts at or after the object's end (HTTP 416). */
export class RangeNotSatisfiableError extends Error {
  readonly size: number;
  constructor(size: number) {
    super(`the range starts beyond the object's ${size} bytes`);
    this.size = size;
    this.name = "RangeNotSatisfiableError";
  }
}

export interface OpenedObject extends StoredObjectInfo {
  /** The requested bytes (all of them, or the range). */
  stream: Readable;
  /** The range actually served, when one was asked for. */
  range?: { start: number; end: number };
}

export interface MediaStorage {
  readonly driver: "local" | "s3";
  /**
   * Stores `body` under `key` — bytes, a stream, or `{ file }` to copy a file from disk. Never
   * visible half-written: readers see the old object or the whole new one. Returns the size.
   */
  put(key: StorageKey, body: Uint8Array | Readable | { file: string }, options: PutOptions): Promise<{ size: number }>;
  /**
   * The object's bytes (or a range of them; an `end` past the object is cut to its last byte),
   * or null if there is none. A range starting at or past the end throws RangeNotSatisfiableError.
   */
  open(key: StorageKey, range?: ByteRange): Promise<OpenedObject | null>;
  head(key: StorageKey): Promise<StoredObjectInfo | null>;
  /** Removes the objects; keys already gone are not an error. */
  delete(keys: readonly StorageKey[]): Promise<void>;
  /** Every object under `prefix` (for usage reports, orphan sweeps and the cache check). */
  list(prefix: string): AsyncIterable<{ key: StorageKey; size: number }>;
  /**
   * Where a client fetches the object: `${origin}/system/<key>` for the local driver, the bucket's
   * URL (or `https://${S3_ALIAS_HOST}/<key>`) for S3.
   */
  publicUrl(key: StorageKey): string;
}
