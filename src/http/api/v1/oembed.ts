// GET /api/oembed?url=…: the OEmbed description of one of this server's posts, so that other
// sites can embed it — only a local post anyone may read (public or unlisted) and not a boost;
// anything else is a 404. The HTML is a self-contained blockquote (the post's text, its author,
// a link to it), so embedding needs no script or frame from this server.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { escapeHtml } from "../../../domain/text/plain-to-html.ts";
import { parseId } from "../../../util/ids.ts";

export const oembedRoutes = new Hono<AppEnv>();

const DEFAULT_WIDTH = 400;
const CACHE_AGE = 86_400;

/** The status id a URL of this server names: /@name/:id or /users/:name/statuses/:id. */
function statusIdOf(raw: string, origin: string): { id: string; username: string } | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const m = /^\/(?:@([^/]+)|users\/([^/]+)\/statuses)\/(\d{1,19})\/?$/.exec(url.pathname);
  const id = m ? parseId(m[3]) : null;
  return m && id ? { id, username: decodeURIComponent(m[1] ?? m[2]) } : null;
}

oembedRoutes.get("/", async (c) => {
  const services = c.get("services");
  const { origin, localDomain } = services.config;
  const target = statusIdOf((c.req.query("url") ?? "").slice(0, 2000), origin);
  if (!target) throw new ApiError(404, "Record not found");
  const status = await services.statuses.readable(target.id, null).catch(() => null);
  if (!status || !status.local || status.reblog_of_id || (status.visibility !== "public" && status.visibility !== "unlisted")) throw new ApiError(404, "Record not found");
  const author = await services.accounts.visible(status.account_id).catch(() => null);
  if (!author || author.username.toLowerCase() !== target.username.toLowerCase()) throw new ApiError(404, "Record not found");
  const maxWidth = Number(c.req.query("maxwidth"));
  const width = Number.isInteger(maxWidth) && maxWidth > 0 ? Math.min(maxWidth, DEFAULT_WIDTH) : DEFAULT_WIDTH;
  const statusUrl = status.url ?? status.uri;
  const authorUrl = author.url ?? `${origin}/@${author.username}`;
  const name = author.display_name || author.username;
  const body = status.spoiler_text ? `<p>${escapeHtml(status.spoiler_text)}</p>` : status.content;
  const html =
    `<blockquote class="mastodon-embed" data-embed-url="${escapeHtml(statusUrl)}" style="max-width: ${width}px; margin: 0; padding: 1em; border: 1px solid #ccc; border-radius: 8px">` +
    `${body}<p>— <a href="${escapeHtml(authorUrl)}">${escapeHtml(name)} (@${escapeHtml(author.username)}@${escapeHtml(localDomain)})</a> · ` +
    `<a href="${escapeHtml(statusUrl)}">${escapeHtml(status.created_at.slice(0, 10))}</a></p></blockquote>`;
  return c.json({
    type: "rich",
    version: "1.0",
    title: `New status by ${author.username}`,
    author_name: name,
    author_url: authorUrl,
    provider_name: localDomain,
    provider_url: `${origin}/`,
    cache_age: CACHE_AGE,
    html,
    width,
    height: null,
  });
});
