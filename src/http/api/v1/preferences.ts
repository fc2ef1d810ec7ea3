// GET /api/v1/preferences: the posting and reading defaults clients apply.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { userSettings } from "../../../domain/accounts/account-service.ts";

export const preferencesRoutes = new Hono<AppEnv>();

preferencesRoutes.get("/", requireScope("read:accounts"), (c) => {
  const settings = userSettings(currentUser(c).user);
  return c.json({
    "posting:default:visibility": settings.privacy,
    "posting:default:sensitive": settings.sensitive,
    "posting:default:language": settings.language,
    "posting:default:quote_policy": settings.quote_policy,
    "reading:expand:media": "default",
    "reading:expand:spoilers": false,
  });
});
