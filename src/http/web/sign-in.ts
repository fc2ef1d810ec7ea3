// The HTML sign-in page (the first step of /oauth/authorize) and sign-out.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";
import { checkCsrf, clearSessionCookie, csrfToken, sessionToken, setSessionCookie } from "./cookies.ts";
import { readParams, str } from "../params.ts";
import { DomainError } from "../../domain/errors.ts";
import { RateLimiter } from "../../domain/auth/rate-limiter.ts";
import { clientIp } from "../client-ip.ts";

export const signInRoutes = new Hono<AppEnv>();

// Mastodon allows 25 sign-in attempts per IP in 5 minutes.
const attempts = new RateLimiter({ limit: 25, windowMs: 5 * 60 * 1000 });

/** Only local paths, so the form cannot be used to send people elsewhere. */
export function safeReturnTo(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/";
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

signInRoutes.get("/sign_in", (c) => c.html(signInForm(c, safeReturnTo(c.req.query("return_to")), null)));

signInRoutes.post("/sign_in", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const returnTo = safeReturnTo(params.return_to);
  const login = str(params, "login", 320) ?? "";
  const limited = attempts.hit(clientIp(c));
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
