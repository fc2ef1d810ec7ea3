// Bearer tokens: read on every request (anonymous is allowed where Mastodon allows it), and
// checked per endpoint for the scope it needs.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import type { Authenticated } from "../domain/oauth/oauth-service.ts";
import type { UserRow } from "../store/users.ts";
import type { AccountRow } from "../store/accounts.ts";
import { scopeAllows } from "../domain/oauth/scopes.ts";
import { ApiError } from "./errors.ts";

/** Extracts the access token from `Authorization: Bearer` (or `access_token`, for old clients). */
export function bearerToken(c: Context): string | null {
  const header = c.req.header("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : null;
  }
  return c.req.query("access_token") ?? null;
}

/** Resolves the token, if any. A token that is present but invalid is refused outright. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c);
  if (token === null) {
    if (c.req.header("authorization")) throw new ApiError(401, "The access token is invalid");
    c.set("auth", null);
    return next();
  }
  const auth = await c.get("services").oauth.authenticate(token);
  if (!auth) {
    // A new account waiting for its registration fee: say so, and where to pay (403, as
    // Mastodon answers an account that is not usable yet, rather than "invalid token").
    const unpaid = await c.get("services").payments.unpaidRefusal(token);
    if (unpaid) return c.json({ error: unpaid.message, checkout_url: unpaid.checkoutUrl }, 403);
    throw new ApiError(401, "The access token is invalid");
  }
  // As Mastodon: a user who has not confirmed their address may only see who they are and ask
  // for the confirmation again (and read public facts about the server).
  if (auth.user && !auth.user.confirmed_at && !UNCONFIRMED_MAY.test(c.req.path)) {
    throw new ApiError(403, "Your login is missing a confirmed e-mail address");
  }
  c.set("auth", auth);
  return next();
};

const UNCONFIRMED_MAY = /^\/api\/v1\/(accounts\/verify_credentials|emails\/(confirmations|check_confirmation)|apps\/verify_credentials|instance(\/.*)?)\/?$|^\/api\/v2\/instance\/?$/;

/** The endpoint needs a token holding `scope` (or a broader one). */
export function requireScope(...anyOf: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw new ApiError(401, "The access token is invalid");
    if (!anyOf.some((scope) => scopeAllows(auth.scopes, scope))) {
      throw new ApiError(403, "This action is outside the authorized scopes");
    }
    return next();
  };
}

/** The endpoint acts for a user: a client_credentials token is not enough. */
export function currentUser(c: Context<AppEnv>): { auth: Authenticated; user: UserRow; account: AccountRow } {
  const auth = c.get("auth");
  if (!auth) throw new ApiError(401, "The access token is invalid");
  if (!auth.user || !auth.account) throw new ApiError(422, "This method requires an authenticated user");
  return { auth, user: auth.user, account: auth.account };
}
