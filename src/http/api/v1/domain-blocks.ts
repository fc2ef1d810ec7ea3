// /api/v1/domain_blocks: the signed-in user's own domain blocks (Mastodon's API). The rules —
// what a block hides and which follows it ends — are domain/moderation/user-domain-blocks.ts.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { readParams } from "../../params.ts";

export const domainBlocksRoutes = new Hono<AppEnv>();

// Plain domain names, newest block first; paginated by the block's id (Link header), as Mastodon.
domainBlocksRoutes.get("/", requireScope("read:blocks"), async (c) => {
  const rows = await c.get("services").moderation.userDomainBlocks.list(currentUser(c).account.id, pageRequest(c, { defaultLimit: 100, maxLimit: 200 }));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(rows.map((r) => r.domain));
});

domainBlocksRoutes.post("/", requireScope("write:blocks"), async (c) => {
  const params = await readParams(c);
  await c.get("services").moderation.userDomainBlocks.block(currentUser(c).account, params.domain);
  return c.json({});
});

domainBlocksRoutes.delete("/", requireScope("write:blocks"), async (c) => {
  const params = await readParams(c);
  await c.get("services").moderation.userDomainBlocks.unblock(currentUser(c).account, params.domain);
  return c.json({});
});
