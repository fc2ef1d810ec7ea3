// /api/v1/admin/domain_allows: the servers allowed to federate (what counts in allowlist mode,
// and what overrides a subscription's block in blocklist mode). Allowing a domain already
// allowed returns the existing entry, as Mastodon does. Scopes admin:read:domain_allows /
// admin:write:domain_allows, permission manage_federation.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { requireAdmin } from "./guard.ts";
import { readParams, str } from "../../params.ts";
import { adminPage } from "./paging.ts";
import { actorOf, idParam } from "./domain-blocks.ts";
import { toAdminDomainAllow } from "../../../convert/mastodon/admin/domain-policy.ts";

export const adminDomainAllows = new Hono<AppEnv>();

const read = requireAdmin("admin:read:domain_allows", "manage_federation");
const write = requireAdmin("admin:write:domain_allows", "manage_federation");

adminDomainAllows.get("/", read, async (c) => {
  const rows = await adminPage(c, (page) => c.get("services").moderation.domainBlocks.allows(page));
  return c.json(rows.map(toAdminDomainAllow));
});

adminDomainAllows.get("/:id", read, async (c) => {
  return c.json(toAdminDomainAllow(await c.get("services").moderation.domainBlocks.getAllow(idParam(c))));
});

adminDomainAllows.post("/", write, async (c) => {
  const domain = str(await readParams(c), "domain", 1000);
  return c.json(toAdminDomainAllow(await c.get("services").moderation.domainBlocks.allow(actorOf(c), domain)));
});

adminDomainAllows.delete("/:id", write, async (c) => {
  await c.get("services").moderation.domainBlocks.removeAllow(actorOf(c), idParam(c));
  return c.json({});
});
