// The files a user takes away: /settings/exports/<name>.csv (Mastodon's CSV exports) and
// /settings/exports/archives/:id (an archive, while it lasts). For the signed-in web session, as
// on Mastodon, and — a Skein extension for tools and tests — for a bearer token that may read
// everything ("read"); the CSVs name accounts and posts of every kind of relationship.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { downloader } from "../downloader.ts";
import { parseId } from "../../../util/ids.ts";

export const accountDataDownloadRoutes = new Hono<AppEnv>();

accountDataDownloadRoutes.get("/archives/:id", async (c) => {
  const accountId = await downloader(c, "read");
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
  const accountId = await downloader(c, "read");
  if (accountId instanceof Response) return accountId;
  const name = c.req.param("file").replace(/\.csv$/, "");
  const body = await c.get("services").accountData.exports.csv(accountId, name);
  return c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}.csv"`,
    "Cache-Control": "private, no-store",
  });
});
