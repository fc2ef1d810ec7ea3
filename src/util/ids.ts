// Mastodon-style identifiers: a 48-bit millisecond timestamp followed by a 16-bit sequence.
// They sort by creation time, fit a signed 64-bit column, and are rendered as decimal strings
// (JavaScript numbers cannot hold them exactly).

let lastMs = 0n;
let sequence = 0n;

/** A new time-sortable id for an object created now (or at `at`, for imported objects). */
export function newId(at: Date = new Date()): string {
  let ms = BigInt(at.getTime());
  if (ms === lastMs) {
    sequence = (sequence + 1n) & 0xffffn;
    // 65,536 ids in one millisecond: borrow the next millisecond rather than repeat an id.
    if (sequence === sequenceStart) ms = lastMs = lastMs + 1n;
  } else if (ms < lastMs) {
    // The clock went backwards; keep ids increasing within this process.
    ms = lastMs;
    sequence = (sequence + 1n) & 0xffffn;
  } else {
    lastMs = ms;
    // A random start per millisecond keeps ids from two processes apart in practice.
    sequence = sequenceStart = BigInt(Math.floor(Math.random() * 0x10000));
  }
  return ((ms << 16n) | sequence).toString();
}
let sequenceStart = 0n;

/** The smallest id that could have been created at `at`: a bound for time-based queries. */
export function idAtTime(at: Date): string {
  return (BigInt(at.getTime()) << 16n).toString();
}

/** When the object with this id was created. */
export function timeOfId(id: string): Date {
  return new Date(Number(BigInt(id) >> 16n));
}

const MAX_ID = (1n << 63n) - 1n;

/** Parses an id from a request; returns null for anything that is not one. */
export function parseId(value: unknown): string | null {
  if (typeof value !== "string" || !/^\d{1,19}$/.test(value)) return null;
  const n = BigInt(value);
  return n <= MAX_ID ? n.toString() : null;
}
