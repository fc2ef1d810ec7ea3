// Pure rules of the instance pages: the annual report's archetype (Mastodon's thresholds), how an
// admin's text becomes HTML, and where an activity week begins.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { archetypeOf, AVERAGE_POSTS_PER_YEAR } from "../../src/domain/annual-reports/annual-report-service.ts";
import { textToHtml } from "../../src/domain/instance/instance-texts.ts";
import { weekStart } from "../../src/domain/instance/activity.ts";

test("archetype: lurker below the yearly average, else whatever dominates the standalone posts", () => {
  const counts = (standalone: number, reblogs: number, replies: number, polls: number) => ({ total: standalone + reblogs + replies, standalone, reblogs, replies, polls });
  assert.equal(archetypeOf(counts(AVERAGE_POSTS_PER_YEAR - 1, 0, 0, 0)), "lurker");
  assert.equal(archetypeOf(counts(40, 81, 0, 0)), "booster");
  assert.equal(archetypeOf(counts(100, 0, 13, 11)), "pollster");
  assert.equal(archetypeOf(counts(40, 0, 81, 0)), "replier");
  assert.equal(archetypeOf(counts(100, 50, 50, 5)), "oracle");
});

test("an admin's text: HTML kept as written, plain text as escaped paragraphs with line breaks", () => {
  assert.equal(textToHtml("<p>Hi</p>\n"), "<p>Hi</p>");
  assert.equal(textToHtml("a & b\nc\n\n\nd < e"), "<p>a &amp; b<br>c</p>\n<p>d &lt; e</p>");
  assert.equal(textToHtml("  \n\n "), "");
});

test("activity weeks begin on Monday 00:00 UTC", () => {
  assert.equal(weekStart(new Date("2026-12-03T15:00:00Z")).toISOString(), "2026-11-30T00:00:00.000Z");
  assert.equal(weekStart(new Date("2026-11-30T00:00:00Z")).toISOString(), "2026-11-30T00:00:00.000Z");
  assert.equal(weekStart(new Date("2026-12-06T23:59:59Z")).toISOString(), "2026-11-30T00:00:00.000Z");
});
