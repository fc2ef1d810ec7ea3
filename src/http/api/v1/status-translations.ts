// POST /api/v1/statuses/:id/translate. Skein has no translation service, so — as Mastodon answers
// when none is configured — a post the user may read is a 404 saying so (clients then hide their
// "Translate" button; /api/v2/instance says configuration.translation.enabled: false). A post
// the user may not read is the usual 404.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";

export const statusTranslationRoutes = new Hono<AppEnv>();

statusTranslationRoutes.post("/:id/translate", requireScope("read:statuses", "read"), async (c) => {
  const { account } = currentUser(c);
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  await c.get("services").statuses.readable(id, account.id);
  throw new ApiError(404, "No translation service is configured on this server");
});
