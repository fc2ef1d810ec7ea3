// The keyword rules of filters (domain/filters/matching.ts), as Mastodon applies them.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyInContext, FilterMatcher, htmlToPlainText, keywordRegExp, type FilterMatch } from "../../src/domain/filters/matching.ts";
import type { FilterRow } from "../../src/store/filters.ts";
import type { StatusRow } from "../../src/store/statuses.ts";

test("whole-word keywords need a boundary where they begin or end with a word character", () => {
  const matches = (keyword: string, wholeWord: boolean, text: string) => keywordRegExp(keyword, wholeWord).test(text);
  assert.equal(matches("cat", true, "My Cat!"), true);
  assert.equal(matches("cat", true, "cats"), false);
  assert.equal(matches("cat", true, "concatenate"), false);
  assert.equal(matches("cat", false, "concatenate"), true);
  assert.equal(matches("#tag", true, "a #tag here"), true, "no boundary needed before a non-word character");
  assert.equal(matches("été", true, "un été chaud"), true, "boundaries are Unicode-aware");
  assert.equal(matches("été", true, "étés"), false);
  assert.equal(matches("a.b (c)", false, "x A.B (C) y"), true, "regular-expression characters are literal");
  assert.equal(matches("a.b", false, "axb"), false);
});

test("statuses are matched on their plain text: tags dropped, entities decoded, lines kept", () => {
  assert.equal(htmlToPlainText('<p>Hi <a href="/@bob" class="u-url mention">@<span>bob</span></a> &amp; &#39;you&#x27;</p><p>a<br>b</p>'), "Hi @bob & 'you'\n\na\nb");
});

const filter = (id: string, action: FilterRow["filter_action"], context: string[]): FilterRow => ({
  id, account_id: "1", title: id, context: JSON.stringify(context), filter_action: action, expires_at: null, created_at: "", updated_at: "",
});
const status = (id: string, accountId: string, content: string, extra: Partial<StatusRow> = {}) =>
  ({ id, account_id: accountId, content, spoiler_text: "", reblog_of_id: null, ...extra }) as StatusRow;

test("the matcher reports keyword and status matches, never on the reader's own statuses", () => {
  const kw = { id: "k", filter_id: "w", keyword: "secret", whole_word: 1 as const, created_at: "", updated_at: "" };
  const matcher = new FilterMatcher("9", [
    { filter: filter("w", "warn", ["home"]), keywords: [kw], statuses: [] },
    { filter: filter("s", "hide", ["public"]), keywords: [], statuses: [{ id: "x", filter_id: "s", status_id: "100", created_at: "" }] },
  ]);
  const other = status("100", "2", "<p>A SECRET plan</p>");
  const found = matcher.match(other, other, []);
  assert.deepEqual(found.map((m) => [m.filter.id, m.keywordMatches, m.statusMatches]), [["w", ["SECRET"], []], ["s", [], ["100"]]]);
  const cw = status("101", "2", "<p>body</p>", { spoiler_text: "secret inside" });
  assert.deepEqual(matcher.match(cw, cw, []).map((m) => m.filter.id), ["w"], "content warnings are matched");
  const poll = status("102", "2", "<p>vote</p>");
  assert.deepEqual(matcher.match(poll, poll, ["a secret option"]).map((m) => m.filter.id), ["w"], "poll options are matched");
  const mine = status("103", "9", "<p>my secret</p>");
  assert.deepEqual(matcher.match(mine, mine, []), []);
  // A boost is matched on what it boosts, and by either id.
  const boost = status("200", "3", "", { reblog_of_id: "100" });
  assert.deepEqual(matcher.match(boost, other, []).map((m) => [m.filter.id, m.statusMatches]), [["w", []], ["s", ["100"]]]);
});

test("in a context, hide removes and warn reports; without one every match is reported", () => {
  const warn: FilterMatch = { filter: filter("w", "warn", ["home", "public"]), keywordMatches: ["x"], statusMatches: [] };
  const hide: FilterMatch = { filter: filter("h", "hide", ["thread"]), keywordMatches: ["x"], statusMatches: [] };
  assert.deepEqual(applyInContext([warn, hide], "home"), { hidden: false, shown: [warn] });
  assert.deepEqual(applyInContext([warn, hide], "thread"), { hidden: true, shown: [] });
  assert.deepEqual(applyInContext([warn, hide], "account"), { hidden: false, shown: [] });
  assert.deepEqual(applyInContext([warn, hide], undefined), { hidden: false, shown: [warn, hide] });
});
