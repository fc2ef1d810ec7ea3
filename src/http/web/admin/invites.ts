// /admin/invites: every invite on the server (whose, its link, uses, expiry, state), creating one
// with its expiry and maximum uses, and revoking any. The service the settings page and
// /api/v1/invites use (InviteService): an invite is made by the signed-in admin as its inviter,
// and revoking another's needs manage_users there as well. Permission manage_invites, as
// Mastodon's role for the admin invites page.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { str } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { INVITE_EXPIRIES, MAX_INVITE_USES, inviteState } from "../../../domain/registration/invite-service.ts";

export const inviteRoutes = new Hono<AdminEnv>();

const CREATED = "The invite was created.";
const REVOKED = "The invite was revoked.";
const NOTICES = [CREATED, REVOKED];
const USES = ["1", "5", "10", "25", "50", String(MAX_INVITE_USES)];
const EXPIRY_LABELS: Record<string, string> = { "30m": "30 minutes", "1h": "1 hour", "6h": "6 hours", "12h": "12 hours", "1d": "1 day", "1w": "1 week", never: "Never" };
const STATE_LABELS = { valid: "valid", expired: "expired", used: "used up", revoked: "revoked" } as const;
const manage = can("manage_invites");

async function invitesPage(c: AdminContext, options: { notice?: string | null; error?: string | null } = {}) {
  const services = c.get("services");
  const [rows, settings] = await Promise.all([services.registration.invites.allWithInviters(), services.registration.settings.current()]);
  return adminPage(c, {
    active: "invites",
    title: "Invites",
    ...options,
    body: html`<p class="hint">Sign-up is ${settings.mode === "invite" ? "by invite only" : `in ${settings.mode} mode`}; an invite lets people sign up in any mode but closed.</p>
<form method="post" action="/admin/invites" id="create-invite" class="row">
${csrfField(c)}
<div><label for="max_uses">Uses</label>
<select id="max_uses" name="max_uses"><option value="">No limit</option>${USES.map((n) => html`<option value="${n}"${n === "1" ? " selected" : ""}>${n}</option>`)}</select></div>
<div><label for="expires_in">Expires after</label>
<select id="expires_in" name="expires_in">${Object.keys(INVITE_EXPIRIES).map((key) => html`<option value="${key}"${key === "1w" ? " selected" : ""}>${EXPIRY_LABELS[key] ?? key}</option>`)}</select></div>
<div><button type="submit">Create an invite</button></div>
</form>
${rows.length === 0
  ? html`<p id="no-invites">No invites.</p>`
  : html`<table id="invites">
<thead><tr><th scope="col">Link</th><th scope="col">By</th><th scope="col">Uses</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="hint">Revoke</span></th></tr></thead>
<tbody>
${rows.map(({ invite, inviter }) => {
  const state = inviteState(invite);
  return html`<tr data-code="${invite.code}">
  <td><code>${services.config.origin}/invite/${invite.code}</code></td>
  <td>${inviter ?? "—"}</td>
  <td>${invite.uses} / ${invite.max_uses ?? "∞"}</td>
  <td>${invite.expires_at ? when(invite.expires_at) : "never"}</td>
  <td class="state">${STATE_LABELS[state]}</td>
  <td>${state === "valid" ? html`<form class="inline" method="post" action="/admin/invites/${invite.id}/revoke">${csrfField(c)}<button type="submit" aria-label="Revoke the invite ${invite.code}">Revoke</button></form>` : ""}</td>
</tr>`;
})}
</tbody>
</table>`}`,
  });
}

inviteRoutes.get("/invites", manage, async (c) => c.html(await invitesPage(c, { notice: noticeOf(c, NOTICES) })));

inviteRoutes.post("/invites", manage, async (c) => {
  const params = await readForm(c);
  const uses = str(params, "max_uses", 10) ?? "";
  const expiry = str(params, "expires_in", 10) ?? "1w";
  if ((uses !== "" && !USES.includes(uses)) || !(expiry in INVITE_EXPIRIES)) {
    return c.html(await invitesPage(c, { error: "Choose the uses and the expiry from the lists." }), 422);
  }
  try {
    await c.get("services").registration.invites.create(c.get("user"), { maxUses: uses === "" ? null : Number(uses), expiresIn: INVITE_EXPIRIES[expiry] });
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await invitesPage(c, { error: message }), status);
  }
  return doneRedirect(c, "/admin/invites", CREATED);
});

inviteRoutes.post("/invites/:id/revoke", manage, async (c) => {
  await readForm(c);
  const id = parseId(c.req.param("id") ?? "");
  try {
    if (!id) return c.html(await invitesPage(c, { error: "No such invite." }), 404);
    await c.get("services").registration.invites.revoke(c.get("user"), id);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await invitesPage(c, { error: message }), status);
  }
  return doneRedirect(c, "/admin/invites", REVOKED);
});
