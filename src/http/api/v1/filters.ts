// /api/v1/filters: the older filter API, one entry per keyword of the v2 filters (see
// FilterService's v1 view). Kept for clients that still use it.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, readParams, str, type Params } from "../../params.ts";
import { toV1Filter } from "../../../convert/mastodon/filter.ts";
import type { V1FilterInput } from "../../../domain/filters/filter-service.ts";
import { contextParam, expiresInParam, pathId } from "../v2/filters.ts";

export const filtersV1Routes = new Hono<AppEnv>();

function v1Input(params: Params): V1FilterInput {
  return {
    phrase: str(params, "phrase", 10_000),
    context: contextParam(params),
    irreversible: bool(params, "irreversible"),
    wholeWord: bool(params, "whole_word"),
    expiresIn: expiresInParam(params),
  };
}

filtersV1Routes.get("/", requireScope("read:filters"), async (c) => {
  const views = await c.get("services").filters.listV1(currentUser(c).account.id);
  return c.json(views.map(toV1Filter));
});

filtersV1Routes.post("/", requireScope("write:filters"), async (c) => {
  const params = await readParams(c);
  return c.json(toV1Filter(await c.get("services").filters.createV1(currentUser(c).account.id, v1Input(params))));
});

filtersV1Routes.get("/:id", requireScope("read:filters"), async (c) => c.json(toV1Filter(await c.get("services").filters.getV1(currentUser(c).account.id, pathId(c)))));

filtersV1Routes.put("/:id", requireScope("write:filters"), async (c) => {
  const params = await readParams(c);
  return c.json(toV1Filter(await c.get("services").filters.updateV1(currentUser(c).account.id, pathId(c), v1Input(params))));
});

filtersV1Routes.delete("/:id", requireScope("write:filters"), async (c) => {
  await c.get("services").filters.deleteV1(currentUser(c).account.id, pathId(c));
  return c.json({});
});
