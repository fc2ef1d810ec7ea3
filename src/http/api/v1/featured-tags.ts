// /api/v1/featured_tags (hashtags shown on one's profile) and /api/v1/tags/:name/feature|unfeature.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, str } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { DomainError } from "../../../domain/errors.ts";
import { parseId } from "../../../util/ids.ts";
import { convertContext } from "../../render.ts";
import { toFeaturedTag } from "../../../convert/mastodon/account-features.ts";
import { toTagEntity } from "../../../convert/mastodon/tag-entity.ts";

export const featuredTagsRoutes = new Hono<AppEnv>();
export const tagFeatureRoutes = new Hono<AppEnv>();

featuredTagsRoutes.get("/", requireScope("read:accounts"), async (c) => {
  const { account } = currentUser(c);
  const ctx = convertContext(c);
  return c.json((await c.get("services").featuredTags.own(account)).map((t) => toFeaturedTag(t, account, ctx)));
});

featuredTagsRoutes.get("/suggestions", requireScope("read:accounts"), async (c) => {
  const { account } = currentUser(c);
  const services = c.get("services");
  const views = await services.tags.views(await services.featuredTags.suggestions(account), account.id);
  return c.json(views.map((v) => toTagEntity(v, { origin: services.config.origin })));
});

featuredTagsRoutes.post("/", requireScope("write:accounts"), async (c) => {
  const { account } = currentUser(c);
  const name = str(await readParams(c), "name", 200);
  if (!name) throw new ApiError(422, "Validation failed: Tag can't be blank");
  const row = await c.get("services").featuredTags.feature(account, name);
  return c.json(toFeaturedTag(row, account, convertContext(c)));
});

featuredTagsRoutes.delete("/:id", requireScope("write:accounts"), async (c) => {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  await c.get("services").featuredTags.removeById(currentUser(c).account, id);
  return c.json({});
});

for (const [path, feature] of [["feature", true], ["unfeature", false]] as const) {
  tagFeatureRoutes.post(`/:name/${path}`, requireScope("write:accounts"), async (c) => {
    const { account } = currentUser(c);
    const services = c.get("services");
    const name = c.req.param("name");
    // An unusable name is a 404 here, as for every /api/v1/tags/:name route.
    await services.tags.show(name, account.id);
    // This route's 422 is Mastodon's ValidationError (with details), unlike POST /featured_tags'.
    if (feature) await services.featuredTags.feature(account, name).catch((error: unknown) => {
      if (error instanceof DomainError && error.kind === "validation") throw new ApiError(422, error.message, {}, { name: [{ error: "ERR_INVALID", description: error.message }] });
      throw error;
    });
    else await services.featuredTags.unfeatureName(account, name);
    return c.json(toTagEntity(await services.tags.show(name, account.id), { origin: services.config.origin }));
  });
}
