// The bounds on remote JSON, on text (inbox bodies) and on parsed documents (fetched ones), agree
// with each other and are not fooled by brackets or escapes inside strings.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkJsonValue, scanJsonText } from "../../src/federation/remote-json.ts";

const limits = { maxDepth: 4, maxValues: 12, maxObjects: 5, maxContexts: 32 };
const both = (text: string) => [scanJsonText(new TextEncoder().encode(text), limits), checkJsonValue(JSON.parse(text), limits)];

test("documents within the bounds pass, on text and parsed alike", () => {
  for (const text of ['{"a":[1,2,{"b":"c"}]}', '"just a string"', "[]", '{"s":"[[[[[[{{{{{"}', '{"e":"\\\\u0000 is not a NUL"}']) {
    assert.deepEqual(both(text), [null, null], text);
  }
});

test("depth, values, objects and NUL characters are refused, on text and parsed alike", () => {
  const cases: Array<[string, RegExp]> = [
    ['{"a":{"b":{"c":{"d":{}}}}}', /deeper than 4/],
    ["[[[[[1]]]]]", /deeper than 4/],
    ["[1,2,3,4,5,6,7,8,9,10,11,12,13]", /more than 12 values/],
    ['[{},{},{},{},{},{}]', /more than 5 objects/],
    ['{"a":"x\\u0000y"}', /NUL/],
    ['{"x\\u0000":1}', /NUL/],
  ];
  for (const [text, reason] of cases) {
    const [scanned, walked] = both(text);
    assert.match(scanned ?? "", reason, `text: ${text}`);
    assert.match(walked ?? "", reason, `parsed: ${text}`);
  }
});

test("a megabyte of nested brackets is refused after reading a few bytes of it", () => {
  const text = "[".repeat(1_000_000);
  assert.match(scanJsonText(new TextEncoder().encode(text)) ?? "", /deeper than 24/);
});
