// The web pages' cookies: the session, and the CSRF token its forms must echo (double submit).
import type { Context } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { randomBytes } from "node:crypto";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { secretsEqual } from "../../domain/auth/secrets.ts";

export const SESSION_COOKIE = "skein_session";
const CSRF_COOKIE = "skein_csrf";
/** What csrfToken issues; a cookie of any other shape (an empty one included) vouches for nothing. */
const CSRF_TOKEN = /^[A-Za-z0-9_-]{32,64}$/;

function secure(c: Context<AppEnv>): boolean {
  return c.get("services").config.scheme === "https";
}

export function setSessionCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: secure(c), path: "/", maxAge: 30 * 24 * 3600 });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

export function sessionToken(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** The token to embed in a form; sets the cookie on first use. */
export function csrfToken(c: Context<AppEnv>): string {
  let token = getCookie(c, CSRF_COOKIE);
  if (!token || !CSRF_TOKEN.test(token)) {
    token = randomBytes(24).toString("base64url");
    setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: secure(c), path: "/" });
  }
  return token;
}

/** Refuses a form post whose token does not match its cookie. */
export function checkCsrf(c: Context<AppEnv>, submitted: unknown): void {
  const cookie = getCookie(c, CSRF_COOKIE);
  const ok = typeof submitted === "string" && cookie !== undefined && CSRF_TOKEN.test(cookie) && secretsEqual(submitted, cookie);
  if (!ok) throw new ApiError(403, "The form has expired or did not come from this site. Go back, reload the page and try again.");
}
