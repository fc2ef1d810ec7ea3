// Who is downloading a personal file (the CSV lists a moderation event cut, data exports,
// archives): the signed-in web session, as on Mastodon, or — for tools and tests — a bearer token
// holding `scope`. A browser without a session is sent to sign in and brought back.
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { bearerToken } from "../auth.ts";
import { sessionToken } from "./cookies.ts";
import { scopeAllows } from "../../domain/oauth/scopes.ts";

/** The downloading account's id, or the redirect to sign in; throws 401/403/422 for a bad token. */
export async function downloader(c: Context<AppEnv>, scope: string): Promise<string | Response> {
  const services = c.get("services");
  const token = bearerToken(c);
  if (token !== null) {
    const auth = await services.oauth.authenticate(token);
    if (!auth) throw new ApiError(401, "The access token is invalid");
    if (!scopeAllows(auth.scopes, scope)) throw new ApiError(403, "This action is outside the authorized scopes");
    if (!auth.account) throw new ApiError(422, "This method requires an authenticated user");
    return auth.account.id;
  }
  const session = sessionToken(c);
  const user = session ? await services.sessions.userOfSession(session) : null;
  if (user) return user.account_id;
  if (!c.req.header("authorization") && (c.req.header("accept") ?? "").includes("text/html")) {
    return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`);
  }
  throw new ApiError(401, "This action requires signing in");
}
