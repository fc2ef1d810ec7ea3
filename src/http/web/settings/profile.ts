// Settings: the public profile (display name, bio, and the account's flags), through the same
// account service as PATCH /api/v1/accounts/update_credentials (so followers' servers hear of it).
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, type SettingsContext } from "./layout.ts";
import { str } from "../../params.ts";
import type { AccountRow } from "../../../store/accounts.ts";

export const profileSettingsRoutes = settingsApp();

const SAVED = "Your profile was saved.";
/** More than the account service allows, so that it gives the message; less than anything absurd. */
const MAX_FIELD = 10_000;

function profileForm(c: SettingsContext, account: AccountRow, note: string, options: { notice?: string | null; error?: string | null } = {}) {
  const flag = (name: "locked" | "bot" | "discoverable", label: string, hint: string) =>
    html`<label class="check"><input type="checkbox" name="${name}" value="1"${account[name] ? html` checked` : ""}> ${label}</label><p class="hint">${hint}</p>`;
  return settingsPage(c, {
    active: "profile",
    title: "Profile",
    ...options,
    body: html`<p>@${account.username} · <a href="${account.url ?? account.uri}">your public profile</a></p>
<form method="post" action="/settings/profile">
  ${csrfField(c)}
  <label for="display_name">Display name</label>
  <input type="text" id="display_name" name="display_name" value="${account.display_name}" maxlength="30">
  <label for="note">Bio</label>
  <textarea id="note" name="note" maxlength="500">${note}</textarea>
  <h2>Account</h2>
  ${flag("locked", "Require follow requests", "You approve each new follower.")}
  ${flag("bot", "This is a bot account", "The account mostly acts automatically and may not be monitored.")}
  ${flag("discoverable", "Feature the profile in the directory", "The account may be suggested to others and listed in the profile directory.")}
  <button type="submit">Save</button>
</form>`,
  });
}

profileSettingsRoutes.get("/profile", async (c) => {
  const user = c.get("user");
  const account = await c.get("services").accounts.visible(user.account_id);
  return c.html(profileForm(c, account, user.note_source, { notice: noticeOf(c, [SAVED]) }));
});

profileSettingsRoutes.post("/profile", async (c) => {
  const params = await readForm(c);
  const user = c.get("user");
  const services = c.get("services");
  try {
    await services.accounts.updateProfile(user, {
      displayName: str(params, "display_name", MAX_FIELD) ?? "",
      note: (str(params, "note", MAX_FIELD) ?? "").replace(/\r\n/g, "\n"),
      locked: params.locked === "1",
      bot: params.bot === "1",
      discoverable: params.discoverable === "1",
    });
  } catch (error) {
    const { message, status } = refusal(error);
    const account = await services.accounts.visible(user.account_id);
    return c.html(profileForm(c, account, user.note_source, { error: message }), status);
  }
  return doneRedirect(c, "/settings/profile", SAVED);
});
