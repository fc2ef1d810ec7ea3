// /api/v1/collections (Mastodon 4.6, FEP-7aa9): collections of recommended accounts and their items.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { convertContext, viewerId } from "../../render.ts";
import { toCollection, toCollectionItem, toCollectionWithAccounts } from "../../../convert/mastodon/account-features.ts";
import { COLLECTION_MAX_ITEMS, CollectionFieldError, type CollectionInput } from "../../../domain/accounts/collections/collection-service.ts";

export const collectionsRoutes = new Hono<AppEnv>();

function idParam(c: Context<AppEnv>, name: string): string {
  const id = parseId(c.req.param(name) ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

/** Mastodon answers a refused collection field as {"error": {"error": …, "details": {field: [{error, description}]}}}. */
async function fieldErrors<T>(c: Context<AppEnv>, work: Promise<T>): Promise<T | Response> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof CollectionFieldError)) throw error;
    return c.json({ error: { error: error.message, details: { [error.field]: [{ error: error.code, description: error.message }] } } }, 422);
  }
}

function input(params: Params): CollectionInput {
  const language = params.language === null ? null : str(params, "language", 20);
  const tagName = params.tag_name === null ? null : str(params, "tag_name", 200);
  return {
    name: str(params, "name", 1000),
    description: str(params, "description", 5000),
    language,
    sensitive: bool(params, "sensitive"),
    discoverable: bool(params, "discoverable"),
    tagName,
  };
}

collectionsRoutes.post("/", requireScope("write:collections"), async (c) => {
  const params = await readParams(c);
  const raw = params.account_ids ?? params["account_ids[]"] ?? [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > COLLECTION_MAX_ITEMS || !list.every((v) => typeof v === "string")) {
    const message = `account_ids must be a list of at most ${COLLECTION_MAX_ITEMS} account ids`;
    return c.json({ error: { error: message, details: { account_ids: [{ error: "ERR_TOO_MANY", description: message }] } } }, 422);
  }
  const ids = (list as string[]).map((v) => parseId(v) ?? "0");
  const result = await fieldErrors(c, c.get("services").collections.create(currentUser(c).account, input(params), ids));
  if (result instanceof Response) return result;
  return c.json({ collection: toCollection(result, convertContext(c)) });
});

collectionsRoutes.get("/:id", async (c) => {
  const services = c.get("services");
  const view = await services.collections.show(idParam(c, "id"), viewerId(c));
  const accounts = await services.accounts.visibleAmong([view.owner.id, ...view.items.map((i) => i.account_id)]);
  return c.json(toCollectionWithAccounts(view, accounts, convertContext(c)));
});

// PATCH in the description; PUT too, as Rails routes an update (masto.js sends PUT).
for (const method of ["patch", "put"] as const) collectionsRoutes[method]("/:id", requireScope("write:collections"), async (c) => {
  const params = await readParams(c);
  const result = await fieldErrors(c, c.get("services").collections.update(currentUser(c).account, idParam(c, "id"), input(params)));
  if (result instanceof Response) return result;
  return c.json({ collection: toCollection(result, convertContext(c)) });
});

collectionsRoutes.delete("/:id", requireScope("write:collections"), async (c) => {
  await c.get("services").collections.delete(currentUser(c).account, idParam(c, "id"));
  return c.json({});
});

collectionsRoutes.post("/:collection_id/items", requireScope("write:collections"), async (c) => {
  const params = await readParams(c);
  const target = str(params, "account_id", 40);
  if (!target) throw new ApiError(422, "`account_id` parameter is missing");
  // Refusals here are plain {"error": …} bodies (Mastodon's Error), unlike the collection's own fields.
  const item = await c.get("services").collections.addItem(currentUser(c).account, idParam(c, "collection_id"), parseId(target) ?? "0");
  return c.json({ collection_item: toCollectionItem(item) });
});

collectionsRoutes.delete("/:collection_id/items/:id", requireScope("write:collections"), async (c) => {
  await c.get("services").collections.removeItem(currentUser(c).account, idParam(c, "collection_id"), idParam(c, "id"));
  return c.json({});
});

collectionsRoutes.post("/:collection_id/items/:id/revoke", requireScope("write:collections"), async (c) => {
  await c.get("services").collections.revoke(currentUser(c).account, idParam(c, "collection_id"), idParam(c, "id"));
  return c.json({});
});
