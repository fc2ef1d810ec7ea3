// /api/v1/admin/domain_blocks: the server's domain blocks (noop, silence, suspend; reject media,
// reject reports; comments; obfuscation), as Mastodon serves them and as blocklist tools
// (FediBlockHole) drive them: a plain GET paged by Link, POST answered 200 with the entity, PUT
// for changes, 422 with the existing block for a domain already covered. Scopes
// admin:read:domain_blocks / admin:write:domain_blocks, permission manage_federation.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser } from "../../auth.ts";
import { requireAdmin } from "./guard.ts";
import { bool, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { adminPage } from "./paging.ts";
import { toAdminDomainBlock } from "../../../convert/mastodon/admin/domain-policy.ts";
import { ExistingDomainBlockError, type DomainBlockInput, type PolicyActor } from "../../../domain/moderation/domain-block-service.ts";

export const adminDomainBlocks = new Hono<AppEnv>();

const read = requireAdmin("admin:read:domain_blocks", "manage_federation");
const write = requireAdmin("admin:write:domain_blocks", "manage_federation");

/** A long name is refused by the domain rules; this only keeps absurd input out of them. */
const MAX_DOMAIN_INPUT = 1000;
const MAX_COMMENT_INPUT = 10_000;

export function idParam(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id") ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

export function actorOf(c: Context<AppEnv>): PolicyActor {
  return { accountId: currentUser(c).account.id };
}

/** A comment: absent leaves it as it is, null or "" empties it. */
function comment(params: Params, name: string): string | null | undefined {
  if (params[name] === null) return null;
  return str(params, name, MAX_COMMENT_INPUT);
}

function blockInput(params: Params): DomainBlockInput {
  return {
    domain: str(params, "domain", MAX_DOMAIN_INPUT),
    severity: str(params, "severity", 100),
    reject_media: bool(params, "reject_media"),
    reject_reports: bool(params, "reject_reports"),
    private_comment: comment(params, "private_comment"),
    public_comment: comment(params, "public_comment"),
    obfuscate: bool(params, "obfuscate"),
  };
}

adminDomainBlocks.get("/", read, async (c) => {
  const rows = await adminPage(c, (page) => c.get("services").moderation.domainBlocks.list(page));
  return c.json(rows.map(toAdminDomainBlock));
});

adminDomainBlocks.get("/:id", read, async (c) => {
  return c.json(toAdminDomainBlock(await c.get("services").moderation.domainBlocks.get(idParam(c))));
});

adminDomainBlocks.post("/", write, async (c) => {
  const input = blockInput(await readParams(c));
  try {
    return c.json(toAdminDomainBlock(await c.get("services").moderation.domainBlocks.create(actorOf(c), input)));
  } catch (error) {
    // Mastodon's answer names the block that already covers the domain, so a tool can update it instead.
    if (error instanceof ExistingDomainBlockError) return c.json({ error: error.message, existing_domain_block: toAdminDomainBlock(error.existing) }, 422);
    throw error;
  }
});

adminDomainBlocks.put("/:id", write, async (c) => {
  const id = idParam(c);
  const input = blockInput(await readParams(c));
  return c.json(toAdminDomainBlock(await c.get("services").moderation.domainBlocks.update(actorOf(c), id, input)));
});

adminDomainBlocks.delete("/:id", write, async (c) => {
  await c.get("services").moderation.domainBlocks.remove(actorOf(c), idParam(c));
  return c.json({});
});
