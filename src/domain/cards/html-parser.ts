// htmlparser2 (with entities, domutils, domhandler and dom-serializer that its entry point pulls
// in: 26 modules, 0.24 MB of source) is loaded on first use: an idle server has made no preview
// card, and the source would sit in V8's heap for the life of the process (docs/PERFORMANCE.md,
// "Memory"). The first status written or card fetched loads it.
//
// It is loaded with require() (Node loads an ES module synchronously that way), not import():
// sanitize-html, in the federation stack, require()s the same htmlparser2, and a require() that
// meets an import() still in flight fails (ERR_REQUIRE_ESM_RACE_CONDITION) — as the first post of
// a server did when its card job and its federation stack loaded together. Two synchronous loads
// cannot overlap. So nothing may import("htmlparser2") asynchronously: take it from here.
import { createRequire } from "node:module";
import type { Parser } from "htmlparser2";

let loaded: typeof Parser | null = null;

/** htmlparser2's Parser class, loaded on the first call. */
export function htmlParser(): typeof Parser {
  loaded ??= (createRequire(import.meta.url)("htmlparser2") as typeof import("htmlparser2")).Parser;
  return loaded;
}
