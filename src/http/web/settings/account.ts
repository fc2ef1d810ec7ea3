// Settings: the password (the current one, then the new one; every other session and every app
// token ends) and the e-mail address (a confirmation link goes to the new address; the account
// keeps the old one until it is followed).
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, type SettingsContext } from "./layout.ts";
import { str } from "../../params.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../../../domain/auth/passwords.ts";

export const accountSettingsRoutes = settingsApp();

const PASSWORD_CHANGED = "Your password was changed. Other sessions and apps were signed out.";
const EMAIL_SENT = "A confirmation link was sent to the new address. Your address changes when you follow it.";
const MAX_INPUT = 1000;

function passwordForm(c: SettingsContext, options: { notice?: string | null; error?: string | null } = {}) {
  return settingsPage(c, {
    active: "password",
    title: "Password",
    ...options,
    body: html`<p>Changing the password signs out every other browser and every app (they must sign in again).</p>
<form method="post" action="/settings/password">
  ${csrfField(c)}
  <label for="current_password">Current password</label>
  <input type="password" id="current_password" name="current_password" autocomplete="current-password" required>
  <label for="password">New password</label>
  <input type="password" id="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}" required>
  <label for="password_confirmation">New password again</label>
  <input type="password" id="password_confirmation" name="password_confirmation" autocomplete="new-password" required>
  <button type="submit">Change password</button>
</form>`,
  });
}

accountSettingsRoutes.get("/password", (c) => c.html(passwordForm(c, { notice: noticeOf(c, [PASSWORD_CHANGED]) })));

accountSettingsRoutes.post("/password", async (c) => {
  const params = await readForm(c);
  const next = str(params, "password", MAX_INPUT) ?? "";
  if (next !== (str(params, "password_confirmation", MAX_INPUT) ?? "")) {
    return c.html(passwordForm(c, { error: "The two new passwords are not the same." }), 422);
  }
  try {
    await c.get("services").sessions.changePassword(c.get("user"), str(params, "current_password", MAX_INPUT) ?? "", next, c.get("sessionId"));
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(passwordForm(c, { error: message }), status);
  }
  return doneRedirect(c, "/settings/password", PASSWORD_CHANGED);
});

function emailForm(c: SettingsContext, options: { notice?: string | null; error?: string | null; email?: string } = {}) {
  const user = c.get("user");
  return settingsPage(c, {
    active: "email",
    title: "E-mail address",
    ...options,
    body: html`<p>Your address: <strong id="current-email">${user.email}</strong>${user.confirmed_at ? "" : html` <span class="hint">(not confirmed yet)</span>`}</p>
<form method="post" action="/settings/email">
  ${csrfField(c)}
  <label for="email">New address</label>
  <input type="email" id="email" name="email" value="${options.email ?? ""}" autocomplete="email" maxlength="254" required>
  <label for="current_password">Password</label>
  <input type="password" id="current_password" name="current_password" autocomplete="current-password" required>
  <button type="submit">Change address</button>
</form>`,
  });
}

accountSettingsRoutes.get("/email", (c) => c.html(emailForm(c, { notice: noticeOf(c, [EMAIL_SENT]) })));

accountSettingsRoutes.post("/email", async (c) => {
  const params = await readForm(c);
  const services = c.get("services");
  const user = c.get("user");
  const email = (str(params, "email", MAX_INPUT) ?? "").trim();
  try {
    await services.accounts.confirmPassword(user, str(params, "current_password", MAX_INPUT) ?? "");
    await services.emails.sendEmailChange(user.id, email);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(emailForm(c, { error: message, email }), status);
  }
  return doneRedirect(c, "/settings/email", EMAIL_SENT);
});
