// The HTML sign-in page (the first step of /oauth/authorize) and sign-out.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";
import { checkCsrf, clearSessionCookie, csrfToken, sessionToken, setSessionCookie } from "./cookies.ts";
import { readParams, str } from "../params.ts";
import { DomainError } from "../../domain/errors.ts";
import { clientKey, signInAttempts } from "../rate-limits.ts";

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
</form>`,
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
    const { token } = await c.get("services").sessions.signIn(login, str(params, "password", 1000) ?? "", c.req.header("user-agent") ?? null);
    setSessionCookie(c, token);
    return c.redirect(returnTo, 303);
  } catch (error) {
    if (error instanceof DomainError && error.kind === "unauthorized") {
      return c.html(signInForm(c, returnTo, error.message, login), 401);
    }
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
