// HTML for people who open an account or a post URL in a browser. ActivityPub clients asking
// the same URLs for JSON are answered by the federation layer before these routes run.
import { Hono, type Context } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";
import { parseId } from "../../util/ids.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";

export const profileRoutes = new Hono<AppEnv>();

async function localAccount(c: Context<AppEnv>): Promise<AccountRow | null> {
  // "/@name" is matched as one "@name" segment (Hono has no literal-prefix parameters).
  const username = (c.req.param("username") ?? c.req.param("handle") ?? "").replace(/^@/, "");
  return c.get("services").search.lookupAccount(username, false).then((a) => (a.domain === null ? a : null), () => null);
}

function statusHtml(status: StatusRow, author: AccountRow) {
  const when = status.created_at.slice(0, 16).replace("T", " ");
  return html`<article class="status">
  <p><strong>${author.display_name || author.username}</strong> @${author.username} · <a href="${status.url ?? status.uri}">${when}</a></p>
  ${status.spoiler_text ? html`<details><summary>${status.spoiler_text}</summary>${raw(status.content)}</details>` : raw(status.content)}
</article>`;
}

async function profile(c: Context<AppEnv>) {
  const account = await localAccount(c);
  if (!account) return c.json({ error: "Record not found" }, 404);
  const services = c.get("services");
  const statuses = await services.timelines.account(account.id, null, { excludeReblogs: true, excludeReplies: true }, { limit: 20 });
  return c.html(
    page(`@${account.username}`, services.config.instance.title, html`<h1>${account.display_name || account.username}</h1>
<p>@${account.username}@${services.config.localDomain}</p>
${raw(account.note)}
<p>${account.statuses_count} posts · ${account.following_count} following · ${account.followers_count} followers</p>
${statuses.map((s) => statusHtml(s, account))}`),
  );
}

async function statusPage(c: Context<AppEnv>) {
  const account = await localAccount(c);
  const id = parseId(c.req.param("id"));
  if (!account || !id) return c.json({ error: "Record not found" }, 404);
  const services = c.get("services");
  const status = await services.statuses.readable(id, null).catch(() => null);
  if (!status || status.account_id !== account.id || status.reblog_of_id) return c.json({ error: "Record not found" }, 404);
  return c.html(page(`@${account.username}`, services.config.instance.title, statusHtml(status, account)));
}

profileRoutes.get("/:handle{@[^/]+}", profile);
profileRoutes.get("/users/:username", profile);
profileRoutes.get("/:handle{@[^/]+}/:id", statusPage);
profileRoutes.get("/users/:username/statuses/:id", statusPage);
