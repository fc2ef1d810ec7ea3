// Settings: two-factor sign-in. Setting it up shows the key (as text and as the otpauth:// URI
// authenticator apps read) until a first correct code enables it; then ten recovery codes are
// shown, once. Turning it off takes the password and a code. A user whose role requires it is
// sent here after signing in (layout.ts's guard) and back where they were going afterwards.
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, type SettingsContext } from "./layout.ts";
import { str } from "../../params.ts";
import { safeReturnTo } from "../sign-in.ts";
import { RateLimiter } from "../../../domain/auth/rate-limiter.ts";
import { RECOVERY_CODE_COUNT } from "../../../domain/auth/two-factor.ts";

export const twoFactorSettingsRoutes = settingsApp();

const PATH = "/settings/two_factor";
const DISABLED = "Two-factor sign-in is off.";
const MAX_INPUT = 1000;
/**
 * Codes tried on this page per user in 5 minutes: enabling, turning off and new recovery codes
 * all check one, and a signed-in session must not become a way to guess them.
 */
const codeChecks = new RateLimiter({ limit: 10, windowMs: 5 * 60 * 1000 });

function tooMany(c: SettingsContext): string | null {
  const limited = codeChecks.hit(c.get("user").id);
  if (limited.retryAfterMs <= 0) return null;
  c.header("Retry-After", String(Math.ceil(limited.retryAfterMs / 1000)));
  return "Too many attempts. Wait a few minutes and try again.";
}

function returnToOf(c: SettingsContext, value: unknown): string | null {
  if (typeof value !== "string" || value === "") return null;
  const path = safeReturnTo(value, c.get("services").config.origin);
  return path === "/" ? null : path;
}

async function setupPage(c: SettingsContext, returnTo: string | null, options: { error?: string | null; notice?: string | null } = {}) {
  const services = c.get("services");
  const user = c.get("user");
  const { secret, uri } = await services.twoFactor.setup(user);
  const required = services.twoFactor.required(user);
  return settingsPage(c, {
    active: "two_factor",
    title: "Two-factor sign-in",
    ...options,
    body: html`${required ? html`<p class="error" role="alert" id="two-factor-required">Your role on this server requires two-factor sign-in. Set it up to go on.</p>` : ""}
<p>Two-factor sign-in asks for a code from an app on your phone (any TOTP authenticator: Aegis, FreeOTP, Google Authenticator, 1Password…) after your password.</p>
<h2>1. Add this key to your authenticator app</h2>
<p>Type the key in, or open the link on the device with the app:</p>
<code class="token" id="two-factor-secret">${secret.match(/.{1,4}/g)!.join(" ")}</code>
<p><a href="${uri}" id="two-factor-uri">${uri}</a></p>
<p class="hint">Time-based, SHA-1, 6 digits, every 30 seconds. The key is shown only until two-factor sign-in is on.</p>
<h2>2. Enter the code the app shows</h2>
<form method="post" action="${PATH}/enable">
  ${csrfField(c)}
  ${returnTo ? html`<input type="hidden" name="return_to" value="${returnTo}">` : ""}
  <label for="code">Code</label>
  <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="64" required>
  <button type="submit">Turn on two-factor sign-in</button>
</form>
<form method="post" action="${PATH}/restart">
  ${csrfField(c)}
  ${returnTo ? html`<input type="hidden" name="return_to" value="${returnTo}">` : ""}
  <button type="submit">Use a new key instead</button>
</form>`,
  });
}

async function enabledPage(c: SettingsContext, options: { error?: string | null; notice?: string | null } = {}) {
  const status = await c.get("services").twoFactor.status(c.get("user").id);
  return settingsPage(c, {
    active: "two_factor",
    title: "Two-factor sign-in",
    ...options,
    body: html`<p id="two-factor-status">Two-factor sign-in is <strong>on</strong> (since ${status.enabledAt?.slice(0, 10)}). You have ${status.recoveryCodesLeft} of ${RECOVERY_CODE_COUNT} recovery codes left.</p>
<h2>New recovery codes</h2>
<p>The old codes stop working.</p>
<form method="post" action="${PATH}/recovery_codes">
  ${csrfField(c)}
  <label for="regenerate-code">Code from your app</label>
  <input type="text" id="regenerate-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="64" required>
  <button type="submit">Make new recovery codes</button>
</form>
<h2>Turn off</h2>
<form method="post" action="${PATH}/disable">
  ${csrfField(c)}
  <label for="disable-password">Password</label>
  <input type="password" id="disable-password" name="current_password" autocomplete="current-password" required>
  <label for="disable-code">Code from your app, or a recovery code</label>
  <input type="text" id="disable-code" name="code" autocomplete="one-time-code" maxlength="64" required>
  <button type="submit">Turn off two-factor sign-in</button>
</form>`,
  });
}

function recoveryCodesPage(c: SettingsContext, codes: string[], returnTo: string | null, notice: string) {
  c.header("Cache-Control", "private, no-store");
  return settingsPage(c, {
    active: "two_factor",
    title: "Recovery codes",
    notice,
    body: html`<p>Keep these codes somewhere safe. Each one signs you in once if you lose your phone. <strong>They are shown only now.</strong></p>
<ul class="codes" id="recovery-codes">${codes.map((code) => html`<li>${code}</li>`)}</ul>
<p><a href="${returnTo ?? PATH}" id="continue">Continue</a></p>`,
  });
}

twoFactorSettingsRoutes.get("/two_factor", async (c) => {
  const services = c.get("services");
  const returnTo = returnToOf(c, c.req.query("return_to"));
  const notice = noticeOf(c, [DISABLED]);
  if (await services.twoFactor.isEnabled(c.get("user").id)) return c.html(enabledPage(c, { notice }));
  return c.html(setupPage(c, returnTo, { notice }));
});

twoFactorSettingsRoutes.post("/two_factor/enable", async (c) => {
  const params = await readForm(c);
  const returnTo = returnToOf(c, params.return_to);
  const limited = tooMany(c);
  if (limited) return c.html(setupPage(c, returnTo, { error: limited }), 429);
  try {
    const codes = await c.get("services").twoFactor.enable(c.get("user"), str(params, "code", MAX_INPUT) ?? "");
    return c.html(recoveryCodesPage(c, codes, returnTo, "Two-factor sign-in is on."));
  } catch (error) {
    const { message, status } = refusal(error);
    if (await c.get("services").twoFactor.isEnabled(c.get("user").id)) return c.html(enabledPage(c, { error: message }), status);
    return c.html(setupPage(c, returnTo, { error: message }), status);
  }
});

twoFactorSettingsRoutes.post("/two_factor/restart", async (c) => {
  const params = await readForm(c);
  const returnTo = returnToOf(c, params.return_to);
  try {
    await c.get("services").twoFactor.restartSetup(c.get("user"));
  } catch (error) {
    return c.html(enabledPage(c, { error: refusal(error).message }), refusal(error).status);
  }
  return c.redirect(returnTo ? `${PATH}?return_to=${encodeURIComponent(returnTo)}` : PATH, 303);
});

twoFactorSettingsRoutes.post("/two_factor/recovery_codes", async (c) => {
  const params = await readForm(c);
  const limited = tooMany(c);
  if (limited) return c.html(enabledPage(c, { error: limited }), 429);
  try {
    const codes = await c.get("services").twoFactor.regenerateRecoveryCodes(c.get("user"), str(params, "code", MAX_INPUT) ?? "");
    return c.html(recoveryCodesPage(c, codes, null, "New recovery codes were made; the old ones no longer work."));
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(enabledPage(c, { error: message }), status);
  }
});

twoFactorSettingsRoutes.post("/two_factor/disable", async (c) => {
  const params = await readForm(c);
  const limited = tooMany(c);
  if (limited) return c.html(enabledPage(c, { error: limited }), 429);
  try {
    await c.get("services").twoFactor.disable(c.get("user"), str(params, "current_password", MAX_INPUT) ?? "", str(params, "code", MAX_INPUT) ?? "");
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(enabledPage(c, { error: message }), status);
  }
  return doneRedirect(c, PATH, DISABLED);
});
