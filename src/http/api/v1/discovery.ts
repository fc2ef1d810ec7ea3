// Finding people: follow suggestions (/api/v1/suggestions, /api/v2/suggestions) and the profile
// directory (/api/v1/directory). Only accounts that opted in to discovery are listed.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { convertContext, renderAccounts, viewerId } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { toAccount } from "../../../convert/mastodon/account.ts";
import { offsetPage, setOffsetLinks } from "../../pagination.ts";

export const suggestionsV1Routes = new Hono<AppEnv>();
export const suggestionsV2Routes = new Hono<AppEnv>();
export const directoryRoutes = new Hono<AppEnv>();

suggestionsV1Routes.get("/", requireScope("read:accounts"), async (c) => {
  const { limit } = offsetPage(c, 40, 80);
  const suggestions = await c.get("services").discovery.suggestions(currentUser(c).account.id, limit);
  return c.json(renderAccounts(c, suggestions.map((s) => s.account)));
});

suggestionsV1Routes.delete("/:account_id", requireScope("write:accounts", "read:accounts"), async (c) => {
  const id = parseId(c.req.param("account_id"));
  if (!id) throw new ApiError(404, "Record not found");
  await c.get("services").discovery.dismissSuggestion(currentUser(c).account.id, id);
  return c.json({});
});

suggestionsV2Routes.get("/", requireScope("read:accounts"), async (c) => {
  const { limit } = offsetPage(c, 40, 80);
  const services = c.get("services");
  const suggestions = await services.discovery.suggestions(currentUser(c).account.id, limit);
  const ctx = convertContext(c);
  return c.json(suggestions.map((s) => ({ source: "global", sources: s.sources, account: toAccount(s.account, ctx) })));
});

directoryRoutes.get("/", async (c) => {
  const page = offsetPage(c, 40, 80);
  const orderParam = c.req.query("order") ?? "active";
  const order = orderParam === "new" ? "new" : "active";
  const local = c.req.query("local");
  const rows = await c.get("services").discovery.directory(viewerId(c), { order, localOnly: local === "true" || local === "1" }, page.limit, page.offset);
  setOffsetLinks(c, page, rows.length);
  return c.json(renderAccounts(c, rows));
});
