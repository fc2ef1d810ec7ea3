// The privacy policy and terms of service as web pages (/privacy-policy, /terms-of-service), where
// /api/v2/instance's configuration.urls point clients and visitors: the same texts the API serves
// (domain/instance/instance-texts.ts), which admins write and are trusted to write.
import { Hono } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";

export const instancePageRoutes = new Hono<AppEnv>();

instancePageRoutes.get("/privacy-policy", async (c) => {
  const services = c.get("services");
  const policy = await services.instanceTexts.privacyPolicy();
  return c.html(page("Privacy policy", services.config.instance.title, html`<h1>Privacy policy</h1>${raw(policy.content)}<p><small>Last updated ${policy.updated_at.slice(0, 10)}</small></p>`));
});

instancePageRoutes.get("/terms-of-service", async (c) => {
  const services = c.get("services");
  const terms = await services.instanceTexts.termsOfService().catch(() => null);
  if (!terms) return c.json({ error: "Record not found" }, 404);
  return c.html(page("Terms of service", services.config.instance.title, html`<h1>Terms of service</h1>${raw(terms.content)}<p><small>${terms.effective ? "In effect since" : "In effect from"} ${terms.effective_date}</small></p>`));
});
