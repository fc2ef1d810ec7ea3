// Discovery documents: /.well-known/host-meta, /.well-known/nodeinfo (+ /nodeinfo/2.x) and
// /.well-known/oauth-authorization-server (RFC 8414), which clients read before signing in.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ALL_SCOPES } from "../../domain/oauth/scopes.ts";
import { escapeHtml } from "../../domain/text/plain-to-html.ts";

export const wellKnownRoutes = new Hono<AppEnv>();
export const nodeInfoRoutes = new Hono<AppEnv>();

wellKnownRoutes.get("/host-meta", (c) => {
  const { origin } = c.get("services").config;
  const template = escapeHtml(`${origin}/.well-known/webfinger?resource={uri}`);
  c.header("Content-Type", "application/xrd+xml; charset=utf-8");
  return c.body(`<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="${template}"/>
</XRD>
`);
});

wellKnownRoutes.get("/nodeinfo", (c) => {
  const { origin } = c.get("services").config;
  return c.json({
    links: [
      { rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: `${origin}/nodeinfo/2.0` },
      { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${origin}/nodeinfo/2.1` },
    ],
  });
});

wellKnownRoutes.get("/oauth-authorization-server", (c) => {
  const { origin } = c.get("services").config;
  return c.json({
    issuer: `${origin}/`,
    service_documentation: "https://docs.joinmastodon.org/",
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    app_registration_endpoint: `${origin}/api/v1/apps`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    userinfo_endpoint: `${origin}/oauth/userinfo`,
    scopes_supported: ALL_SCOPES,
    response_types_supported: ["code"],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: ["authorization_code", "password", "client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    code_challenge_methods_supported: ["S256"],
  });
});

for (const version of ["2.0", "2.1"] as const) {
  nodeInfoRoutes.get(`/${version}`, async (c) => {
    const services = c.get("services");
    const facts = await services.instance.facts();
    const software: Record<string, string> = { name: "skein", version: facts.version };
    if (version === "2.1") software.homepage = services.config.instance.sourceUrl;
    c.header("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"`);
    return c.body(
      JSON.stringify({
        version,
        software,
        protocols: ["activitypub"],
        services: { inbound: [], outbound: [] },
        openRegistrations: (await services.registration.settings.current()).mode === "open",
        usage: { users: { total: facts.userCount, activeMonth: facts.userCount, activeHalfyear: facts.userCount }, localPosts: facts.statusCount },
        metadata: { nodeName: services.config.instance.title, nodeDescription: services.config.instance.description },
      }),
    );
  });
}
