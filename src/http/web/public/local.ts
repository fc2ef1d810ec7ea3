// /public/local: this server's public posts, twenty at a time. Skein has no setting that closes
// the public timeline to signed-out readers (GET /api/v1/timelines/public needs no token), so this
// page follows it and Mastodon's default (its timeline preview is on unless an admin turns it off).
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { publicPage } from "./layout.ts";
import { pager, paged, pageRequestOf, publicStatuses, statusArticle } from "./partials.ts";

const PAGE_SIZE = 20;

export async function localTimelinePage(c: Context<AppEnv>) {
  const services = c.get("services");
  const request = pageRequestOf(c, PAGE_SIZE);
  const page = paged(await services.timelines.public(null, { local: true }, request), request);
  const statuses = await publicStatuses(c, page.items);
  const base = `${services.config.origin}/public/local`;
  const title = services.config.instance.title;
  return c.html(
    publicPage(
      c,
      { title: "Local timeline", description: `Public posts from people on ${title}.`, url: base },
      html`<h1>Posts from ${title}</h1>
${statuses.length ? statuses.map((s) => statusArticle(s)) : html`<p>No public posts${request.maxId || request.minId ? " here" : " yet"}.</p>`}
${pager(base, page)}`,
    ),
  );
}
