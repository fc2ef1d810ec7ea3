// GET /api/v1_alpha/async_refreshes/:id (Mastodon 4.4): the progress of a background refresh a
// previous answer announced (Mastodon's `Mastodon-Async-Refresh` header, e.g. while fetching a
// remote thread's replies). Skein fetches what it shows before answering and never issues such
// ids, so every id is unknown: 404 for a signed-in user, 401 without a token.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";

export const asyncRefreshRoutes = new Hono<AppEnv>();

asyncRefreshRoutes.get("/:id", requireScope("read"), (c) => {
  currentUser(c);
  throw new ApiError(404, "Record not found");
});
