// The formats of account data, without a server: Mastodon's CSV (quoting both ways, header-less
// files, booleans as Rails reads them, the bounds), and the archive's tar writer — read back by
// the system's own tar, so the archive opens with ordinary tools.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { csvLine, parseCsv } from "../../src/domain/account-data/csv.ts";
import { parseImport, MAX_IMPORT_ROWS } from "../../src/domain/account-data/import-format.ts";
import { tarStream } from "../../src/util/tar.ts";
import { DomainError } from "../../src/domain/errors.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("CSV: fields with commas, quotes and line breaks are quoted, and read back whole", () => {
  const line = csvLine(['Friends, "close"', "bob@a.test", true, "", "two\nlines"]);
  assert.equal(line, '"Friends, ""close""",bob@a.test,true,,"two\nlines"\n');
  assert.deepEqual(parseCsv(line + "\r\nx,y\r\n\n", 10), [['Friends, "close"', "bob@a.test", "true", "", "two\nlines"], ["x", "y"]]);
  assert.throws(() => parseCsv('"open\n', 10), DomainError);
  assert.throws(() => parseCsv('"a"b\n', 10), DomainError);
});

test("imports read Mastodon's files: with or without a header, booleans, addresses", () => {
  assert.deepEqual(parseImport("following", bytes("\ufeffAccount address,Show boosts,Notify on new posts,Languages\n@bob@a.test,false,TRUE,\"en, de\"\ncarol@a.test,,,\n")), [
    { acct: "bob@a.test", show_reblogs: false, notify: true, languages: ["en", "de"] },
    { acct: "carol@a.test", show_reblogs: null, notify: null, languages: null },
  ]);
  // Mastodon writes blocks, domain blocks, bookmarks and lists without a header.
  assert.deepEqual(parseImport("blocks", bytes("mallory@a.test\n")), [{ acct: "mallory@a.test" }]);
  assert.deepEqual(parseImport("domain_blocks", bytes("Spam.Example \n")), [{ domain: "spam.example" }]);
  assert.deepEqual(parseImport("lists", bytes('"Friends, close",bob@a.test\n')), [{ list_name: "Friends, close", acct: "bob@a.test" }]);
  // A follows file is a valid blocks or mutes file (the first column), as on Mastodon.
  assert.deepEqual(parseImport("mutes", bytes("Account address,Show boosts\nbob@a.test,true\n")), [{ acct: "bob@a.test", hide_notifications: null }]);
  assert.deepEqual(parseImport("mutes", bytes("Account address,Hide notifications\nbob@a.test,off\n")), [{ acct: "bob@a.test", hide_notifications: false }]);
});

test("imports refuse what is not the type's file, and what is too large", () => {
  const refused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof DomainError && e.kind === "validation" && pattern.test(e.message));
  refused(() => parseImport("domain_blocks", bytes("Account address\nbob@a.test\n")), /does not look like/);
  refused(() => parseImport("blocks", bytes("")), /empty/);
  refused(() => parseImport("blocks", bytes("\n\n")), /empty/);
  refused(() => parseImport("blocks", new Uint8Array([0xc3, 0x28])), /UTF-8/);
  refused(() => parseImport("blocks", bytes("a\u0000b\n")), /not a CSV/);
  refused(() => parseImport("blocks", bytes("x@a.test\n".repeat(MAX_IMPORT_ROWS + 1))), /more than 10000 rows/);
  assert.equal(parseImport("blocks", bytes("x@a.test\n".repeat(MAX_IMPORT_ROWS))).length, MAX_IMPORT_ROWS);
  refused(() => parseImport("blocks", new Uint8Array(1_000_001).fill(0x61)), /too large/);
});

test("tar: the system's tar lists and extracts what the writer made", async () => {
  const big = new Uint8Array(1500).map((_, i) => i % 251);
  const chunks: Uint8Array[] = [];
  for await (const chunk of tarStream([{ name: "actor.json", data: bytes('{"type":"Person"}') }, { name: "empty.json", data: new Uint8Array(0) }, { name: "big.bin", data: big }])) chunks.push(chunk);
  const tar = Buffer.concat(chunks);
  assert.equal(tar.length % 512, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-tar-"));
  try {
    fs.writeFileSync(path.join(dir, "a.tar.gz"), gzipSync(tar));
    assert.deepEqual(execFileSync("tar", ["-tzf", "a.tar.gz"], { cwd: dir, encoding: "utf8" }).trim().split("\n"), ["actor.json", "empty.json", "big.bin"]);
    fs.mkdirSync(path.join(dir, "out"));
    execFileSync("tar", ["-xzf", "../a.tar.gz"], { cwd: path.join(dir, "out") });
    assert.equal(fs.readFileSync(path.join(dir, "out", "actor.json"), "utf8"), '{"type":"Person"}');
    assert.equal(fs.statSync(path.join(dir, "out", "empty.json")).size, 0);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, "out", "big.bin"))), big);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // A name ustar cannot hold is refused, not cut short.
  await assert.rejects(async () => {
    for await (const _ of tarStream([{ name: "x".repeat(101), data: new Uint8Array(1) }]));
  }, /unsupported entry name/);
});
