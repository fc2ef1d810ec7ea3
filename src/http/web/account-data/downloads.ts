// The files a user takes away: /settings/exports/<name>.csv (Mastodon's CSV exports) and
// /settings/exports/archives/:id (an archive, while it lasts). For the signed-in web session, as
// on Mastodon, and — a Skein extension for tools and tests — for a bearer token that may read
// everything ("read"); the CSVs name accounts and posts of every kind of relationship.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { bearerToken } from "../../auth.ts";
import { sessionToken } from "../cookies.ts";
import { scopeAllows } from "../../../domain/oauth/scopes.ts";
import { parseId } from "../../../util/ids.ts";

export const accountDataDownloadRoutes = new Hono<AppEnv>();

/** The account asking (bearer token with `read`, or web session), or null. */
async function requester(c: Context<AppEnv>): Promise<string | null> {
  const services = c.get("services");
  const token = bearerToken(c);
  if (token !== null) {
    const auth = await services.oauth.authenticate(token);
    if (!auth) throw new ApiError(401, "The access token is invalid");
    if (!scopeAllows(auth.scopes, "read")) throw new ApiError(403, "This action is outside the authorized scopes");
    if (!auth.account) throw new ApiError(422, "This method requires an authenticated user");
    return auth.account.id;
  }
  const session = sessionToken(c);
  const user = session ? await services.sessions.userOfSession(session) : null;
  return user?.account_id ?? null;
}

async function signedIn(c: Context<AppEnv>): Promise<string | Response> {
  const accountId = await requester(c);
  if (accountId) return accountId;
  // A browser without a session signs in first and comes back here.
  if (!c.req.header("authorization") && (c.req.header("accept") ?? "").includes("text/html")) {
    return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`);
  }
  throw new ApiError(401, "This action requires signing in");
}

accountDataDownloadRoutes.get("/archives/:id", async (c) => {
  const accountId = await signedIn(c);
  if (accountId instanceof Response) return accountId;
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  const archive = await c.get("services").accountData.archives.open(accountId, id);
  return c.body(archive.stream, 200, {
    "Content-Type": "application/gzip",
    "Content-Length": String(archive.size),
    "Content-Disposition": `attachment; filename="${archive.filename}"`,
    "Cache-Control": "private, no-store",
  });
});

accountDataDownloadRoutes.get("/:file{[a-z_]+\\.csv}", async (c) => {
  const accountId = await signedIn(c);
  if (accountId instanceof Response) return accountId;
  const name = c.req.param("file").replace(/\.csv$/, "");
  const body = await c.get("services").accountData.exports.csv(accountId, name);
  return c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}.csv"`,
    "Cache-Control": "private, no-store",
  });
});
