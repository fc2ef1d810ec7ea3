// GET /api/v1_alpha/async_refreshes/:id (Mastodon 4.4): the progress of a background refresh a
// previous answer announced with its `Mastodon-Async-Refresh` header. Skein announces one kind:
// the completion of a remote thread when its context is opened (domain/threads). An id is known
// while the thread's record lasts (the completion interval); then, or for any other id, 404.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";

export const asyncRefreshRoutes = new Hono<AppEnv>();

asyncRefreshRoutes.get("/:id", requireScope("read"), async (c) => {
  currentUser(c);
  const refresh = await c.get("services").threads.asyncRefresh(c.req.param("id"));
  if (!refresh) throw new ApiError(404, "Record not found");
  return c.json({ async_refresh: { id: refresh.id, status: refresh.status, result_count: refresh.resultCount } });
});
