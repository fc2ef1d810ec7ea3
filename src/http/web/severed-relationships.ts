// The lists of follows a moderation event cut, for the user who lost them, as Mastodon offers
// them: /severed_relationships/:id/following.csv (importable as follows) and …/followers.csv.
// For the signed-in web session, as on Mastodon, and for API clients with a bearer token holding
// read:follows (Mastodon has no API for the lists; a client can link here with its token).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { bearerToken } from "../auth.ts";
import { sessionToken } from "./cookies.ts";
import { scopeAllows } from "../../domain/oauth/scopes.ts";
import { parseId } from "../../util/ids.ts";

export const severedRelationshipsRoutes = new Hono<AppEnv>();

/** The account asking: by bearer token (read:follows) or web session; null if neither. */
async function requester(c: Context<AppEnv>): Promise<string | null> {
  const services = c.get("services");
  const token = bearerToken(c);
  if (token !== null) {
    const auth = await services.oauth.authenticate(token);
    if (!auth) throw new ApiError(401, "The access token is invalid");
    if (!scopeAllows(auth.scopes, "read:follows")) throw new ApiError(403, "This action is outside the authorized scopes");
    if (!auth.account) throw new ApiError(422, "This method requires an authenticated user");
    return auth.account.id;
  }
  const session = sessionToken(c);
  const user = session ? await services.sessions.userOfSession(session) : null;
  return user?.account_id ?? null;
}

for (const list of ["following", "followers"] as const) {
  severedRelationshipsRoutes.get(`/:id/${list}.csv`, async (c) => {
    const accountId = await requester(c);
    if (!accountId) {
      // A browser without a session signs in first and comes back here.
      const returnTo = new URL(c.req.url).pathname;
      if (!c.req.header("authorization") && (c.req.header("accept") ?? "").includes("text/html")) return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`);
      throw new ApiError(401, "This action requires signing in");
    }
    const id = parseId(c.req.param("id"));
    if (!id) throw new ApiError(404, "Record not found");
    const { filename, body } = await c.get("services").moderation.severedRelationships.csv(accountId, id, list);
    return c.body(body, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
    });
  });
}
