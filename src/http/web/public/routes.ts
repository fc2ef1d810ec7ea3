// The public pages, what a shared link opens: profiles (/@name, /@name.rss), posts with their
// threads (/@name/ID), hashtags (/tags/name, /tags/name.rss), /about and the front page, and the
// local timeline (/public/local). ActivityPub fetches of /users/… are answered by the federation
// layer before these routes run; one asking /@name or /@name/ID for activity+json is sent there.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { contentSecurityPolicy } from "./layout.ts";
import { actorAddressPage, profilePage } from "./profile.ts";
import { threadPage } from "./thread.ts";
import { tagPage } from "./tags.ts";
import { aboutPage } from "./about.ts";
import { localTimelinePage } from "./local.ts";

export const publicRoutes = new Hono<AppEnv>();

const PATHS = ["/", "/about", "/public/local", "/tags/*", "/users/*", "/:handle{@[^/]+}", "/:handle{@[^/]+}/*"];
for (const path of PATHS) {
  publicRoutes.use(path, async (c, next) => {
    const services = c.get("services");
    // The domain policy (reject_media) and this server's emojis as the API sees them (app.ts refreshes them for /api only).
    await Promise.all([services.moderation.policy.fresh(), services.emojis.catalog.fresh()]);
    await next();
    c.header("Content-Security-Policy", contentSecurityPolicy(services));
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Vary", "Accept");
  });
}

publicRoutes.get("/", aboutPage);
publicRoutes.get("/about", aboutPage);
publicRoutes.get("/public/local", localTimelinePage);
publicRoutes.get("/tags/:name", tagPage);
// "/@name" is matched as one "@name" segment (Hono has no literal-prefix parameters).
publicRoutes.get("/:handle{@[^/]+}", profilePage);
publicRoutes.get("/:handle{@[^/]+}/:id", threadPage);
publicRoutes.get("/users/:username", actorAddressPage);
publicRoutes.get("/users/:username/statuses/:id", threadPage);
