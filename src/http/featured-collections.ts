// /users/:username/collections/:id: a local collection as an ActivityPub document (FEP-7aa9),
// the `uri` the Collection entity names. Fedify serves the other /users/… documents and passes
// this path on. Only discoverable collections are served, and none in secure mode (AUTHORIZED_FETCH),
// where this route cannot check the request's signature the way Fedify's dispatchers do.
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";
import { parseId } from "../util/ids.ts";
import { toFeaturedCollection } from "../convert/activitypub/featured-collection.ts";

export const featuredCollectionRoutes = new Hono<AppEnv>();

featuredCollectionRoutes.get("/:username/collections/:id", async (c, next) => {
  const accept = c.req.header("accept") ?? "";
  if (!/application\/(activity\+json|ld\+json)/.test(accept)) return next();
  const services = c.get("services");
  const id = parseId(c.req.param("id"));
  if (!id || services.config.authorizedFetch) return next();
  const view = await services.collections.show(id, null).catch(() => null);
  if (!view || view.owner.domain !== null || view.owner.username !== c.req.param("username") || view.collection.discoverable !== 1) return next();
  const members = new Map((await services.accounts.visibleAmong(view.items.map((i) => i.account_id))).map((a) => [a.id, a]));
  c.header("Content-Type", "application/activity+json; charset=utf-8");
  return c.body(JSON.stringify(toFeaturedCollection(view, members, services.config.origin)));
});
