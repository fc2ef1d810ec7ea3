// The HTML sign-in page (the first step of /oauth/authorize), its second step for accounts with
// two-factor sign-in, and sign-out.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";
import { checkCsrf, clearSessionCookie, csrfToken, sessionToken, setSessionCookie } from "./cookies.ts";
import { readParams, str } from "../params.ts";
import { DomainError } from "../../domain/errors.ts";
import { clientKey, signInAttempts } from "../rate-limits.ts";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { UserRow } from "../../store/users.ts";
import { ChallengeExpired } from "../../domain/auth/two-factor.ts";
import { RateLimiter } from "../../domain/auth/rate-limiter.ts";
import { TWO_FACTOR_SETUP_PATH } from "./settings/layout.ts";

/** The half-signed-in state's cookie: a two-factor challenge's token, good for the code form only. */
const CHALLENGE_COOKIE = "skein_2fa_challenge";
/** Codes tried per address in 5 minutes (a six-digit code has a million values; 25 tries is nothing). */
const codeAttempts = new RateLimiter({ limit: 25, windowMs: 5 * 60 * 1000 });

export const signInRoutes = new Hono<AppEnv>();

const HOME = "/";
// The consent page's own URL comes back through return_to, with the app's redirect URI and state
// in it; nothing longer could be requested anyway (Node refuses request heads over 16 KiB).
const MAX_RETURN_TO_LENGTH = 16 * 1024;

/**
 * Where to send a browser after it signs in: a path on this server, or HOME. Anything else
 * would make the form an open redirect. The check is made on what the browser will do with the
 * value, not on how it looks: URL parsers drop tabs and newlines ("/\t/evil.example" is
 * "//evil.example", another host), treat "\\" as "/", and resolve dot segments ("/..//evil.example"
 * normalises to "//evil.example"); and control characters cannot go in a Location header at all.
 */
export function safeReturnTo(value: unknown, origin: string): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > MAX_RETURN_TO_LENGTH) return HOME;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return HOME;
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return HOME;
  }
  // The parsed URL's own serialisation: normalised, percent-encoded, always ASCII.
  const path = url.pathname + url.search;
  return url.origin === base.origin && !path.startsWith("//") ? path : HOME;
}

function signInForm(c: Context<AppEnv>, returnTo: string, error: string | null, login = "") {
  const { config } = c.get("services");
  return page(
    "Sign in",
    config.instance.title,
    html`<h1>Sign in to ${config.instance.title}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<form method="post" action="/auth/sign_in">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="login">Username or email</label>
  <input type="text" id="login" name="login" value="${login}" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p><a href="/auth/password/new">Forgot your password?</a></p>
<p><a href="/auth/sign_up">Create an account</a></p>`,
  );
}

signInRoutes.get("/sign_in", (c) => c.html(signInForm(c, safeReturnTo(c.req.query("return_to"), c.get("services").config.origin), null)));

signInRoutes.post("/sign_in", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const returnTo = safeReturnTo(params.return_to, c.get("services").config.origin);
  const login = str(params, "login", 320) ?? "";
  const limited = signInAttempts.hit(clientKey(c));
  if (limited.retryAfterMs > 0) {
    c.header("Retry-After", String(Math.ceil(limited.retryAfterMs / 1000)));
    return c.html(signInForm(c, returnTo, "Too many sign-in attempts. Wait a few minutes and try again.", login), 429);
  }
  try {
    const services = c.get("services");
    const result = await services.sessions.signIn(login, str(params, "password", 1000) ?? "", c.req.header("user-agent") ?? null);
    if (result.kind === "two_factor") {
      // Half signed in: the password was right, a code is owed. The challenge cookie opens only
      // the code form; no session exists until the code is right.
      setChallengeCookie(c, result.challenge);
      return c.redirect(`/auth/sign_in/two_factor?return_to=${encodeURIComponent(returnTo)}`, 303);
    }
    setSessionCookie(c, result.token);
    return c.redirect(await afterSignIn(c, result.user, returnTo), 303);
  } catch (error) {
    if (error instanceof DomainError && error.kind === "unauthorized") {
      return c.html(signInForm(c, returnTo, error.message, login), 401);
    }
    throw error;
  }
});

/**
 * Where a browser goes once signed in: where it was going, unless the user's role requires
 * two-factor sign-in and they have not set it up (then the setup page, and back afterwards).
 */
async function afterSignIn(c: Context<AppEnv>, user: UserRow, returnTo: string): Promise<string> {
  if (await c.get("services").twoFactor.setupRequired(user)) return `${TWO_FACTOR_SETUP_PATH}?return_to=${encodeURIComponent(returnTo)}`;
  return returnTo;
}

function setChallengeCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, CHALLENGE_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: c.get("services").config.scheme === "https", path: "/auth", maxAge: 10 * 60 });
}

function codeForm(c: Context<AppEnv>, returnTo: string, error: string | null) {
  const { config } = c.get("services");
  return page(
    "Two-factor sign-in",
    config.instance.title,
    html`<h1>Two-factor sign-in</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p>Enter the six-digit code from your authenticator app, or one of your recovery codes.</p>
<form method="post" action="/auth/sign_in/two_factor">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="code">Code</label>
  <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="64" required autofocus>
  <button type="submit">Verify</button>
</form>
<p><a href="/auth/sign_in?return_to=${encodeURIComponent(returnTo)}">Start over</a></p>`,
  );
}

signInRoutes.get("/sign_in/two_factor", async (c) => {
  const returnTo = safeReturnTo(c.req.query("return_to"), c.get("services").config.origin);
  const challenge = getCookie(c, CHALLENGE_COOKIE);
  if (!challenge || !(await c.get("services").twoFactor.challengeIsLive(challenge))) {
    return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`, 303);
  }
  return c.html(codeForm(c, returnTo, null));
});

signInRoutes.post("/sign_in/two_factor", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const services = c.get("services");
  const returnTo = safeReturnTo(params.return_to, services.config.origin);
  const challenge = getCookie(c, CHALLENGE_COOKIE);
  if (!challenge) return c.html(signInForm(c, returnTo, "The sign-in took too long. Sign in again."), 401);
  // Per address, on top of the per-challenge limit (MAX_CHALLENGE_ATTEMPTS), so that one address
  // cannot try codes across many challenges faster than it could try passwords.
  const limited = codeAttempts.hit(clientKey(c));
  if (limited.retryAfterMs > 0) {
    c.header("Retry-After", String(Math.ceil(limited.retryAfterMs / 1000)));
    return c.html(codeForm(c, returnTo, "Too many attempts. Wait a few minutes and try again."), 429);
  }
  try {
    const { token, user } = await services.sessions.completeTwoFactor(challenge, str(params, "code", 200) ?? "", c.req.header("user-agent") ?? null);
    deleteCookie(c, CHALLENGE_COOKIE, { path: "/auth" });
    setSessionCookie(c, token);
    return c.redirect(await afterSignIn(c, user, returnTo), 303);
  } catch (error) {
    if (error instanceof ChallengeExpired) {
      deleteCookie(c, CHALLENGE_COOKIE, { path: "/auth" });
      return c.html(signInForm(c, returnTo, error.message), 401);
    }
    if (error instanceof DomainError && error.kind === "unauthorized") return c.html(codeForm(c, returnTo, error.message), 401);
    throw error;
  }
});

signInRoutes.post("/sign_out", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const token = sessionToken(c);
  if (token) await c.get("services").sessions.signOut(token);
  clearSessionCookie(c);
  return c.redirect("/", 303);
});
