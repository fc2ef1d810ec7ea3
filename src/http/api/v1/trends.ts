// /api/v1/trends: hashtags, statuses and links trending on this server (see DiscoveryService).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { convertContext, renderStatuses, viewerId } from "../../render.ts";
import { offsetPage, setOffsetLinks } from "../../pagination.ts";
import { toTrendingTag } from "../../../convert/mastodon/trends.ts";
import { toTrendsLink } from "../../../convert/mastodon/card.ts";

export const trendsRoutes = new Hono<AppEnv>();

async function tags(c: Context<AppEnv>) {
  const page = offsetPage(c, 10, 20);
  const services = c.get("services");
  const trending = await services.discovery.trendingTags(page.limit, page.offset);
  setOffsetLinks(c, page, trending.length);
  return c.json(trending.map((t) => toTrendingTag(t, convertContext(c))));
}

trendsRoutes.get("/", tags);
trendsRoutes.get("/tags", tags);

trendsRoutes.get("/statuses", async (c) => {
  const page = offsetPage(c, 20, 40);
  const rows = await c.get("services").discovery.trendingStatuses(viewerId(c), page.limit, page.offset);
  setOffsetLinks(c, page, rows.length);
  return c.json(await renderStatuses(c, rows));
});

trendsRoutes.get("/links", async (c) => {
  const page = offsetPage(c, 10, 20);
  const links = await c.get("services").discovery.trendingLinks(page.limit, page.offset);
  setOffsetLinks(c, page, links.length);
  const ctx = convertContext(c);
  return c.json(links.map((l) => toTrendsLink(l.card, l.author, l.history, ctx)));
});
