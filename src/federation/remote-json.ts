// What a JSON document from another server may be before Skein does any work on it beyond
// reading it. JSON-LD processing (expansion, compaction, Fedify's object model) costs far more per
// node than parsing, and nested structures multiply it: a 100 KB activity nested 1,000 levels
// deep once held the process for 15 s and 800 MB. Real documents are small and shallow — the
// deepest of the 160 payloads from 30 server kinds in the shared fixtures nests 8 levels, the
// largest has 431 values and 78 objects — so the bounds below leave room for three times that
// depth and six times those objects. At the bounds, a signed activity costs Fedify ~0.25 s of
// JSON-LD work (500 objects, 21 levels), and only a real actor can send one.
//
// Inbox bodies are checked on their text, before JSON.parse (which alone takes ~85 ms on a
// 1 MB body of nested brackets); documents Skein fetches arrive parsed and are checked by a walk
// that stops at the first bound crossed.

export const REMOTE_JSON_LIMITS = {
  /** The largest inbox body (the HTTP layer refuses larger bodies before they are read). */
  maxBytes: 1024 * 1024,
  /** Objects and arrays inside each other; the top-level document is depth 1. */
  maxDepth: 24,
  /** Values of every kind (objects, arrays, strings, numbers, booleans, nulls). */
  maxValues: 20_000,
  /** Objects: each is a node JSON-LD expands, and possibly an embedded activity or post. */
  maxObjects: 500,
  /**
   * Entries of one `@context` array. Each is a context JSON-LD resolves and merges (thousands of
   * copies of the ActivityStreams URL once held the process for seconds); real documents name 1–6.
   */
  maxContexts: 32,
} as const;

export type JsonLimits = { readonly maxDepth: number; readonly maxValues: number; readonly maxObjects: number; readonly maxContexts: number };

/** Why a document was refused; null when it is within the bounds. */
export type ShapeRefusal = string | null;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const ZERO = 0x30;

/**
 * Checks the text of a JSON document without parsing it: nesting depth, number of values and
 * objects, and NUL characters (written `\u0000` in JSON; PostgreSQL cannot store them, and no
 * real post needs one). Stops at the first bound crossed, so a hostile body costs at most one
 * pass over its bytes. Malformed JSON may pass: JSON.parse decides that afterwards.
 */
export function scanJsonText(bytes: Uint8Array, limits: JsonLimits = REMOTE_JSON_LIMITS): ShapeRefusal {
  let depth = 0;
  let objects = 0;
  // Each comma separates two values, each container holds at least one: commas + containers
  // + 1 bounds the number of values from above closely enough.
  let separators = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) {
        // \u0000 (any case of the hex digits is the same character; only zeros spell NUL).
        if (bytes[i + 1] === 0x75 && bytes[i + 2] === ZERO && bytes[i + 3] === ZERO && bytes[i + 4] === ZERO && bytes[i + 5] === ZERO) {
          return "the document contains a NUL character";
        }
        i++;
      } else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > limits.maxDepth) return `the document nests deeper than ${limits.maxDepth} levels`;
      containers++;
      if (byte === OPEN_OBJECT && ++objects > limits.maxObjects) return `the document has more than ${limits.maxObjects} objects`;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
    else if (byte === COMMA && ++separators + containers + 1 > limits.maxValues) return `the document has more than ${limits.maxValues} values`;
  }
  return null;
}

/**
 * The same bounds on a document that is already parsed (what Fedify's loaders hand back, and an
 * inbox body once its text passed scanJsonText), and the one rule only a parsed document shows:
 * no `@context` array, at any level, longer than `maxContexts`. Iterative, depth-first, so that
 * an over-deep document is refused after at most `maxDepth` steps down its first deep branch.
 */
export function checkJsonValue(value: unknown, limits: JsonLimits = REMOTE_JSON_LIMITS): ShapeRefusal {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let values = 0;
  let objects = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++values > limits.maxValues) return `the document has more than ${limits.maxValues} values`;
    if (typeof node === "string") {
      if (node.includes("\u0000")) return "the document contains a NUL character";
      continue;
    }
    if (node === null || typeof node !== "object") continue;
    if (depth > limits.maxDepth) return `the document nests deeper than ${limits.maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
      continue;
    }
    if (++objects > limits.maxObjects) return `the document has more than ${limits.maxObjects} objects`;
    const context = (node as Record<string, unknown>)["@context"];
    if (Array.isArray(context) && context.length > limits.maxContexts) return `an @context names more than ${limits.maxContexts} contexts`;
    for (const key of Object.keys(node)) {
      if (key.includes("\u0000")) return "the document contains a NUL character";
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return null;
}
