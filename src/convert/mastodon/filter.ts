// Filters → Mastodon's Filter, FilterKeyword, FilterStatus, FilterResult and (v1) V1_Filter.
import type { FilterKeywordRow, FilterRow, FilterStatusRow, FilterWithRules } from "../../store/filters.ts";
import type { FilterMatch } from "../../domain/filters/matching.ts";
import type { V1FilterView } from "../../domain/filters/filter-service.ts";
import { filterContexts } from "../../domain/filters/matching.ts";

/** The filter's own fields; `keywords` and `statuses` are added except inside a FilterResult. */
function filterFields(filter: FilterRow) {
  return {
    id: filter.id,
    title: filter.title,
    context: filterContexts(filter),
    expires_at: filter.expires_at,
    filter_action: filter.filter_action,
  };
}

export function toFilter(f: FilterWithRules) {
  return { ...filterFields(f.filter), keywords: f.keywords.map(toFilterKeyword), statuses: f.statuses.map(toFilterStatus) };
}

export function toFilterKeyword(k: FilterKeywordRow) {
  return { id: k.id, keyword: k.keyword, whole_word: k.whole_word === 1 };
}

export function toFilterStatus(s: FilterStatusRow) {
  return { id: s.id, status_id: s.status_id };
}

export function toFilterResult(m: FilterMatch) {
  return {
    filter: filterFields(m.filter),
    keyword_matches: m.keywordMatches.length ? m.keywordMatches : null,
    status_matches: m.statusMatches.length ? m.statusMatches : null,
  };
}

export function toV1Filter(v: V1FilterView) {
  return {
    id: v.keyword.id,
    phrase: v.keyword.keyword,
    context: filterContexts(v.filter),
    whole_word: v.keyword.whole_word === 1,
    expires_at: v.filter.expires_at,
    irreversible: v.filter.filter_action === "hide",
  };
}
