// GET /api/v1/instance and /api/v2/instance: public, no token needed (peers and moderated
// servers need a user in allowlist mode).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";
import { toInstanceV1, toInstanceV2 } from "../../convert/mastodon/instance.ts";
import { toPublicDomainBlock } from "../../convert/mastodon/admin/domain-policy.ts";
import { ApiError } from "../errors.ts";
import { convertContext } from "../render.ts";
import { instancePagesRoutes } from "./v1/instance-texts.ts";

export const instanceV1Routes = new Hono<AppEnv>();
export const instanceV2Routes = new Hono<AppEnv>();

instanceV1Routes.get("/", async (c) => c.json(toInstanceV1(await instanceFacts(c), convertContext(c))));
// Languages, privacy policy, terms of service, extended description, rules, activity (v1/instance-texts.ts).
instanceV1Routes.route("/", instancePagesRoutes);

/** The instance's facts with the registration settings in force (they change at runtime). */
async function instanceFacts(c: Context<AppEnv>) {
  const services = c.get("services");
  return { ...(await services.instance.facts()), registrations: await services.registration.settings.current(), mediaTypes: await services.media.acceptedMimeTypes(), rules: await services.rules.list(), hasTermsOfService: (await services.instanceTexts.termsVersions()).length > 0 };
}
/**
 * In allowlist mode the server's peers and moderation are not for strangers: as in Mastodon's
 * limited federation mode, these lists need a signed-in user.
 */
function requireUserInAllowlistMode(c: Context<AppEnv>): void {
  if (c.get("services").config.federationMode === "allowlist" && !c.get("auth")?.user) throw new ApiError(401, "This method requires an authenticated user");
}

// The servers this one knows accounts from, less those it suspended.
instanceV1Routes.get("/peers", async (c) => {
  requireUserInAllowlistMode(c);
  return c.json(await c.get("services").moderation.measures.peers());
});
// The moderated servers, for everyone (Mastodon makes this an admin's choice; Skein publishes it,
// as a transparent server does): suspensions first, then silences, by name; `noop` entries limit
// nothing and are not listed. Obfuscated names are partly starred; the digest is of the real name.
instanceV1Routes.get("/domain_blocks", async (c) => {
  requireUserInAllowlistMode(c);
  const blocks = (await c.get("services").moderation.domainBlocks.all()).filter((row) => row.severity !== "noop");
  const rank = { suspend: 0, silence: 1, noop: 2 } as const;
  blocks.sort((a, b) => rank[a.severity] - rank[b.severity] || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  return c.json(blocks.map(toPublicDomainBlock));
});

instanceV2Routes.get("/", async (c) => c.json(toInstanceV2(await instanceFacts(c), convertContext(c))));
