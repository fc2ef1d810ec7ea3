// /tags/name: recent public posts with a hashtag, from here and elsewhere, twenty at a time
// (the API's hashtag timeline for no reader); /tags/name.rss and .atom the same as feeds.
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { missingPage, publicPage } from "./layout.ts";
import { pager, paged, pageRequestOf, publicStatuses, statusArticle } from "./partials.ts";
import { feed, feedRequest, type FeedFormat } from "./feeds.ts";

const PAGE_SIZE = 20;
/** What a hashtag may be (Mastodon's: letters, digits, marks, underscores and a few joiners). */
const TAG_NAME = /^[\p{L}\p{N}\p{M}_\u00b7\u200c]{1,100}$/u;

export async function tagPage(c: Context<AppEnv>) {
  // Hono hands the parameter over decoded.
  const name = c.req.param("name") ?? "";
  const asFeed = feedRequest(name);
  if (asFeed) return tagFeed(c, asFeed.name, asFeed.format);
  if (!TAG_NAME.test(name)) return missingPage(c, 404, "That is not a hashtag.");
  const services = c.get("services");
  const request = pageRequestOf(c, PAGE_SIZE);
  const page = paged(await services.timelines.tag(name, null, false, request), request);
  const statuses = await publicStatuses(c, page.items);
  const base = `${services.config.origin}/tags/${encodeURIComponent(name)}`;
  return c.html(
    publicPage(
      c,
      { title: `#${name}`, description: `Public posts tagged #${name} on ${services.config.instance.title} and the servers it knows.`, url: base, feeds: base },
      html`<h1>#${name}</h1>
${statuses.length ? statuses.map((s) => statusArticle(s)) : html`<p>No public posts with this hashtag${request.maxId || request.minId ? " here" : " yet"}.</p>`}
${pager(base, page)}`,
    ),
  );
}

async function tagFeed(c: Context<AppEnv>, name: string, format: FeedFormat) {
  if (!TAG_NAME.test(name)) return missingPage(c, 404, "That is not a hashtag.");
  const services = c.get("services");
  const base = `${services.config.origin}/tags/${encodeURIComponent(name)}`;
  const rows = await services.timelines.tag(name, null, false, { limit: PAGE_SIZE });
  return feed(c, format, { title: `#${name}`, description: `Public posts tagged #${name}`, link: base, self: base }, await publicStatuses(c, rows));
}
