// /api/v1/announcements: announcements by admins (`./skein announcements`), for signed-in users.
//   GET    /                      the active ones (with_dismissed=true: also those one dismissed)
//   POST   /:id/dismiss           marks one read
//   PUT    /:id/reactions/:name   adds one's reaction (unicode emoji or a local custom emoji's shortcode)
//   DELETE /:id/reactions/:name   takes it back
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { convertContext } from "../../render.ts";
import { toAnnouncement } from "../../../convert/mastodon/announcement.ts";

export const announcementsRoutes = new Hono<AppEnv>();

/** A reaction name in the path (Hono has decoded it), bounded before anything looks at it. */
function reactionName(name: string): string {
  return name.slice(0, 100);
}

announcementsRoutes.get("/", requireScope("read"), async (c) => {
  const { account } = currentUser(c);
  const withDismissed = c.req.query("with_dismissed") === "true";
  const views = await c.get("services").announcements.active(account.id, withDismissed);
  const ctx = convertContext(c);
  return c.json(views.map((v) => toAnnouncement(v, ctx)));
});

announcementsRoutes.post("/:id/dismiss", requireScope("write:accounts", "write"), async (c) => {
  const { account } = currentUser(c);
  await c.get("services").announcements.dismiss(account.id, c.req.param("id"));
  return c.json({});
});

announcementsRoutes.put("/:id/reactions/:name", requireScope("write:favourites", "write"), async (c) => {
  const { account } = currentUser(c);
  await c.get("services").announcements.react(account.id, c.req.param("id"), reactionName(c.req.param("name")));
  return c.json({});
});

announcementsRoutes.delete("/:id/reactions/:name", requireScope("write:favourites", "write"), async (c) => {
  const { account } = currentUser(c);
  await c.get("services").announcements.unreact(account.id, c.req.param("id"), reactionName(c.req.param("name")));
  return c.json({});
});
