// Password reset by e-mail, as web pages:
//   GET  /auth/password/new    a form asking for the account's e-mail address
//   POST /auth/password        mails a reset link (or nothing: the answer is the same whether
//                              the address has an account or not)
//   GET  /auth/password/edit?reset_password_token=…   the new-password form, for a usable link
//   POST /auth/password/edit   sets the password; every token and session of the account ends
// Forms carry the double-submit CSRF token of the sign-in page; requests that send mail are
// limited per client address (http/rate-limits.ts) and per e-mail address (domain/mail).
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { page } from "../layout.ts";
import { checkCsrf, csrfToken } from "../cookies.ts";
import { readParams, str } from "../../params.ts";
import { DomainError } from "../../../domain/errors.ts";
import { clientKey, mailRequests } from "../../rate-limits.ts";

export const passwordResetRoutes = new Hono<AppEnv>();

const MAX_TOKEN = 200;

function requestForm(c: Context<AppEnv>, error: string | null, email = "") {
  const title = c.get("services").config.instance.title;
  return page(
    "Forgot your password?",
    title,
    html`<h1>Forgot your password?</h1>
<p>Enter the e-mail address of your account on ${title}. We will mail you a link to choose a new password.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<form method="post" action="/auth/password">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  <label for="email">E-mail address</label>
  <input type="text" inputmode="email" id="email" name="email" value="${email}" autocomplete="email" required autofocus>
  <button type="submit">Send me a reset link</button>
</form>
<p><a href="/auth/sign_in">Back to sign-in</a></p>`,
  );
}

function newPasswordForm(c: Context<AppEnv>, token: string, error: string | null) {
  const title = c.get("services").config.instance.title;
  return page(
    "Choose a new password",
    title,
    html`<h1>Choose a new password</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<form method="post" action="/auth/password/edit">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  <input type="hidden" name="reset_password_token" value="${token}">
  <label for="password">New password</label>
  <input type="password" id="password" name="password" autocomplete="new-password" minlength="8" maxlength="128" required autofocus>
  <label for="password_confirmation">New password, again</label>
  <input type="password" id="password_confirmation" name="password_confirmation" autocomplete="new-password" minlength="8" maxlength="128" required>
  <button type="submit">Change my password</button>
</form>`,
  );
}

function badLinkPage(c: Context<AppEnv>, message: string) {
  return page(
    "Link not valid",
    c.get("services").config.instance.title,
    html`<h1>This reset link cannot be used</h1>
<p class="error" role="alert">${message}</p>
<p><a href="/auth/password/new">Ask for a new link</a></p>`,
  );
}

passwordResetRoutes.get("/password/new", (c) => c.html(requestForm(c, null)));

passwordResetRoutes.post("/password", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const email = (str(params, "email", 320) ?? "").trim();
  const limited = mailRequests.hit(clientKey(c));
  if (limited.retryAfterMs > 0) {
    c.header("Retry-After", String(Math.ceil(limited.retryAfterMs / 1000)));
    return c.html(requestForm(c, "Too many requests. Wait a while and try again.", email), 429);
  }
  if (!email) return c.html(requestForm(c, "Enter your e-mail address.", email), 422);
  await c.get("services").emails.sendPasswordReset(email);
  const title = c.get("services").config.instance.title;
  return c.html(
    page(
      "Check your mail",
      title,
      html`<h1>Check your mail</h1>
<p>If an account on ${title} uses <strong>${email}</strong>, a mail with a link to choose a new password is on its way. The link works for a few hours.</p>
<p><a href="/auth/sign_in">Back to sign-in</a></p>`,
    ),
  );
});

passwordResetRoutes.get("/password/edit", async (c) => {
  const token = (c.req.query("reset_password_token") ?? "").slice(0, MAX_TOKEN);
  try {
    await c.get("services").emails.checkResetToken(token);
  } catch (error) {
    if (error instanceof DomainError && error.kind === "unauthorized") return c.html(badLinkPage(c, error.message), 410);
    throw error;
  }
  return c.html(newPasswordForm(c, token, null));
});

passwordResetRoutes.post("/password/edit", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const token = str(params, "reset_password_token", MAX_TOKEN) ?? "";
  const password = str(params, "password", 1000) ?? "";
  if (password !== (str(params, "password_confirmation", 1000) ?? "")) {
    return c.html(newPasswordForm(c, token, "The two passwords are not the same."), 422);
  }
  try {
    await c.get("services").emails.resetPassword(token, password);
  } catch (error) {
    if (error instanceof DomainError && error.kind === "unauthorized") return c.html(badLinkPage(c, error.message), 410);
    if (error instanceof DomainError && error.kind === "validation") return c.html(newPasswordForm(c, token, error.message), 422);
    throw error;
  }
  return c.html(
    page(
      "Password changed",
      c.get("services").config.instance.title,
      html`<h1>Your password was changed</h1>
<p>Every app and browser signed in to your account was signed out. Sign in again with your new password.</p>
<p><a href="/auth/sign_in">Sign in</a></p>`,
    ),
  );
});
