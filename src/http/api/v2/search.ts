// GET /api/v2/search (and the old /api/v1/search shape).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { renderAccounts, renderStatuses, viewerId } from "../../render.ts";
import { ApiError } from "../../errors.ts";
import { offsetPage } from "../../pagination.ts";

export const searchRoutes = new Hono<AppEnv>();

async function search(c: Context<AppEnv>) {
  const q = c.req.query("q") ?? "";
  const type = c.req.query("type");
  if (type && !["accounts", "statuses", "hashtags"].includes(type)) throw new ApiError(422, "type must be accounts, statuses or hashtags");
  const { limit, offset } = offsetPage(c, 20, 40);
  const resolve = ["true", "1"].includes(c.req.query("resolve") ?? "");
  const services = c.get("services");
  const results = await services.search.search(q, { type: type as "accounts" | undefined, resolve, viewerId: viewerId(c), limit, offset });
  const origin = services.config.origin;
  return {
    accounts: renderAccounts(c, results.accounts),
    statuses: await renderStatuses(c, results.statuses),
    hashtags: results.hashtags.map((t) => ({ id: t.id, name: t.name, url: `${origin}/tags/${encodeURIComponent(t.name)}`, history: [] })),
  };
}

searchRoutes.get("/", async (c) => c.json(await search(c)));
