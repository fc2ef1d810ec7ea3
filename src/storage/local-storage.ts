// The local media driver: one file per key under DATA_DIR/media (the key is the relative path),
// served by Skein at /system/<key> (http/media/files.ts) or by nginx from the same folder.
//
// - Writes are atomic: the bytes go to DATA_DIR/media/.tmp/<random> (flushed to disk), then one
//   rename() puts them at the key; a failed write removes its temporary file. ".tmp" can never be
//   a key (no segment starts with "."), so it is neither listed nor served.
// - Content-Type is not stored: it follows from the key's extension (keys.ts CONTENT_TYPES, the
//   same table the nginx snippet uses), and put() refuses a type that disagrees with it.
//   Neither is Cache-Control: every key /system/ serves is immutable, and uploads/ (stored
//   "private, no-store") is never served.
// - ETag is nginx's: "<mtime seconds in hex>-<size in hex>". A key's bytes never change (a new
//   version gets a new key), so it is a strong validator, and it stays the same when nginx takes
//   over serving the folder, so clients' caches stay valid.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  RangeNotSatisfiableError,
  assertByteRange,
  type ByteRange,
  type MediaStorage,
  type OpenedObject,
  type PutOptions,
  type StorageKey,
  type StoredObjectInfo,
} from "./media-storage.ts";
import { assertStorageKey, assertStoragePrefix, assertTypeMatchesKey, contentTypeForKey, isStorageKey } from "./keys.ts";

/** Temporary files older than this were left by a crashed process; the first put() removes them. */
const STALE_TEMP_MS = 24 * 3600_000;
/** Files removed at once by delete(). */
const DELETE_CONCURRENCY = 16;

const missing = (e: unknown) => ["ENOENT", "ENOTDIR", "EISDIR"].includes((e as NodeJS.ErrnoException).code ?? "");

export class LocalMediaStorage implements MediaStorage {
  readonly driver = "local" as const;
  /** The folder holding the files (DATA_DIR/media). */
  readonly root: string;
  readonly #origin: string;
  readonly #tmpDir: string;
  #ready: Promise<void> | null = null;

  /** `origin`: this server's, like https://social.example — files are at `${origin}/system/<key>`. */
  constructor(root: string, origin: string) {
    this.root = path.resolve(root);
    this.#origin = origin.replace(/\/$/, "");
    this.#tmpDir = path.join(this.root, ".tmp");
  }

  async put(key: StorageKey, body: Uint8Array | Readable | { file: string }, options: PutOptions): Promise<{ size: number }> {
    assertStorageKey(key);
    assertTypeMatchesKey(key, options.contentType);
    await this.#prepare();
    const target = this.#pathOf(key);
    const tmp = path.join(this.#tmpDir, randomBytes(12).toString("hex"));
    try {
      if (body instanceof Uint8Array) {
        await fsp.writeFile(tmp, body, { flag: "wx", flush: true });
      } else if (typeof (body as Readable).pipe === "function") {
        await pipeline(body as Readable, fs.createWriteStream(tmp, { flags: "wx", flush: true }));
      } else {
        await fsp.copyFile((body as { file: string }).file, tmp, fs.constants.COPYFILE_EXCL);
        const handle = await fsp.open(tmp, "r+");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      const { size } = await fsp.stat(tmp);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(tmp, target);
      return { size };
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  async open(key: StorageKey, range?: ByteRange): Promise<OpenedObject | null> {
    assertStorageKey(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.#pathOf(key), "r");
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
    try {
      // Stat and read the same open file: a concurrent put() replaces the name, not these bytes.
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const info = this.#infoOf(key, stats);
      if (!range) return { ...info, stream: handle.createReadStream({ autoClose: true }) };
      const bounds = resolveRange(range, info.size);
      return { ...info, range: bounds, stream: handle.createReadStream({ start: bounds.start, end: bounds.end, autoClose: true }) };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async head(key: StorageKey): Promise<StoredObjectInfo | null> {
    assertStorageKey(key);
    try {
      const stats = await fsp.stat(this.#pathOf(key));
      return stats.isFile() ? this.#infoOf(key, stats) : null;
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
  }

  async delete(keys: readonly StorageKey[]): Promise<void> {
    for (const key of keys) assertStorageKey(key);
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
      await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((key) => fsp.rm(this.#pathOf(key), { force: true })));
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: StorageKey; size: number }> {
    assertStoragePrefix(prefix);
    // Start at the deepest folder the prefix names whole ("attachments/original/12" → attachments/original).
    const slash = prefix.lastIndexOf("/");
    yield* this.#walk(slash === -1 ? "" : prefix.slice(0, slash), prefix);
  }

  publicUrl(key: StorageKey): string {
    assertStorageKey(key);
    return `${this.#origin}/system/${key}`;
  }

  async *#walk(folderKey: string, prefix: string): AsyncGenerator<{ key: StorageKey; size: number }> {
    let folder: fs.Dir;
    try {
      folder = await fsp.opendir(folderKey ? this.#pathOf(folderKey) : this.root);
    } catch (e) {
      if (missing(e)) return;
      throw e;
    }
    for await (const entry of folder) {
      if (entry.name.startsWith(".")) continue; // .tmp, and nothing else a key could name
      const key = folderKey ? `${folderKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.#walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix) && isStorageKey(key)) {
        try {
          yield { key, size: (await fsp.stat(this.#pathOf(key))).size };
        } catch (e) {
          if (!missing(e)) throw e; // deleted while listing: not there any more
        }
      }
    }
  }

  #pathOf(key: StorageKey): string {
    const full = path.join(this.root, ...key.split("/"));
    // The grammar already rules out "..", "/" and "."; this is the second lock on the door.
    if (!full.startsWith(this.root + path.sep)) throw new TypeError(`"${key}" is outside the media folder`);
    return full;
  }

  #infoOf(key: StorageKey, stats: fs.Stats): StoredObjectInfo {
    const seconds = Math.floor(stats.mtimeMs / 1000);
    return {
      key,
      size: stats.size,
      contentType: contentTypeForKey(key),
      etag: `"${seconds.toString(16)}-${stats.size.toString(16)}"`,
      lastModified: new Date(seconds * 1000),
    };
  }

  /** Once per process: the folders exist and a crashed process's temporary files are gone. */
  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await fsp.mkdir(this.#tmpDir, { recursive: true });
      const now = Date.now();
      for (const name of await fsp.readdir(this.#tmpDir)) {
        const file = path.join(this.#tmpDir, name);
        const stats = await fsp.stat(file).catch(() => null);
        if (stats && now - stats.mtimeMs > STALE_TEMP_MS) await fsp.rm(file, { force: true });
      }
    })().catch((e) => {
      this.#ready = null;
      throw e;
    });
    return this.#ready;
  }
}

/** A requested range within an object of `size` bytes: the end cut to the last byte; 416 when it starts past it. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  assertByteRange(range);
  const { start } = range;
  if (start >= size) throw new RangeNotSatisfiableError(size);
  return { start, end: Math.min(range.end ?? size - 1, size - 1) };
}
