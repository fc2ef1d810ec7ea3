// /@name/ID: one local post and its thread as a signed-out visitor may read it. The post, its
// ancestors and its replies come from the same domain reads as the API's status and context for
// no reader (domain/statuses): only public and unlisted posts, so a followers-only or direct reply
// never shows. Remote replies are the API's sanitized HTML.
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { missingPage, publicPage, wantsActivityJson } from "./layout.ts";
import { displayName, publicStatuses, statusArticle, statusDescription, statusImage } from "./partials.ts";
import { pageAccount } from "./profile.ts";
import { parseId } from "../../../util/ids.ts";

export async function threadPage(c: Context<AppEnv>) {
  const found = await pageAccount(c, c.req.param("handle") ?? c.req.param("username") ?? "");
  if (found instanceof Response) return found;
  const services = c.get("services");
  const id = parseId(c.req.param("id"));
  const row = id ? await services.statuses.readable(id, null).catch(() => null) : null;
  if (!row || row.account_id !== found.id || row.reblog_of_id) return missingPage(c, 404, "There is no public post at this address.");
  if (wantsActivityJson(c) && c.req.path.startsWith("/@")) return c.redirect(row.uri, 302);
  const { origin, localDomain } = services.config;
  const { ancestors, descendants } = await services.statuses.context(row.id, null);
  const [status] = await publicStatuses(c, [row]);
  const [before, after] = await Promise.all([publicStatuses(c, ancestors), publicStatuses(c, descendants)]);
  const url = `${origin}/@${found.username}/${row.id}`;
  const name = displayName(status.account);
  return c.html(
    publicPage(
      c,
      {
        title: `${name}: "${statusDescription(status).slice(0, 60)}"`,
        description: statusDescription(status),
        url,
        ...statusImage(status),
        type: "article",
        noindex: status.account.noindex,
        feeds: `${origin}/@${found.username}`,
        oembed: `${origin}/api/oembed?url=${encodeURIComponent(url)}&format=json`,
        activity: row.uri,
      },
      html`${before.map((s) => statusArticle(s))}
${statusArticle(status, { focus: true })}
${after.length ? html`<h2>Replies</h2>${after.map((s) => statusArticle(s, { reply: true }))}` : ""}
<p class="meta"><a href="${origin}/@${found.username}">More from ${name} (@${found.username}@${localDomain})</a></p>`,
    ),
  );
}
