// POST /api/v1/apps and GET /api/v1/apps/verify_credentials.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { readParams, str, strOrList } from "../../params.ts";
import { toApplication, toCredentialApplication } from "../../../convert/mastodon/application.ts";
import { ApiError } from "../../errors.ts";
import { appRegistrations, throttle } from "../../rate-limits.ts";

export const appsRoutes = new Hono<AppEnv>();

appsRoutes.post("/", async (c) => {
  const throttled = throttle(c, appRegistrations);
  if (throttled) return throttled;
  const params = await readParams(c);
  const services = c.get("services");
  const scopes = strOrList(params, "scopes");
  const { app, clientSecret } = await services.oauth.registerApp({
    // The lengths are the service's to check, with Mastodon's messages.
    name: str(params, "client_name"),
    redirectUris: strOrList(params, "redirect_uris"),
    scopes: Array.isArray(scopes) ? scopes.join(" ") : scopes,
    website: str(params, "website"),
  });
  return c.json(toCredentialApplication(app, clientSecret, await services.instance.vapidPublicKey()));
});

appsRoutes.get("/verify_credentials", async (c) => {
  const auth = c.get("auth");
  if (!auth) throw new ApiError(401, "The access token is invalid");
  return c.json(toApplication(auth.application, await c.get("services").instance.vapidPublicKey()));
});
