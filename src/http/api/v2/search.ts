// GET /api/v2/search (and the old /api/v1/search shape).
// Posts are found by their words (signed in only, with Mastodon's operators and privacy rules:
// domain/search/status-search.ts); accounts and hashtags by prefix.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { renderAccounts, renderStatuses, viewerId } from "../../render.ts";
import { ApiError } from "../../errors.ts";
import { offsetPage } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";

export const searchRoutes = new Hono<AppEnv>();

/** An id parameter: absent → null; not an id → one that matches nothing (as Mastodon's cursors do). */
function idParam(c: Context<AppEnv>, name: string, unmatched: string): string | null {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return null;
  return parseId(raw) ?? unmatched;
}

async function search(c: Context<AppEnv>) {
  const q = c.req.query("q") ?? "";
  const type = c.req.query("type");
  if (type && !["accounts", "statuses", "hashtags"].includes(type)) throw new ApiError(422, "type must be accounts, statuses or hashtags");
  const { limit, offset } = offsetPage(c, 20, 40);
  const resolve = ["true", "1"].includes(c.req.query("resolve") ?? "");
  const viewer = viewerId(c);
  // Mastodon's Api::V2::SearchController: paging and resolving need a signed-in user.
  if (viewer === null && c.req.query("offset") !== undefined && c.req.query("offset") !== "") throw new ApiError(401, "Search queries pagination is not supported without authentication");
  if (viewer === null && resolve) throw new ApiError(401, "Search queries that resolve remote resources are not supported without authentication");
  const services = c.get("services");
  const results = await services.search.search(q, {
    type: type as "accounts" | undefined,
    resolve,
    viewerId: viewer,
    limit,
    offset,
    accountId: idParam(c, "account_id", "0"),
    following: ["true", "1"].includes(c.req.query("following") ?? ""),
    minId: idParam(c, "min_id", "9223372036854775807"),
    maxId: idParam(c, "max_id", "0"),
  });
  const origin = services.config.origin;
  return {
    accounts: renderAccounts(c, results.accounts),
    statuses: await renderStatuses(c, results.statuses),
    hashtags: results.hashtags.map((t) => ({ id: t.id, name: t.name, url: `${origin}/tags/${encodeURIComponent(t.name)}`, history: [] })),
  };
}

searchRoutes.get("/", async (c) => c.json(await search(c)));
