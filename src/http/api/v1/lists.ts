// /api/v1/lists (the lists, their members) and /api/v1/timelines/list/:id (a list's timeline).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, readParams, str, strOrList, type Params } from "../../params.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { renderAccounts, renderStatuses } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { toList } from "../../../convert/mastodon/list.ts";
import type { ListInput } from "../../../domain/lists/list-service.ts";

export const listsRoutes = new Hono<AppEnv>();
export const listTimelineRoutes = new Hono<AppEnv>();

function listId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

function listInput(params: Params): ListInput {
  return { title: str(params, "title", 1000), repliesPolicy: str(params, "replies_policy", 20), exclusive: bool(params, "exclusive") };
}

/** `account_ids[]` (form or query) or `account_ids` (JSON array); unknown ids are 404s. */
function accountIds(params: Params): string[] {
  const value = strOrList(params, "account_ids");
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length > 1000) throw new ApiError(422, "Too many accounts");
  return list.map((raw) => {
    const id = parseId(raw);
    if (!id) throw new ApiError(404, "Record not found");
    return id;
  });
}

listsRoutes.get("/", requireScope("read:lists"), async (c) => {
  const lists = await c.get("services").lists.all(currentUser(c).account.id);
  return c.json(lists.map(toList));
});

listsRoutes.post("/", requireScope("write:lists"), async (c) => {
  const list = await c.get("services").lists.create(currentUser(c).account.id, listInput(await readParams(c)));
  return c.json(toList(list));
});

listsRoutes.get("/:id", requireScope("read:lists"), async (c) => {
  return c.json(toList(await c.get("services").lists.get(currentUser(c).account.id, listId(c))));
});

// PUT as documented; PATCH too, as Rails routes `update`.
listsRoutes.on(["PUT", "PATCH"], "/:id", requireScope("write:lists"), async (c) => {
  const list = await c.get("services").lists.update(currentUser(c).account.id, listId(c), listInput(await readParams(c)));
  return c.json(toList(list));
});

listsRoutes.delete("/:id", requireScope("write:lists"), async (c) => {
  await c.get("services").lists.delete(currentUser(c).account.id, listId(c));
  return c.json({});
});

listsRoutes.get("/:id/accounts", requireScope("read:lists"), async (c) => {
  // limit=0 lists every member, without pagination (as Mastodon documents).
  const all = c.req.query("limit") === "0";
  const rows = await c.get("services").lists.members(currentUser(c).account.id, listId(c), all ? null : pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
  if (!all) setLinkHeader(c, rows.map((r) => r.relationId));
  return c.json(renderAccounts(c, rows.map((r) => r.account)));
});

listsRoutes.post("/:id/accounts", requireScope("write:lists"), async (c) => {
  await c.get("services").lists.addMembers(currentUser(c).account.id, listId(c), accountIds(await readParams(c)));
  return c.json({});
});

listsRoutes.delete("/:id/accounts", requireScope("write:lists"), async (c) => {
  await c.get("services").lists.removeMembers(currentUser(c).account.id, listId(c), accountIds(await readParams(c)));
  return c.json({});
});

listTimelineRoutes.get("/:id", requireScope("read:lists"), async (c) => {
  const rows = await c.get("services").lists.timeline(currentUser(c).account.id, listId(c), pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});
