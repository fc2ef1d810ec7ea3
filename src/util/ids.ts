// Mastodon-style identifiers: a 48-bit millisecond timestamp followed by a 16-bit sequence.
// They sort by creation time, fit a signed 64-bit column, and are rendered as decimal strings
// (JavaScript numbers cannot hold them exactly).

let lastMs = 0n;
let sequence = 0n;

/** A new time-sortable id for an object created now (or at `at`, for imported objects). */
export function newId(at?: Date): string {
  if (at !== undefined) {
    // An imported object keeps its own time; the counter keeps ids made for one millisecond apart.
    importSequence = (importSequence + 1n) & 0xffffn;
    return ((BigInt(Math.max(0, at.getTime())) << 16n) | importSequence).toString();
  }
  let ms = BigInt(Date.now());
  if (ms <= lastMs) {
    // The same millisecond, or the clock went backwards: keep ids increasing within this
    // process, borrowing the next millisecond once this one's 65,536 ids are used up.
    ms = lastMs;
    sequence++;
    if (sequence > 0xffffn) {
      ms = lastMs = lastMs + 1n;
      sequence = 0n;
    }
  } else {
    lastMs = ms;
    // A random start per millisecond keeps ids from two processes apart in practice; starting
    // in the lower half leaves at least 32,768 ids before a millisecond must be borrowed.
    sequence = BigInt(Math.floor(Math.random() * 0x8000));
  }
  return ((ms << 16n) | sequence).toString();
}
let importSequence = BigInt(Math.floor(Math.random() * 0x10000));

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
