// /api/v2/filters: the signed-in user's filters, their keywords and their statuses.
import { Hono, type Context, type Handler } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, int, readParams, str, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { DomainError } from "../../../domain/errors.ts";
import type { FilterInput, KeywordChange } from "../../../domain/filters/filter-service.ts";
import { toFilter, toFilterKeyword, toFilterStatus } from "../../../convert/mastodon/filter.ts";

export const filtersV2Routes = new Hono<AppEnv>();

export function pathId(c: Context<AppEnv>, name = "id"): string {
  const id = parseId(c.req.param(name));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

/** `context[]` (forms), `context` (JSON array), or one context as a string. */
export function contextParam(params: Params): string[] | undefined {
  const value = params.context ?? params["context[]"];
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === "string")) throw new ApiError(422, "context must be a list of strings");
  return list.length > 10 ? list.slice(0, 10) : (list as string[]);
}

/** Seconds from now; an empty or null `expires_in` means never; absent leaves it unchanged. */
export function expiresInParam(params: Params): number | null | undefined {
  if (!("expires_in" in params)) return undefined;
  const raw = params.expires_in;
  if (raw === null || raw === "") return null;
  return int(params, "expires_in", { min: 1, max: 10 * 365 * 86_400 });
}

/** `keywords_attributes`: a JSON array, or a form's indexed object (`[0][keyword]`) or list. */
function keywordChanges(params: Params): KeywordChange[] | undefined {
  const value = params.keywords_attributes;
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : typeof value === "object" ? Object.values(value) : null;
  if (!list || list.length > 1000) throw new ApiError(422, "keywords_attributes must be a list of keywords");
  return list.map((item) => {
    if (typeof item !== "object" || item === null) throw new ApiError(422, "keywords_attributes must be a list of keywords");
    const k = item as Params;
    const rawId = str(k, "id", 30);
    let id: string | undefined;
    if (rawId !== undefined && rawId !== "") {
      id = parseId(rawId) ?? undefined;
      if (!id) throw new ApiError(404, "Record not found");
    }
    // masto.js turns `_destroy` into `destroy` on its way to snake case; accept both.
    const destroy = bool(k, "_destroy") ?? bool(k, "destroy");
    return { id, keyword: str(k, "keyword", 10_000), wholeWord: bool(k, "whole_word"), destroy };
  });
}

function filterInput(params: Params): FilterInput {
  return {
    title: str(params, "title", 10_000),
    context: contextParam(params),
    filterAction: str(params, "filter_action", 20),
    expiresIn: expiresInParam(params),
    keywords: keywordChanges(params),
  };
}

/**
 * Validation failures with Mastodon's per-field `details` (ValidationError), which the API
 * contract expects from several filter endpoints: {"error": …, "details": {"title": [{"error":
 * "ERR_BLANK", "description": …}]}}.
 */
function withDetails(handler: Handler<AppEnv>): Handler<AppEnv> {
  return async (c, next) => {
    try {
      return await handler(c, next);
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === "validation")) throw error;
      const text = error.message.replace(/^Validation failed: /, "");
      const field = /^Title/.test(text) ? "title" : /^Context/.test(text) ? "context" : /^Filter action/.test(text) ? "filter_action"
        : /^Keywords/.test(text) ? "keywords" : /^Status/.test(text) ? "status_id" : "base";
      const code = /blank/.test(text) ? "ERR_BLANK" : /taken/.test(text) ? "ERR_TAKEN" : /too long/.test(text) ? "ERR_TOO_LONG" : "ERR_INVALID";
      return c.json({ error: error.message, details: { [field]: [{ error: code, description: text }] } }, 422);
    }
  };
}

const read = requireScope("read:filters");
const write = requireScope("write:filters");

filtersV2Routes.get("/", read, async (c) => {
  const filters = await c.get("services").filters.list(currentUser(c).account.id);
  return c.json(filters.map(toFilter));
});

filtersV2Routes.post("/", write, withDetails(async (c) => {
  const params = await readParams(c);
  return c.json(toFilter(await c.get("services").filters.create(currentUser(c).account.id, filterInput(params))));
}));

// Keywords and statuses by their own ids, before /:id takes the path.
filtersV2Routes.get("/keywords/:id", read, async (c) => c.json(toFilterKeyword(await c.get("services").filters.keyword(currentUser(c).account.id, pathId(c)))));
filtersV2Routes.put("/keywords/:id", write, withDetails(async (c) => {
  const params = await readParams(c);
  const row = await c.get("services").filters.updateKeyword(currentUser(c).account.id, pathId(c), { keyword: str(params, "keyword", 10_000), wholeWord: bool(params, "whole_word") });
  return c.json(toFilterKeyword(row));
}));
filtersV2Routes.delete("/keywords/:id", write, async (c) => {
  await c.get("services").filters.deleteKeyword(currentUser(c).account.id, pathId(c));
  return c.json({});
});
filtersV2Routes.get("/statuses/:id", read, async (c) => c.json(toFilterStatus(await c.get("services").filters.filteredStatus(currentUser(c).account.id, pathId(c)))));
filtersV2Routes.delete("/statuses/:id", write, async (c) => c.json(toFilterStatus(await c.get("services").filters.removeStatus(currentUser(c).account.id, pathId(c)))));

filtersV2Routes.get("/:id", read, async (c) => c.json(toFilter(await c.get("services").filters.get(currentUser(c).account.id, pathId(c)))));
filtersV2Routes.put("/:id", write, withDetails(async (c) => {
  const params = await readParams(c);
  return c.json(toFilter(await c.get("services").filters.update(currentUser(c).account.id, pathId(c), filterInput(params))));
}));
filtersV2Routes.delete("/:id", write, async (c) => {
  await c.get("services").filters.delete(currentUser(c).account.id, pathId(c));
  return c.json({});
});

filtersV2Routes.get("/:id/keywords", read, async (c) => {
  const rows = await c.get("services").filters.keywords(currentUser(c).account.id, pathId(c));
  return c.json(rows.map(toFilterKeyword));
});
filtersV2Routes.post("/:id/keywords", write, withDetails(async (c) => {
  const params = await readParams(c);
  const row = await c.get("services").filters.addKeyword(currentUser(c).account.id, pathId(c), { keyword: str(params, "keyword", 10_000), wholeWord: bool(params, "whole_word") });
  return c.json(toFilterKeyword(row));
}));

filtersV2Routes.get("/:id/statuses", read, async (c) => {
  const rows = await c.get("services").filters.statuses(currentUser(c).account.id, pathId(c));
  return c.json(rows.map(toFilterStatus));
});
filtersV2Routes.post("/:id/statuses", write, withDetails(async (c) => {
  const params = await readParams(c);
  const raw = str(params, "status_id", 30);
  const row = await c.get("services").filters.addStatus(currentUser(c).account.id, pathId(c), raw ? parseId(raw) : null);
  return c.json(toFilterStatus(row));
}));
