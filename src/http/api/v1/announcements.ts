// /api/v1/announcements: server announcements. There is no way to write one yet, so the list
// is empty and every announcement id is unknown.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";

export const announcementsRoutes = new Hono<AppEnv>();

announcementsRoutes.get("/", requireScope("read"), (c) => {
  currentUser(c);
  return c.json([]);
});

const unknown = () => {
  throw new ApiError(404, "Record not found");
};
announcementsRoutes.post("/:id/dismiss", requireScope("write:accounts"), (c) => {
  currentUser(c);
  return unknown();
});
announcementsRoutes.put("/:id/reactions/:name", requireScope("write:favourites"), (c) => {
  currentUser(c);
  return unknown();
});
announcementsRoutes.delete("/:id/reactions/:name", requireScope("write:favourites"), (c) => {
  currentUser(c);
  return unknown();
});
