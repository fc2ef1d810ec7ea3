// The text normalizer and Mastodon's search syntax (domain/search): what a document and a query
// are turned into before either database sees them.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { htmlToText, normalizeText, statusDocument } from "../../src/domain/search/normalize.ts";
import { parseSearchQuery } from "../../src/domain/search/query-parser.ts";
import { rankHits, textScore } from "../../src/domain/search/status-search.ts";
import { loadSearchConfig } from "../../src/config/search-config.ts";

test("documents: HTML stripped, entities decoded, NFKC and lowercase, punctuation as spaces", () => {
  assert.equal(htmlToText("<p>Fish &amp; chips<br>today&#33;</p><p>&lt;b&gt;</p>"), "Fish & chips today! <b> ");
  assert.equal(normalizeText("Ｆｕｌｌ-width ＡＢＣ, café!"), "full width abc café");
  assert.equal(normalizeText("@alice@example.com https://example.com/a_b"), "alice example com https example com a b");
  assert.equal(statusDocument({ spoilerText: "CW", contentHtml: "<p>Body</p>", pollOptions: ["Yes"], mediaDescriptions: [null, "A cat"] }), "cw body yes a cat");
});

test("CJK runs become overlapping bigrams; a lone character stays", () => {
  assert.equal(normalizeText("東京都に行く"), "東京 京都 都に に行 行く");
  assert.equal(normalizeText("猫 と Hund"), "猫 と hund");
  assert.equal(normalizeText("서울특별시"), "서울 울특 특별 별시");
});

test("queries: words, phrases, exclusions, and Mastodon's operators", () => {
  const q = parseSearchQuery('Cats "big dogs" -mice from:me -from:bob@example.com has:media -is:reply language:EN-gb in:library');
  assert.deepEqual(q.terms, [{ text: "cats", prefix: false }, { text: "big dogs", prefix: false }]);
  assert.deepEqual(q.excluded, [{ text: "mice", prefix: false }]);
  assert.deepEqual(q.from, { include: ["me"], exclude: ["bob@example.com"] });
  assert.deepEqual(q.has, { include: ["media"], exclude: [] });
  assert.deepEqual(q.is, { include: [], exclude: ["reply"] });
  assert.deepEqual(q.language, { include: ["en"], exclude: [] });
  assert.equal(q.in, "library");
  assert.equal(q.impossible, false);
});

test("dates are UTC days: before is earlier than the day, after later than it, during within it", () => {
  assert.deepEqual([parseSearchQuery("x before:2024-03-10").until, parseSearchQuery("x before:2024-03-10").since], ["2024-03-10T00:00:00.000Z", null]);
  assert.equal(parseSearchQuery("x after:2024-03-10").since, "2024-03-11T00:00:00.000Z");
  const during = parseSearchQuery("x during:2024-02-29");
  assert.deepEqual([during.since, during.until], ["2024-02-29T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]);
  assert.equal(parseSearchQuery("x before:2023-02-30").impossible, true, "no such day");
  assert.equal(parseSearchQuery("x has:unicorns").impossible, true);
  assert.equal(parseSearchQuery("x in:elsewhere").impossible, true);
});

test("what is not an operator is text; a one-character CJK word is a prefix; bounds hold", () => {
  assert.deepEqual(parseSearchQuery("https://example.com/x re:subject").terms.map((t) => t.text), ["https example com x", "re subject"]);
  assert.deepEqual(parseSearchQuery("猫").terms, [{ text: "猫", prefix: true }]);
  assert.deepEqual(parseSearchQuery("東京").terms, [{ text: "東京", prefix: false }]);
  assert.deepEqual(parseSearchQuery("!!! -- \"\"").terms, []);
  assert.equal(parseSearchQuery(Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ")).terms.length, 16);
  assert.equal(parseSearchQuery("FROM:me").from.include[0], "me", "operators are case-insensitive");
});

test("ranking weighs relevance with recency; ties go to the newer post", () => {
  const now = Date.parse("2025-01-31T00:00:00Z");
  const hits = [
    { id: "300", score: 1, document: null, created_at: "2025-01-30T00:00:00Z" },
    { id: "200", score: 10, document: null, created_at: "2025-01-29T00:00:00Z" },
    { id: "100", score: 10, document: null, created_at: "2023-01-01T00:00:00Z" },
    { id: "150", score: 1, document: null, created_at: "2025-01-30T00:00:00Z" },
  ];
  assert.deepEqual(rankHits(hits, [], now).map((h) => h.id), ["200", "100", "300", "150"]);
  // Without the engine's score (SQLite), the text is scored: more occurrences in a shorter post rank higher.
  const cat = [{ text: "cat", prefix: false }];
  const texts = [
    { id: "3", score: null, document: "a dog and a cat and a bird and a fish", created_at: "2025-01-30T00:00:00Z" },
    { id: "2", score: null, document: "cat cat cat", created_at: "2025-01-30T00:00:00Z" },
    { id: "1", score: null, document: "the cat", created_at: "2025-01-30T00:00:00Z" },
  ];
  assert.deepEqual(rankHits(texts, cat, now).map((h) => h.id), ["2", "1", "3"]);
  assert.ok(textScore("東京 京都", [{ text: "東", prefix: true }], 2) > textScore("京都", [{ text: "東", prefix: true }], 2));
});

test("SEARCH_INDEXING is on by default, off when asked, and anything else is a configuration problem", () => {
  const problems: string[] = [];
  assert.deepEqual(loadSearchConfig({}, problems), { indexing: true });
  assert.deepEqual(loadSearchConfig({ SEARCH_INDEXING: "off" }, problems), { indexing: false });
  assert.deepEqual(loadSearchConfig({ SEARCH_INDEXING: "ON" }, problems), { indexing: true });
  assert.deepEqual(problems, []);
  loadSearchConfig({ SEARCH_INDEXING: "sometimes" }, problems);
  assert.deepEqual(problems, ['SEARCH_INDEXING must be on or off (got "sometimes")']);
});
