// /api/v1/trends: hashtags, statuses and links trending on this server (see DiscoveryService).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { renderStatuses, viewerId } from "../../render.ts";
import { ApiError } from "../../errors.ts";
import { toTrendingTag } from "../../../convert/mastodon/trends.ts";

export const trendsRoutes = new Hono<AppEnv>();

/** `limit` and `offset`, Mastodon's paging for lists that are ranked rather than sorted by id. */
export function offsetPage(c: Context<AppEnv>, defaultLimit: number, maxLimit: number): { limit: number; offset: number } {
  const number = (name: string, fallback: number) => {
    const raw = c.req.query(name);
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new ApiError(422, `${name} must be a whole number`);
    return value;
  };
  return { limit: Math.min(Math.max(number("limit", defaultLimit), 1), maxLimit), offset: Math.min(Math.max(number("offset", 0), 0), 10_000) };
}

/** `Link: <…offset=N>; rel="next"` when the page came back full, and `prev` past the first page. */
export function setOffsetLinks(c: Context<AppEnv>, page: { limit: number; offset: number }, count: number): void {
  const { origin } = c.get("services").config;
  const url = new URL(c.req.url);
  const link = (offset: number) => {
    const target = new URL(url.pathname, origin);
    for (const [k, v] of url.searchParams) if (k !== "offset") target.searchParams.append(k, v);
    target.searchParams.set("offset", String(offset));
    return target.toString();
  };
  const links: string[] = [];
  if (count >= page.limit) links.push(`<${link(page.offset + count)}>; rel="next"`);
  if (page.offset > 0) links.push(`<${link(Math.max(page.offset - page.limit, 0))}>; rel="prev"`);
  if (links.length) c.header("Link", links.join(", "));
}

async function tags(c: Context<AppEnv>) {
  const page = offsetPage(c, 10, 20);
  const services = c.get("services");
  const trending = await services.discovery.trendingTags(page.limit, page.offset);
  setOffsetLinks(c, page, trending.length);
  return c.json(trending.map((t) => toTrendingTag(t, { origin: services.config.origin })));
}

trendsRoutes.get("/", tags);
trendsRoutes.get("/tags", tags);

trendsRoutes.get("/statuses", async (c) => {
  const page = offsetPage(c, 20, 40);
  const rows = await c.get("services").discovery.trendingStatuses(viewerId(c), page.limit, page.offset);
  setOffsetLinks(c, page, rows.length);
  return c.json(await renderStatuses(c, rows));
});

trendsRoutes.get("/links", async (c) => c.json(await c.get("services").discovery.trendingLinks()));
