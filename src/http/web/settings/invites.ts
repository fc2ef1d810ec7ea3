// Settings: invites. Registration by invite is not on this server yet (its service is being
// built), so the page says so rather than show anything that would not work.
import { html } from "hono/html";
import { settingsApp, settingsPage } from "./layout.ts";

export const inviteSettingsRoutes = settingsApp();

inviteSettingsRoutes.get("/invites", (c) =>
  c.html(
    settingsPage(c, {
      active: "invites",
      title: "Invites",
      body: html`<p id="invites-unavailable">Invites are not available on this server yet.</p>`,
    }),
  ),
);
