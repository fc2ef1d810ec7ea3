// Blocklist formats and the merging rules, in-process: the spellings lists are published in,
// the bounds on what is read, and what wins when lists disagree. The end-to-end behaviour
// (CLI, API, subscriptions over HTTP) is in test/e2e/blocklists.test.ts.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseBlocklist, serializeBlocklist, guessFormat, BLOCKLIST_LIMITS, obfuscateDomain } from "../../src/domain/moderation/blocklists/formats.ts";
import { merge } from "../../src/domain/moderation/blocklists/merge.ts";
import { HttpBlocklistSource } from "../../src/domain/moderation/blocklists/fetch.ts";
import type { BlocklistSubscriptionRow } from "../../src/store/moderation/blocklists.ts";
import type { DomainBlockRow } from "../../src/store/moderation/domain-blocks.ts";

test("Mastodon CSV: with or without '#', any column order, quoted comments, a headerless list; bad lines reported, not fatal", () => {
  const hashed = parseBlocklist('#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\r\na.example,silence,true,false,"one, ""two""\nthree",false\r\n', "csv");
  assert.deepEqual(hashed.entries, [{ domain: "a.example", severity: "silence", reject_media: true, reject_reports: false, public_comment: 'one, "two"\nthree', obfuscate: false }]);
  // Oliphant / IFTAS style: no "#", another order, extra columns.
  const plain = parseBlocklist("severity,domain,public_comment,extra\nsuspend,B.Example,bad,x\nnuke,c.example,,\n,d.example,,\n", "csv");
  assert.deepEqual(plain.entries.map((e) => [e.domain, e.severity, e.public_comment]), [["b.example", "suspend", "bad"], ["d.example", "suspend", ""]]);
  assert.deepEqual([plain.invalidCount, plain.invalid[0].line, plain.invalid[0].reason], [1, 3, 'unknown severity "nuke"']);
  const headerless = parseBlocklist("e.example\nf.example,silence\n\ne.example\n", "csv");
  assert.deepEqual(headerless.entries.map((e) => [e.domain, e.severity]), [["e.example", "suspend"], ["f.example", "silence"]]);
  assert.equal(headerless.duplicates, 1);
  const long = parseBlocklist(`domain\n${"x".repeat(5000)}.example\ng.example\n`, "csv");
  assert.deepEqual([long.entries.map((e) => e.domain), long.invalid[0].reason], [["g.example"], "line longer than 4096 bytes"]);
});

test("Mastodon JSON skips and counts obfuscated entries; RapidBlock reads isBlocked; text lists take comments", () => {
  const json = parseBlocklist(JSON.stringify([{ domain: "a.example", digest: "d", severity: "silence", comment: "c" }, { domain: "b**.example", digest: "d", severity: "suspend", comment: "" }, { domain: "*.wild.example", severity: "suspend" }, 7]), "json");
  assert.deepEqual(json.entries.map((e) => [e.domain, e.severity, e.public_comment]), [["a.example", "silence", "c"], ["wild.example", "suspend", ""]]);
  assert.deepEqual([json.obfuscated, json.invalidCount], [1, 1]);
  assert.throws(() => parseBlocklist("{}", "json"), /not Mastodon JSON/);
  assert.throws(() => parseBlocklist("[1,", "json"), /not Mastodon JSON/);

  const rapid = parseBlocklist(JSON.stringify({ "@spec": "https://rapidblock.org/spec/v1/", blocks: { "r.example": { isBlocked: true, reason: "spam", tags: [] }, "s.example": { isBlocked: false }, "t.example": { reason: "?" } } }), "rapidblock");
  assert.deepEqual(rapid.entries.map((e) => [e.domain, e.severity, e.public_comment]), [["r.example", "suspend", "spam"]]);
  assert.deepEqual([rapid.notBlocked, rapid.invalidCount], [1, 1]);
  assert.throws(() => parseBlocklist("[]", "rapidblock"), /not RapidBlock JSON/);

  const text = parseBlocklist("# heading\nu.example # why\n\n  V.EXAMPLE  \nhttps://w.example/\n", "text");
  assert.deepEqual(text.entries.map((e) => e.domain), ["u.example", "v.example"]);
  assert.equal(text.invalidCount, 1);
  assert.deepEqual([guessFormat("[{}]"), guessFormat('{"blocks":{}}'), guessFormat("#domain,#severity\n"), guessFormat("a.example\n")], ["json", "rapidblock", "csv", "text"]);
});

test("lists beyond the bounds are refused whole: more than 5 MiB, more than 100,000 entries", () => {
  assert.throws(() => parseBlocklist("a.example\n".repeat(Math.ceil(BLOCKLIST_LIMITS.maxBytes / 10) + 1), "text"), /larger than 5\.0 MiB are refused/);
  const many = Array.from({ length: BLOCKLIST_LIMITS.maxEntries + 1 }, (_, i) => `d${i}.example`).join("\n");
  assert.throws(() => parseBlocklist(many, "text"), /more than 100,000 entries/);
});

test("serializing: CSV carries everything, JSON hides obfuscated names, RapidBlock and text only shareable suspensions", () => {
  const blocks = [
    { domain: "a.example", severity: "suspend" as const, reject_media: 1 as const, reject_reports: 0 as const, public_comment: "x, y", obfuscate: 0 as const },
    { domain: "secret.example", severity: "suspend" as const, reject_media: 0 as const, reject_reports: 0 as const, public_comment: "", obfuscate: 1 as const },
    { domain: "b.example", severity: "silence" as const, reject_media: 0 as const, reject_reports: 0 as const, public_comment: "", obfuscate: 0 as const },
  ];
  for (const format of ["csv", "json", "rapidblock", "text"] as const) {
    const out = serializeBlocklist(blocks, format);
    const back = parseBlocklist(out.text, format);
    const expected = { csv: ["a.example", "b.example", "secret.example"], json: ["a.example", "b.example"], rapidblock: ["a.example"], text: ["a.example"] }[format];
    assert.deepEqual(back.entries.map((e) => e.domain), expected, format);
    assert.equal(out.written + out.omitted, 3, `${format}: every block is written or counted as omitted`);
  }
  assert.deepEqual(parseBlocklist(serializeBlocklist(blocks, "csv").text, "csv").entries[0], { domain: "a.example", severity: "suspend", reject_media: true, reject_reports: false, public_comment: "x, y", obfuscate: false });
  for (const name of ["a.b", "ab.cd", "secret.example"]) assert.match(obfuscateDomain(name), /\*/, name);
});

function sub(id: string, fields: Partial<BlocklistSubscriptionRow> = {}): BlocklistSubscriptionRow {
  return {
    id, url: `https://lists.example/${id}`, format: "text", priority: 0, create_as_drafts: 0, adopt_existing: 0, remove_retracted: 0, apply_silence: 1, max_severity: "suspend",
    excludes: "", enabled: 1, etag: null, last_modified: null, last_fetched_at: null, last_success_at: null, last_error: null, entries_count: 0, changes_applied: 0,
    created_at: "", updated_at: "", ...fields,
  };
}
const entry = (domain: string, severity: "suspend" | "silence" | "noop" = "suspend") => ({ domain, severity, reject_media: false, reject_reports: false, public_comment: "", obfuscate: false });
const block = (domain: string, fields: Partial<DomainBlockRow> = {}): DomainBlockRow => ({
  id: String(500 + domain.length), domain, severity: "suspend", reject_media: 0, reject_reports: 0, private_comment: "", public_comment: "", obfuscate: 0, subscription_id: null, created_at: "", updated_at: "", ...fields,
});

test("merging: ties go to the milder severity unless configured stricter; the maximum severity caps; silence only when applied", () => {
  const subs = [sub("1"), sub("2"), sub("3", { apply_silence: 0 }), sub("4", { max_severity: "silence", apply_silence: 0 })];
  const entries = new Map([["1", [entry("t.example")]], ["2", [entry("t.example", "silence")]], ["3", [entry("only-silence.example", "silence"), entry("s3.example")]], ["4", [entry("capped.example")]]]);
  const input = { subscriptions: subs, entries, blocks: [], adopted: new Set<string>(), drafts: [] };
  const creates = (ties: "milder" | "stricter") => Object.fromEntries(merge({ ...input, ties }).operations.flatMap((op) => (op.kind === "create" ? [[op.input.domain, [op.input.severity, op.subscriptionId]]] : [])));
  assert.deepEqual(creates("milder"), { "t.example": ["silence", "2"], "s3.example": ["suspend", "3"], "capped.example": ["silence", "4"] });
  assert.deepEqual(creates("stricter")["t.example"], ["suspend", "1"]);
});

test("merging: a subdomain under a stricter parent is skipped, and a parent planned in the same list counts", () => {
  const result = merge({
    subscriptions: [sub("1")], entries: new Map([["1", [entry("sub.p.example", "silence"), entry("p.example"), entry("q.example", "silence"), entry("sub.q.example")]]]),
    blocks: [], adopted: new Set(), drafts: [], ties: "milder",
  });
  assert.deepEqual(result.operations.map((op) => op.kind === "create" ? op.input.domain : "").sort(), ["p.example", "q.example", "sub.q.example"]);
});

test("the fetcher refuses private addresses outside the test environment (the connection guard)", async () => {
  const server = http.createServer((_req, res) => res.end("a.example\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list.txt`;
  try {
    const config = { testHosts: {}, blocklists: { refreshIntervalSeconds: 86400, fetchTimeoutSeconds: 5, ties: "milder" as const }, origin: "https://skein.example" };
    await assert.rejects(new HttpBlocklistSource({ ...config, environment: "production" }).fetch(url, "text", { etag: null, lastModified: null }), /refused/);
    const fetched = await new HttpBlocklistSource({ ...config, environment: "test" }).fetch(url, "text", { etag: null, lastModified: null });
    assert.deepEqual(fetched, { notModified: false, text: "a.example\n", etag: null, lastModified: null });
  } finally {
    server.close();
  }
});
