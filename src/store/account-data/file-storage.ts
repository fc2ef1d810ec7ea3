// Where files made for users are kept: today account archives, under DATA_DIR/archives/; media
// will use the same small seam (a local directory now, object storage later). Keys are names
// chosen by Skein (never from a request), checked again here so no key leaves the directory.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

export interface FileStorage {
  /**
   * Stores the bytes under `key`, gzipped when asked (written to a temporary name, then renamed:
   * never seen half-written); returns the stored size.
   */
  put(key: string, data: AsyncIterable<Uint8Array>, options?: { gzip?: boolean }): Promise<number>;
  /** A stream of the file and its size, or null if there is none. */
  open(key: string): Promise<{ size: number; stream: ReadableStream<Uint8Array> } | null>;
  /** Removes the file; nothing happens if it is already gone. */
  remove(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class LocalFileStorage implements FileStorage {
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`Not a storage key: ${JSON.stringify(key)}`);
    return path.join(this.dir, key);
  }

  async put(key: string, data: AsyncIterable<Uint8Array>, options: { gzip?: boolean } = {}): Promise<number> {
    const target = this.pathOf(key);
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${target}.${process.pid}.part`;
    try {
      const out = fs.createWriteStream(temporary, { mode: 0o600 });
      if (options.gzip) await pipeline(Readable.from(data), createGzip(), out);
      else await pipeline(Readable.from(data), out);
      await fsp.rename(temporary, target);
    } catch (error) {
      await fsp.rm(temporary, { force: true });
      throw error;
    }
    return (await fsp.stat(target)).size;
  }

  async open(key: string): Promise<{ size: number; stream: ReadableStream<Uint8Array> } | null> {
    const file = this.pathOf(key);
    try {
      const stat = await fsp.stat(file);
      return { size: stat.size, stream: Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array> };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }
}
