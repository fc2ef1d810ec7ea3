// The lists of follows a moderation event cut, for the user who lost them, as Mastodon offers
// them: /severed_relationships/:id/following.csv (importable as follows) and …/followers.csv.
// For the signed-in web session, as on Mastodon, and for API clients with a bearer token holding
// read:follows (Mastodon has no API for the lists; a client can link here with its token).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { downloader } from "./downloader.ts";
import { parseId } from "../../util/ids.ts";

export const severedRelationshipsRoutes = new Hono<AppEnv>();

for (const list of ["following", "followers"] as const) {
  severedRelationshipsRoutes.get(`/:id/${list}.csv`, async (c) => {
    const accountId = await downloader(c, "read:follows");
    if (accountId instanceof Response) return accountId;
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
