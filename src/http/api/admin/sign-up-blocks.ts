// Who may not sign up, as Mastodon's admin API manages it: /api/v1/admin/email_domain_blocks,
// /api/v1/admin/canonical_email_blocks (+ /test), /api/v1/admin/ip_blocks. Each has its granular
// scope (admin:read:ip_blocks, admin:write:ip_blocks…); all need the manage_blocks permission.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser } from "../../auth.ts";
import { requireAdmin } from "./guard.ts";
import { bool, int, readParams, str } from "../../params.ts";
import { adminPage } from "./paging.ts";
import { idParam } from "./domain-blocks.ts";
import { toAdminCanonicalEmailBlock, toAdminEmailDomainBlock, toAdminIpBlock } from "../../../convert/mastodon/admin/sign-up-blocks.ts";

export const adminEmailDomainBlocks = new Hono<AppEnv>();
export const adminCanonicalEmailBlocks = new Hono<AppEnv>();
export const adminIpBlocks = new Hono<AppEnv>();

const MAX_INPUT = 1000;
const MAX_COMMENT_INPUT = 10_000;
/** Ten years, the longest expiry the rules accept; anything larger is refused there too. */
const MAX_EXPIRES_IN = 10 * 366 * 24 * 3600;

const scoped = (name: string) => ({
  read: requireAdmin(`admin:read:${name}`, "manage_blocks"),
  write: requireAdmin(`admin:write:${name}`, "manage_blocks"),
});

// E-mail domains

{
  const { read, write } = scoped("email_domain_blocks");
  const routes = adminEmailDomainBlocks;
  routes.get("/", read, async (c) => c.json((await adminPage(c, (page) => c.get("services").moderation.signUpBlocks.emailDomains(page))).map(toAdminEmailDomainBlock)));
  routes.get("/:id", read, async (c) => c.json(toAdminEmailDomainBlock(await c.get("services").moderation.signUpBlocks.emailDomain(idParam(c)))));
  routes.post("/", write, async (c) => {
    const params = await readParams(c);
    const row = await c.get("services").moderation.signUpBlocks.blockEmailDomain(currentUser(c).account.id, {
      domain: str(params, "domain", MAX_INPUT),
      allowWithApproval: bool(params, "allow_with_approval"),
    });
    return c.json(toAdminEmailDomainBlock(row));
  });
  routes.delete("/:id", write, async (c) => {
    await c.get("services").moderation.signUpBlocks.unblockEmailDomain(currentUser(c).account.id, idParam(c));
    return c.json({});
  });
}

// Canonical e-mail addresses

{
  const { read, write } = scoped("canonical_email_blocks");
  const routes = adminCanonicalEmailBlocks;
  routes.get("/", read, async (c) => c.json((await adminPage(c, (page) => c.get("services").moderation.signUpBlocks.canonicalEmails(page))).map(toAdminCanonicalEmailBlock)));
  routes.post("/test", read, async (c) => {
    const email = str(await readParams(c), "email", MAX_INPUT);
    return c.json((await c.get("services").moderation.signUpBlocks.testCanonicalEmail(email)).map(toAdminCanonicalEmailBlock));
  });
  routes.get("/:id", read, async (c) => c.json(toAdminCanonicalEmailBlock(await c.get("services").moderation.signUpBlocks.canonicalEmailBlock(idParam(c)))));
  routes.post("/", write, async (c) => {
    const params = await readParams(c);
    const row = await c.get("services").moderation.signUpBlocks.blockCanonicalEmail(currentUser(c).account.id, {
      email: str(params, "email", MAX_INPUT),
      canonicalEmailHash: str(params, "canonical_email_hash", MAX_INPUT),
    });
    return c.json(toAdminCanonicalEmailBlock(row));
  });
  routes.delete("/:id", write, async (c) => {
    await c.get("services").moderation.signUpBlocks.unblockCanonicalEmail(currentUser(c).account.id, idParam(c));
    return c.json({});
  });
}

// IP ranges

{
  const { read, write } = scoped("ip_blocks");
  const routes = adminIpBlocks;
  const input = async (c: Context<AppEnv>) => {
    const params = await readParams(c);
    const expiresIn = params.expires_in === null ? null : int(params, "expires_in", { min: 1, max: MAX_EXPIRES_IN });
    return {
      ip: str(params, "ip", MAX_INPUT),
      severity: str(params, "severity", 100),
      comment: params.comment === null ? null : str(params, "comment", MAX_COMMENT_INPUT),
      expiresIn,
    };
  };
  routes.get("/", read, async (c) => c.json((await adminPage(c, (page) => c.get("services").moderation.signUpBlocks.ipBlocks(page))).map(toAdminIpBlock)));
  routes.get("/:id", read, async (c) => c.json(toAdminIpBlock(await c.get("services").moderation.signUpBlocks.ipBlock(idParam(c)))));
  routes.post("/", write, async (c) => {
    const row = await c.get("services").moderation.signUpBlocks.createIpBlock(currentUser(c).account.id, await input(c));
    return c.json(toAdminIpBlock(row));
  });
  routes.put("/:id", write, async (c) => {
    const id = idParam(c);
    const row = await c.get("services").moderation.signUpBlocks.updateIpBlock(currentUser(c).account.id, id, await input(c));
    return c.json(toAdminIpBlock(row));
  });
  routes.delete("/:id", write, async (c) => {
    await c.get("services").moderation.signUpBlocks.removeIpBlock(currentUser(c).account.id, idParam(c));
    return c.json({});
  });
}
