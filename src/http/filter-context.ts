// Where each endpoint shows statuses, in the terms of Mastodon's filter contexts. The renderer
// (render.ts) applies the reader's filters for the context of the request's path, so handlers
// never deal with filters: a new timeline endpoint only needs a line here.
import type { FilterContext } from "../db/schema.ts";

const CONTEXTS: readonly [RegExp, FilterContext][] = [
  // Lists are read like the home timeline, as on Mastodon.
  [/^\/api\/v1\/timelines\/(home|list\/[^/]+)\/?$/, "home"],
  [/^\/api\/v1\/timelines\/(public|tag\/[^/]+|link)\/?$/, "public"],
  [/^\/api\/v1\/trends\/statuses\/?$/, "public"],
  [/^\/api\/v1\/accounts\/[^/]+\/statuses\/?$/, "account"],
  [/^\/api\/v1\/statuses\/[^/]+\/context\/?$/, "thread"],
  // Grouped notifications (/api/v2/notifications) list status ids beside the statuses, so
  // they are not listed here until their groups can drop statuses a filter hides.
  [/^\/api\/v1\/notifications(\/|$)/, "notifications"],
];

/** The filter context of an API path; undefined where statuses are not shown in one. */
export function filterContextOf(path: string): FilterContext | undefined {
  return CONTEXTS.find(([pattern]) => pattern.test(path))?.[1];
}
