// Skein's API extension for account data (Mastodon's API has none: its exports and imports are
// web pages), for tools and tests: POST /api/v1/skein/imports (multipart: type, mode, data) and
// GET /api/v1/skein/imports[/:id] for an import's progress; POST /api/v1/skein/archives to
// request an archive and GET /api/v1/skein/archives to see it built. The CSV files themselves are
// served at /settings/exports/<name>.csv, to a web session or a bearer token (web/account-data/).
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { invalidParam, readParams, str } from "../../params.ts";
import { scopeAllows } from "../../../domain/oauth/scopes.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import type { AccountImportSummary } from "../../../domain/account-data/imports.ts";
import type { AccountArchiveRow } from "../../../domain/account-data/archives.ts";
import type { AccountImportType } from "../../../db/schema.ts";

export const skeinAccountDataRoutes = new Hono<AppEnv>();

/** The scope an import of each type needs: the one the same change through the API needs. */
const WRITE_SCOPE: Record<AccountImportType, string> = {
  following: "write:follows",
  blocks: "write:blocks",
  mutes: "write:mutes",
  domain_blocks: "write:blocks",
  bookmarks: "write:bookmarks",
  lists: "write:lists",
};

const READ_SCOPES = ["read:follows", "read:blocks", "read:mutes", "read:bookmarks", "read:lists"];

export function importEntity(row: AccountImportSummary) {
  return {
    id: row.id,
    type: row.type,
    mode: row.mode,
    state: row.state,
    filename: row.filename,
    total_rows: row.total_rows,
    processed_rows: row.processed_rows,
    imported_rows: row.imported_rows,
    failed_rows: row.failed_rows,
    created_at: row.created_at,
    finished_at: row.finished_at,
  };
}

export function archiveEntity(row: AccountArchiveRow, origin: string) {
  return {
    id: row.id,
    state: row.state,
    size: row.size_bytes,
    created_at: row.created_at,
    finished_at: row.finished_at,
    expires_at: row.expires_at,
    url: row.state === "ready" ? `${origin}/settings/exports/archives/${row.id}` : null,
  };
}

skeinAccountDataRoutes.post("/imports", requireScope(...Object.values(WRITE_SCOPE)), async (c) => {
  const { auth, account } = currentUser(c);
  const params = await readParams(c);
  const type = str(params, "type", 40);
  if (type && type in WRITE_SCOPE && !scopeAllows(auth.scopes, WRITE_SCOPE[type as AccountImportType])) {
    throw new ApiError(403, "This action is outside the authorized scopes");
  }
  const data = params.data;
  if (!(data instanceof File)) throw invalidParam("data", "must be a file");
  const row = await c.get("services").accountData.imports.create(account.id, {
    type,
    mode: str(params, "mode", 40),
    filename: data.name,
    data: new Uint8Array(await data.arrayBuffer()),
  });
  return c.json(importEntity(row));
});

skeinAccountDataRoutes.get("/imports", requireScope(...READ_SCOPES), async (c) => {
  const { account } = currentUser(c);
  return c.json((await c.get("services").accountData.imports.recent(account.id)).map(importEntity));
});

skeinAccountDataRoutes.get("/imports/:id", requireScope(...READ_SCOPES), async (c) => {
  const { account } = currentUser(c);
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return c.json(importEntity(await c.get("services").accountData.imports.get(account.id, id)));
});

// An archive holds everything the account posted and saved: only a token that may read it all.
skeinAccountDataRoutes.post("/archives", requireScope("read"), async (c) => {
  const { account } = currentUser(c);
  const services = c.get("services");
  return c.json(archiveEntity(await services.accountData.archives.request(account.id), services.config.origin));
});

skeinAccountDataRoutes.get("/archives", requireScope("read"), async (c) => {
  const { account } = currentUser(c);
  const services = c.get("services");
  return c.json((await services.accountData.archives.list(account.id)).map((row) => archiveEntity(row, services.config.origin)));
});
