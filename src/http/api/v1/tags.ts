// /api/v1/tags/:name (a hashtag, its last week, following it) and /api/v1/followed_tags.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { viewerId } from "../../render.ts";
import { toTagEntity as toTag } from "../../../convert/mastodon/tag-entity.ts";

export const tagsRoutes = new Hono<AppEnv>();
export const followedTagsRoutes = new Hono<AppEnv>();

const ctx = (c: Context<AppEnv>) => ({ origin: c.get("services").config.origin });

tagsRoutes.get("/:name", async (c) => {
  return c.json(toTag(await c.get("services").tags.show(c.req.param("name"), viewerId(c)), ctx(c)));
});

tagsRoutes.post("/:name/follow", requireScope("write:follows"), async (c) => {
  return c.json(toTag(await c.get("services").tags.follow(currentUser(c).account.id, c.req.param("name")), ctx(c)));
});

tagsRoutes.post("/:name/unfollow", requireScope("write:follows"), async (c) => {
  return c.json(toTag(await c.get("services").tags.unfollow(currentUser(c).account.id, c.req.param("name")), ctx(c)));
});

followedTagsRoutes.get("/", requireScope("read:follows"), async (c) => {
  const rows = await c.get("services").tags.followed(currentUser(c).account.id, pageRequest(c, { defaultLimit: 100, maxLimit: 200 }));
  setLinkHeader(c, rows.map((r) => r.relationId));
  return c.json(rows.map((r) => toTag(r.view, ctx(c))));
});
