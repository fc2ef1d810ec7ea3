// Settings: invites (domain/registration/invite-service.ts). A user whose role may invite makes
// links that let up to N people sign up before they expire, sees how many were used, and revokes
// them; the link is /invite/CODE, which prefills the sign-up.
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, type SettingsContext } from "./layout.ts";
import { str } from "../../params.ts";
import { INVITE_EXPIRIES, MAX_INVITE_USES, inviteState } from "../../../domain/registration/invite-service.ts";
import { parseId } from "../../../util/ids.ts";

export const inviteSettingsRoutes = settingsApp();

const PATH = "/settings/invites";
const CREATED = "The invite was created.";
const REVOKED = "The invite was revoked.";
const USES = ["1", "5", "10", "25", "50", String(MAX_INVITE_USES)];
const EXPIRY_LABELS: Record<string, string> = { "30m": "30 minutes", "1h": "1 hour", "6h": "6 hours", "12h": "12 hours", "1d": "1 day", "1w": "1 week", never: "Never" };
const STATE_LABELS = { valid: "Valid", expired: "Expired", used: "Used up", revoked: "Revoked" } as const;

async function invitesPage(c: SettingsContext, options: { notice?: string | null; error?: string | null } = {}) {
  const services = c.get("services");
  const user = c.get("user");
  const [invites, mayInvite] = await Promise.all([services.registration.invites.list(user), services.registration.invites.mayInvite(user)]);
  return settingsPage(c, {
    active: "invites",
    title: "Invites",
    ...options,
    body: html`${
      mayInvite
        ? html`<p>An invite is a link that lets people sign up on this server, even while registrations are by invite only.</p>
<form method="post" action="${PATH}">
  ${csrfField(c)}
  <label for="max_uses">Uses</label>
  <select id="max_uses" name="max_uses">
    <option value="">No limit</option>
    ${USES.map((n) => html`<option value="${n}"${n === "1" ? html` selected` : ""}>${n} ${n === "1" ? "use" : "uses"}</option>`)}
  </select>
  <label for="expires_in">Expires after</label>
  <select id="expires_in" name="expires_in">
    ${Object.keys(INVITE_EXPIRIES).map((key) => html`<option value="${key}"${key === "1w" ? html` selected` : ""}>${EXPIRY_LABELS[key] ?? key}</option>`)}
  </select>
  <button type="submit">Create invite</button>
</form>`
        : html`<p id="invites-not-allowed">Your role on this server does not allow inviting people.</p>`
    }
${
  invites.length === 0
    ? html`<p id="no-invites">You have no invites.</p>`
    : html`<h2>Your invites</h2>
<table id="invites">
<thead><tr><th>Link</th><th>Uses</th><th>Expires</th><th>State</th><th></th></tr></thead>
<tbody>
${invites.map((invite) => {
  const state = inviteState(invite);
  return html`<tr>
  <td><code>${services.config.origin}/invite/${invite.code}</code></td>
  <td>${invite.uses} / ${invite.max_uses ?? "∞"}</td>
  <td>${invite.expires_at ? `${invite.expires_at.slice(0, 10)} ${invite.expires_at.slice(11, 16)} UTC` : "never"}</td>
  <td>${STATE_LABELS[state]}</td>
  <td>${state === "valid" ? html`<form method="post" action="${PATH}/${invite.id}/revoke">${csrfField(c)}<button type="submit">Revoke</button></form>` : ""}</td>
</tr>`;
})}
</tbody>
</table>`
}`,
  });
}

inviteSettingsRoutes.get("/invites", async (c) => c.html(await invitesPage(c, { notice: noticeOf(c, [CREATED, REVOKED]) })));

inviteSettingsRoutes.post("/invites", async (c) => {
  const params = await readForm(c);
  const uses = str(params, "max_uses", 10) ?? "";
  const expiry = str(params, "expires_in", 10) ?? "1w";
  try {
    if (uses !== "" && !USES.includes(uses)) throw new Error("uses");
    if (!(expiry in INVITE_EXPIRIES)) throw new Error("expiry");
    await c.get("services").registration.invites.create(c.get("user"), { maxUses: uses === "" ? null : Number(uses), expiresIn: INVITE_EXPIRIES[expiry] });
  } catch (error) {
    if (error instanceof Error && (error.message === "uses" || error.message === "expiry")) {
      return c.html(await invitesPage(c, { error: "Choose the uses and the expiry from the lists." }), 422);
    }
    const { message, status } = refusal(error);
    return c.html(await invitesPage(c, { error: message }), status);
  }
  return doneRedirect(c, PATH, CREATED);
});

inviteSettingsRoutes.post("/invites/:id/revoke", async (c) => {
  await readForm(c);
  const id = parseId(c.req.param("id"));
  try {
    if (!id) throw new Error("not an id");
    // Only one's own invites here, whatever one's role: moderators revoke others' in the admin tools.
    const mine = (await c.get("services").registration.invites.list(c.get("user"))).some((invite) => invite.id === id);
    if (!mine) throw new Error("not mine");
    await c.get("services").registration.invites.revoke(c.get("user"), id);
  } catch (error) {
    const message = error instanceof Error && (error.message === "not an id" || error.message === "not mine") ? "No such invite." : refusal(error).message;
    return c.html(await invitesPage(c, { error: message }), error instanceof Error && !(error.message === "not an id" || error.message === "not mine") ? refusal(error).status : 404);
  }
  return doneRedirect(c, PATH, REVOKED);
});
