// Settings: who has access to the account. Authorized apps (live OAuth tokens grouped by app,
// with what they may do and when they were last used; revoking ends all of an app's tokens) and
// web sessions (browsers signed in, with their user agent; revoking one signs it out).
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, asApp } from "./layout.ts";
import { clearSessionCookie } from "../cookies.ts";
import { parseId } from "../../../util/ids.ts";

export const accessSettingsRoutes = settingsApp();

const APP_REVOKED = "The app's access was revoked.";
const SESSION_REVOKED = "The session was signed out.";

/** "2026-12-01 14:03 UTC": dates as people read them, in the one zone the server knows. */
function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "never";
}

accessSettingsRoutes.get("/apps", async (c) => {
  const apps = await c.get("services").oauth.authorizedApps(c.get("user").id);
  return c.html(
    settingsPage(c, {
      active: "apps",
      title: "Authorized apps",
      notice: noticeOf(c, [APP_REVOKED]),
      body: apps.length === 0
        ? html`<p id="no-apps">No app has access to your account.</p>`
        : html`<p>These apps can use your account. Revoke the ones you no longer use.</p>
<table id="apps">
<thead><tr><th>App</th><th>Permissions</th><th>Authorized</th><th>Last used</th><th></th></tr></thead>
<tbody>
${apps.map(
  (app) => html`<tr>
  <td>${app.website ? html`<a href="${app.website}" rel="noopener noreferrer">${app.name}</a>` : app.name}</td>
  <td><code>${app.scopes.join(" ")}</code></td>
  <td>${when(app.authorizedAt)}</td>
  <td>${when(app.lastUsedAt)}</td>
  <td><form method="post" action="/settings/apps/${app.applicationId}/revoke">${csrfField(c)}<button type="submit" aria-label="Revoke ${app.name}">Revoke</button></form></td>
</tr>`,
)}
</tbody>
</table>`,
    }),
  );
});

accessSettingsRoutes.post("/apps/:id/revoke", async (c) => {
  await readForm(c);
  const id = parseId(c.req.param("id"));
  try {
    if (!id) throw new Error("not an id");
    await c.get("services").oauth.revokeApp(c.get("user").id, id);
  } catch (error) {
    const message = id ? refusal(error).message : "This app has no access to your account.";
    return c.html(settingsPage(c, { active: "apps", title: "Authorized apps", error: message, body: html`<p><a href="/settings/apps">Back to the list</a></p>` }), 404);
  }
  return doneRedirect(c, "/settings/apps", APP_REVOKED);
});

accessSettingsRoutes.get("/sessions", async (c) => {
  const sessions = await c.get("services").sessions.listSessions(c.get("user").id);
  const current = c.get("sessionId");
  return c.html(
    settingsPage(c, {
      active: "sessions",
      title: "Sessions",
      notice: noticeOf(c, [SESSION_REVOKED]),
      body: html`<p>Browsers signed in to your account. Apps are listed under <a href="/settings/apps">Apps</a>.</p>
<table id="sessions">
<thead><tr><th>Browser</th><th>Signed in</th><th>Expires</th><th></th></tr></thead>
<tbody>
${sessions.map(
  (session) => html`<tr>
  <td>${session.user_agent ?? "unknown"}${session.id === current ? html` <strong>(this browser)</strong>` : ""}</td>
  <td>${when(session.created_at)}</td>
  <td>${when(session.expires_at)}</td>
  <td><form method="post" action="/settings/sessions/${session.id}/revoke">${csrfField(c)}<button type="submit">${session.id === current ? "Sign out" : "Revoke"}</button></form></td>
</tr>`,
)}
</tbody>
</table>`,
    }),
  );
});

accessSettingsRoutes.post("/sessions/:id/revoke", async (c) => {
  await readForm(c);
  const id = parseId(c.req.param("id"));
  const user = c.get("user");
  try {
    if (!id) throw new Error("not an id");
    await c.get("services").sessions.revokeSession(user.id, id);
  } catch (error) {
    const message = id ? refusal(error).message : "No such session.";
    return c.html(settingsPage(c, { active: "sessions", title: "Sessions", error: message, body: html`<p><a href="/settings/sessions">Back to the list</a></p>` }), 404);
  }
  if (id === c.get("sessionId")) {
    clearSessionCookie(asApp(c));
    return c.redirect("/auth/sign_in", 303);
  }
  return doneRedirect(c, "/settings/sessions", SESSION_REVOKED);
});
