// The instance's pages, mounted under /api/v1/instance (public, no token needed):
//   GET languages               ISO 639 codes with names
//   GET translation_languages   {} — Skein has no translator
//   GET privacy_policy          the admin's (`./skein instance set privacy-policy FILE`) or Skein's default
//   GET terms_of_service[/:date] the version in effect (or of that date); 404 when there are none
//   GET extended_description    the admin's; empty with updated_at null until one is set
//   GET rules                   the server's rules (`./skein rules`)
//   GET activity                12 weeks of posts, users seen and sign-ups (a user in allowlist mode)
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { languages } from "../../../domain/instance/languages.ts";
import { toRule } from "../../../convert/mastodon/instance-pages.ts";

export const instancePagesRoutes = new Hono<AppEnv>();

/** As Mastodon's limited federation mode: figures about the server need a signed-in user. */
function requireUserInAllowlistMode(c: Context<AppEnv>): void {
  if (c.get("services").config.federationMode === "allowlist" && !c.get("auth")?.user) throw new ApiError(401, "This method requires an authenticated user");
}

instancePagesRoutes.get("/languages", (c) => c.json(languages()));

// Source language → target languages; with no translation service configured, none.
instancePagesRoutes.get("/translation_languages", (c) => c.json({}));

instancePagesRoutes.get("/privacy_policy", async (c) => c.json(await c.get("services").instanceTexts.privacyPolicy()));

instancePagesRoutes.get("/terms_of_service", async (c) => c.json(await c.get("services").instanceTexts.termsOfService()));
instancePagesRoutes.get("/terms_of_service/:date", async (c) => c.json(await c.get("services").instanceTexts.termsOfService(c.req.param("date"))));

instancePagesRoutes.get("/extended_description", async (c) => c.json(await c.get("services").instanceTexts.extendedDescription()));

instancePagesRoutes.get("/rules", async (c) => c.json((await c.get("services").rules.list()).map(toRule)));

instancePagesRoutes.get("/activity", async (c) => {
  requireUserInAllowlistMode(c);
  return c.json(await c.get("services").instanceActivity.weeks());
});
