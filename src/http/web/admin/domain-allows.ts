// /admin/domain_allows: the servers allowed to federate. In allowlist mode (FEDERATION_MODE=
// allowlist) only these federate — removing one ends federation with it and removes what is
// stored from it; in blocklist mode an allow overrides a subscription's block. A block still
// beats an allow. The service /api/v1/admin/domain_allows uses (DomainBlockService's allows),
// with its permission, manage_federation.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { actorOf, adminPage, can, csrfField, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { str } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { cursorPage, pagerLinks } from "./partials.ts";

export const domainAllowRoutes = new Hono<AdminEnv>();

const ALLOWED = "The domain is allowed.";
const REMOVED = "The allow was removed.";
const NOTICES = [ALLOWED, REMOVED];
const manage = can("manage_federation");

async function allowsPage(c: AdminContext, options: { notice?: string | null; error?: string | null } = {}) {
  const services = c.get("services");
  const request = cursorPage(c, 100);
  const rows = request.trim(await services.moderation.domainBlocks.allows(request.page));
  const allowlist = services.config.federationMode === "allowlist";
  return adminPage(c, {
    active: "domain_allows",
    title: "Domain allows",
    ...options,
    body: html`<p id="federation-mode">${allowlist
  ? html`This server federates in <strong>allowlist mode</strong>: only the domains below (and their subdomains) federate with it. Removing one ends federation with it and removes what is stored from it.`
  : html`This server federates in <strong>blocklist mode</strong> (FEDERATION_MODE): every server federates unless blocked; an allow here overrides a blocklist subscription's block. A moderator's block still beats an allow.`}</p>
${rows.length === 0
  ? html`<p id="no-allows">No domain is allowed.</p>`
  : html`<table id="domain-allows">
<thead><tr><th scope="col">Domain</th><th scope="col">Since</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>${rows.map((a) => html`<tr><td>${a.domain}</td><td>${when(a.created_at)}</td><td><form class="inline" method="post" action="/admin/domain_allows/${a.id}/remove">${csrfField(c)}<button type="submit" aria-label="Remove the allow of ${a.domain}"${allowlist ? html` class="danger"` : ""}>Remove</button></form></td></tr>`)}</tbody>
</table>`}
${pagerLinks("/admin/domain_allows", request.links(rows))}
<form method="post" action="/admin/domain_allows" id="add-allow" class="row">
${csrfField(c)}
<div><label for="allow-domain">Domain (covers its subdomains)</label><input type="text" id="allow-domain" name="domain" required maxlength="253" autocomplete="off"></div>
<div><button type="submit">Allow the domain</button></div>
</form>`,
  });
}

domainAllowRoutes.get("/domain_allows", manage, async (c) => c.html(await allowsPage(c, { notice: noticeOf(c, NOTICES) })));

domainAllowRoutes.post("/domain_allows", manage, async (c) => {
  const params = await readForm(c);
  try {
    await c.get("services").moderation.domainBlocks.allow(actorOf(c), str(params, "domain", 1000)?.trim() ?? "");
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await allowsPage(c, { error: message }), status);
  }
  return doneRedirect(c, "/admin/domain_allows", ALLOWED);
});

domainAllowRoutes.post("/domain_allows/:id/remove", manage, async (c) => {
  await readForm(c);
  try {
    await c.get("services").moderation.domainBlocks.removeAllow(actorOf(c), parseId(c.req.param("id") ?? "") ?? "0");
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await allowsPage(c, { error: message }), status);
  }
  return doneRedirect(c, "/admin/domain_allows", REMOVED);
});
