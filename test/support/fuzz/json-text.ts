// JSON documents for the fuzzer, kept as a small tree that is written out as text by hand rather
// than with JSON.stringify, so it can say what JavaScript objects cannot: number literals that
// overflow (1e309), duplicate keys, own `__proto__` keys, nesting thousands of levels deep and
// arrays of a hundred thousand items — each a node whose size is one integer, so fast-check shrinks
// a deep or huge document by lowering that integer instead of walking thousands of nodes.
import fc from "fast-check";

export type JsonNode =
  /** Written verbatim: number literals (1e309, -0, 9223372036854775808), true, false, null. */
  | { t: "raw"; text: string }
  | { t: "str"; value: string }
  | { t: "arr"; items: JsonNode[] }
  /** Entries, not a record: keys may repeat and may be `__proto__`. */
  | { t: "obj"; entries: [string, JsonNode][] }
  /** `depth` levels of arrays, objects (under `key`; typed: each also a Note) or both, around `leaf`. */
  | { t: "deep"; depth: number; shape: "array" | "object" | "typed" | "mixed"; key: string; leaf: JsonNode }
  /** An array of `count` copies of `item`. */
  | { t: "many"; count: number; item: JsonNode };

export const raw = (text: string): JsonNode => ({ t: "raw", text });
export const str = (value: string): JsonNode => ({ t: "str", value });
export const arr = (...items: JsonNode[]): JsonNode => ({ t: "arr", items });
export const obj = (entries: [string, JsonNode][]): JsonNode => ({ t: "obj", entries });

/** The document as JSON text. */
export function jsonText(node: JsonNode): string {
  const out: string[] = [];
  write(node, out);
  return out.join("");
}

function write(node: JsonNode, out: string[]): void {
  switch (node.t) {
    case "raw":
      out.push(node.text);
      return;
    case "str":
      // JSON.stringify turns lone surrogates into \udXXX escapes: the server decodes them back.
      out.push(JSON.stringify(node.value));
      return;
    case "arr":
      out.push("[");
      node.items.forEach((item, i) => {
        if (i) out.push(",");
        write(item, out);
      });
      out.push("]");
      return;
    case "obj":
      out.push("{");
      node.entries.forEach(([key, value], i) => {
        if (i) out.push(",");
        out.push(JSON.stringify(key), ":");
        write(value, out);
      });
      out.push("}");
      return;
    case "deep": {
      const key = JSON.stringify(node.key);
      const closers: string[] = [];
      for (let level = 0; level < node.depth; level++) {
        const asObject = node.shape === "object" || node.shape === "typed" || (node.shape === "mixed" && level % 2 === 1);
        out.push(node.shape === "typed" ? `{"type":"Note",${key}:` : asObject ? `{${key}:` : "[");
        closers.push(asObject ? "}" : "]");
      }
      write(node.leaf, out);
      out.push(closers.reverse().join(""));
      return;
    }
    case "many": {
      const item: string[] = [];
      write(node.item, item);
      const text = item.join("");
      out.push("[", new Array(node.count).fill(text).join(","), "]");
      return;
    }
  }
}

/** A rough size, to describe a document without writing it out. */
export function describeJson(node: JsonNode): string {
  switch (node.t) {
    case "raw":
      return node.text.slice(0, 40);
    case "str":
      return JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…(${node.value.length} chars)` : node.value);
    case "arr":
      return `[${node.items.slice(0, 4).map(describeJson).join(",")}${node.items.length > 4 ? ",…" : ""}]`;
    case "obj":
      return `{${node.entries.slice(0, 6).map(([k, v]) => `${describeJson(str(k))}:${describeJson(v)}`).join(",")}${node.entries.length > 6 ? ",…" : ""}}`;
    case "deep":
      return `<${node.depth} levels of ${node.shape}${node.shape === "array" ? "" : ` under ${JSON.stringify(node.key)}`} around ${describeJson(node.leaf)}>`;
    case "many":
      return `<array of ${node.count} × ${describeJson(node.item)}>`;
  }
}

/** Number literals a parser may choke on, or turn into values no column holds. */
export const awkwardNumberLiterals = [
  "1.5", "-1", "0", "-0", "1e309", "-1e309", "1e-400", "9223372036854775807", "9223372036854775808",
  "18446744073709551616", "-9223372036854775809", "9007199254740993", "4294967296", "2147483648",
  "0.1e1", "1E2", "123456789012345678901234567890", "1e21", "5e-324",
] as const;

/**
 * Deep nesting: the depths that stalled the inbox (a chain of a few hundred to a thousand typed
 * objects: JSON-LD's work grows faster than the depth) and beyond, where recursion overflows.
 */
export function deepNode(leaf: fc.Arbitrary<JsonNode>, maxDepth = 5000, keys = ["a", "object", "inReplyTo", "@context", "__proto__", "tag"]): fc.Arbitrary<JsonNode> {
  return fc.record({
    t: fc.constant("deep" as const),
    depth: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 64, max: 1500 }), fc.integer({ min: 1500, max: maxDepth })),
    shape: fc.constantFrom("array" as const, "object" as const, "typed" as const, "typed" as const, "mixed" as const),
    key: fc.constantFrom(...keys),
    leaf,
  });
}

/** Text a huge array may take: a little over the 1 MiB the server reads, so both sides of it are tried. */
const MAX_MANY_CHARS = 1_200_000;

/** Huge arrays: up to 50,000 items, and never more text than MAX_MANY_CHARS, however long the item. */
export function manyNode(item: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> {
  return fc
    .record({
      t: fc.constant("many" as const),
      count: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 100, max: 50_000 })),
      item,
    })
    .map((node) => ({ ...node, count: Math.min(node.count, Math.floor(MAX_MANY_CHARS / (jsonText(node.item).length + 1))) }));
}
