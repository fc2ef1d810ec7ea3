// A minimal tar writer (POSIX ustar, regular files only), enough for account archives without a
// dependency: each entry is a 512-byte header and its data padded to 512 bytes; two zero blocks
// end the archive. Names are ASCII and at most 100 bytes (archives name their own files).

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as tar readers expect.
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mtime: Date): Uint8Array {
  if (!/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(name)) throw new Error(`tar: unsupported entry name ${JSON.stringify(name)}`);
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset);
  put(0, name);
  put(100, octal(0o444, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(Math.floor(mtime.getTime() / 1000), 12));
  put(148, "        "); // the checksum counts its own field as spaces
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** One file of the archive: its bytes, already complete (tar needs the size first). */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

/** The archive's bytes, entry by entry (pipe them through gzip for a .tar.gz). */
export async function* tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>, mtime = new Date()): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    yield header(entry.name, entry.data.byteLength, mtime);
    yield entry.data;
    const pad = (BLOCK - (entry.data.byteLength % BLOCK)) % BLOCK;
    if (pad) yield new Uint8Array(pad);
  }
  yield new Uint8Array(BLOCK * 2);
}
