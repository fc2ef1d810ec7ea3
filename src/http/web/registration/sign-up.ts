// The web sign-up page for people without an app: GET /auth/sign_up (the form; fields follow
// the mode: invite code, reason in approval mode, date of birth when there is a minimum age),
// POST /auth/sign_up (the same RegistrationService as POST /api/v1/accounts; CSRF-checked;
// errors shown next to their field), and /invite/CODE (the form with the code filled in, or a
// page saying why the invite no longer works).
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { page } from "../layout.ts";
import { checkCsrf, csrfToken } from "../cookies.ts";
import { readParams, str } from "../../params.ts";
import { clientIp } from "../../client-ip.ts";
import { throttle } from "../../rate-limits.ts";
import { registrationAttempts } from "../../api/v1/registrations.ts";
import { RegistrationInvalid, type FieldErrors } from "../../../domain/registration/registration-service.ts";
import { DomainError } from "../../../domain/errors.ts";

/** Mounted at /auth (http/app.ts). */
export const signUpRoutes = new Hono<AppEnv>();
/** Mounted at /invite. */
export const inviteRoutes = new Hono<AppEnv>();

interface Values { username?: string; email?: string; reason?: string; date_of_birth?: string; invite_code?: string }

async function signUpForm(c: Context<AppEnv>, values: Values, errors: FieldErrors, banner: string | null = null) {
  const services = c.get("services");
  const settings = await services.registration.settings.current();
  const title = services.config.instance.title;
  if (settings.mode === "closed" && !values.invite_code) {
    return page("Sign up", title, html`<h1>Sign up</h1><p id="closed" data-mode="closed">Registrations are closed on this server.</p><p><a href="/auth/sign_in">Sign in</a></p>`);
  }
  const fieldError = (name: string) => (errors[name] ? html`<p class="error" id="error-${name}">${errors[name].map((e) => e.description).join("; ")}</p>` : "");
  return page(
    "Sign up",
    title,
    html`<style>input[type=email], input[type=date], textarea { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; } textarea { min-height: 5rem; }</style>
<h1>Sign up</h1>
${settings.message ? html`<p id="message">${settings.message}</p>` : ""}
${settings.mode === "approval" ? html`<p>New accounts are reviewed by the moderators before they can be used.</p>` : ""}
${banner ? html`<p class="error" role="alert">${banner}</p>` : ""}
<form method="post" action="/auth/sign_up" data-mode="${settings.mode}" data-min-age="${settings.minAge ?? ""}" data-reason-required="${settings.reasonRequired ? "1" : "0"}">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  <label for="username">Username</label>
  <input type="text" id="username" name="username" value="${values.username ?? ""}" maxlength="30" autocomplete="username" required>
  ${fieldError("username")}
  <label for="email">E-mail</label>
  <input type="email" id="email" name="email" value="${values.email ?? ""}" autocomplete="email" required>
  ${fieldError("email")}
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required>
  ${fieldError("password")}
  ${settings.minAge !== null ? html`<label for="date_of_birth">Date of birth (you must be ${settings.minAge} or older)</label>
  <input type="date" id="date_of_birth" name="date_of_birth" value="${values.date_of_birth ?? ""}" required>${fieldError("date_of_birth")}` : ""}
  ${settings.mode === "approval" ? html`<label for="reason">Why do you want to join?${settings.reasonRequired ? "" : " (optional)"}</label>
  <textarea id="reason" name="reason" maxlength="1000">${values.reason ?? ""}</textarea>${fieldError("reason")}` : ""}
  <label for="invite_code">Invite code${settings.mode === "invite" ? "" : " (optional)"}</label>
  <input type="text" id="invite_code" name="invite_code" value="${values.invite_code ?? ""}" maxlength="64">
  ${fieldError("invite_code")}
  <label><input type="checkbox" id="agreement" name="agreement" value="1"> I agree to the <a href="/api/v1/instance/terms_of_service">terms of service</a></label>
  ${fieldError("agreement")}
  <button type="submit">Sign up</button>
</form>
<p><a href="/auth/sign_in">Already have an account? Sign in</a></p>`,
  );
}

signUpRoutes.get("/sign_up", async (c) => c.html(await signUpForm(c, { invite_code: c.req.query("invite_code")?.slice(0, 64) }, {})));

signUpRoutes.post("/sign_up", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const values: Values = {
    username: str(params, "username", 200), email: str(params, "email", 400), reason: str(params, "reason", 5000),
    date_of_birth: str(params, "date_of_birth", 40), invite_code: str(params, "invite_code", 100),
  };
  const limited = throttle(c, registrationAttempts);
  if (limited) return c.html(await signUpForm(c, values, {}, "Too many sign-ups from your address. Try again later."), 429);
  try {
    const { approved, user, checkoutUrl } = await c.get("services").registration.signUp({
      username: values.username ?? "", email: values.email ?? "", password: str(params, "password", 1000) ?? "",
      agreement: ["1", "on", "true"].includes(String(params.agreement ?? "")), reason: values.reason, dateOfBirth: values.date_of_birth,
      inviteCode: values.invite_code, ip: clientIp(c),
    });
    // A registration fee (account mode): straight on to the provider's checkout page.
    if (checkoutUrl) return c.redirect(checkoutUrl, 303);
    return c.html(page("Check your e-mail", c.get("services").config.instance.title, html`<h1>Check your e-mail</h1>
<p id="check-email">We sent a link to <strong>${user.email}</strong>. Open it to confirm your address${approved ? ", then sign in." : "."}</p>
${approved ? "" : html`<p id="pending">Your account will be usable once a moderator approves it; you will get an e-mail.</p>`}
<p><a href="/auth/sign_in">Sign in</a></p>`));
  } catch (error) {
    if (error instanceof RegistrationInvalid) return c.html(await signUpForm(c, values, error.details), 422);
    if (error instanceof DomainError && error.kind === "forbidden") return c.html(await signUpForm(c, values, {}, error.message), 403);
    throw error;
  }
});

inviteRoutes.get("/:code", async (c) => {
  const code = c.req.param("code").slice(0, 64);
  const found = await c.get("services").registration.invites.lookup(code);
  if (found?.state === "valid") return c.redirect(`/auth/sign_up?invite_code=${encodeURIComponent(code)}`, 303);
  const why = !found ? "This invite does not exist." : found.state === "expired" ? "This invite has expired." : found.state === "used" ? "This invite has been used up." : "This invite was revoked.";
  return c.html(page("Invite", c.get("services").config.instance.title, html`<h1>Invite</h1><p id="invite-invalid">${why}</p><p>Ask whoever sent it for a new one.</p>`), found ? 410 : 404);
});
