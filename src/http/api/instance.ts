// GET /api/v1/instance and /api/v2/instance: public, no token needed.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { toInstanceV1, toInstanceV2 } from "../../convert/mastodon/instance.ts";
import { escapeHtml } from "../../domain/text/plain-to-html.ts";

export const instanceV1Routes = new Hono<AppEnv>();
export const instanceV2Routes = new Hono<AppEnv>();

instanceV1Routes.get("/", async (c) => c.json(toInstanceV1(await c.get("services").instance.facts())));
instanceV1Routes.get("/rules", (c) => c.json([]));
instanceV1Routes.get("/peers", (c) => c.json([]));
instanceV1Routes.get("/activity", (c) => c.json([]));
instanceV1Routes.get("/extended_description", async (c) => {
  const { config } = c.get("services");
  return c.json({ updated_at: new Date(0).toISOString(), content: `<p>${escapeHtml(config.instance.description)}</p>` });
});

instanceV2Routes.get("/", async (c) => c.json(toInstanceV2(await c.get("services").instance.facts())));
