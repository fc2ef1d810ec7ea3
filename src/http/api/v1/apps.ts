// POST /api/v1/apps and GET /api/v1/apps/verify_credentials.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { readParams, str, strOrList } from "../../params.ts";
import { toApplication, toCredentialApplication } from "../../../convert/mastodon/application.ts";
import { ApiError } from "../../errors.ts";

export const appsRoutes = new Hono<AppEnv>();

appsRoutes.post("/", async (c) => {
  const params = await readParams(c);
  const services = c.get("services");
  const scopes = strOrList(params, "scopes");
  const { app, clientSecret } = await services.oauth.registerApp({
    name: str(params, "client_name", 1000),
    redirectUris: strOrList(params, "redirect_uris"),
    scopes: Array.isArray(scopes) ? scopes.join(" ") : scopes,
    website: str(params, "website", 2000),
  });
  return c.json(toCredentialApplication(app, clientSecret, await services.instance.vapidPublicKey()));
});

appsRoutes.get("/verify_credentials", async (c) => {
  const auth = c.get("auth");
  if (!auth) throw new ApiError(401, "The access token is invalid");
  return c.json(toApplication(auth.application, await c.get("services").instance.vapidPublicKey()));
});
