// /oauth/*: the authorization page (consent), the token endpoint, revocation and userinfo.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "../web/layout.ts";
import { checkCsrf, csrfToken, sessionToken } from "../web/cookies.ts";
import { flatStrings, readParams } from "../params.ts";
import { OAuthError, OOB_REDIRECT_URI, type AuthorizationRequest } from "../../domain/oauth/oauth-service.ts";
import type { UserRow } from "../../store/users.ts";
import { clientCredentialGrants, passwordGrants, throttle } from "../rate-limits.ts";
import { requireScope, currentUser } from "../auth.ts";
import { toAccount } from "../../convert/mastodon/account.ts";
import { convertContext } from "../render.ts";

export const oauthRoutes = new Hono<AppEnv>();

const AUTHORIZE_FIELDS = ["client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method"] as const;

async function signedInUser(c: Context<AppEnv>): Promise<UserRow | null> {
  const token = sessionToken(c);
  return token ? c.get("services").sessions.userOfSession(token) : null;
}

function errorPage(c: Context<AppEnv>, error: OAuthError) {
  const { config } = c.get("services");
  return c.html(
    page("Authorization error", config.instance.title, html`<h1>This application cannot be authorized</h1>
<p class="error">${error.message}</p>
<p><code>${error.code}</code></p>`),
    error.status === 401 ? 400 : (error.status as 400 | 403),
  );
}

function checkRequest(c: Context<AppEnv>, p: Record<string, string | undefined>): Promise<AuthorizationRequest> {
  return c.get("services").oauth.checkAuthorizationRequest({
    clientId: p.client_id,
    redirectUri: p.redirect_uri,
    responseType: p.response_type,
    scope: p.scope,
    codeChallenge: p.code_challenge,
    codeChallengeMethod: p.code_challenge_method,
  });
}

oauthRoutes.get("/authorize", async (c) => {
  const params = flatStrings(await readParams(c));
  let request: AuthorizationRequest;
  try {
    request = await checkRequest(c, params);
  } catch (error) {
    if (error instanceof OAuthError) return errorPage(c, error);
    throw error;
  }
  const user = await signedInUser(c);
  if (!user || params.force_login === "true") {
    const here = new URL(c.req.url);
    here.searchParams.delete("force_login");
    return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(here.pathname + here.search)}`, 303);
  }
  // A role that requires two-factor sign-in: set it up first, then come back to this page.
  if (await c.get("services").twoFactor.setupRequired(user)) {
    const here = new URL(c.req.url);
    return c.redirect(`/settings/two_factor?return_to=${encodeURIComponent(here.pathname + here.search)}`, 303);
  }
  const { config } = c.get("services");
  return c.html(
    page("Authorize", config.instance.title, html`<h1>Authorize ${request.app.name}?</h1>
<p>${request.app.name} will be able to act for your account with these permissions:</p>
<ul class="scopes">${request.scopes.map((s) => html`<li>${s}</li>`)}</ul>
<form method="post" action="/oauth/authorize">
  <input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
  ${AUTHORIZE_FIELDS.map((f) => (params[f] !== undefined ? html`<input type="hidden" name="${f}" value="${params[f]}">` : ""))}
  <div class="actions">
    <button type="submit" name="decision" value="approve">Authorize</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>`),
  );
});

oauthRoutes.post("/authorize", async (c) => {
  const raw = await readParams(c);
  checkCsrf(c, raw.authenticity_token);
  const params = flatStrings(raw);
  const user = await signedInUser(c);
  if (!user) return c.redirect("/auth/sign_in", 303);
  let request: AuthorizationRequest;
  try {
    request = await checkRequest(c, params);
  } catch (error) {
    if (error instanceof OAuthError) return errorPage(c, error);
    throw error;
  }
  const { config, oauth } = c.get("services");
  if (params.decision === "deny") {
    if (request.redirectUri === OOB_REDIRECT_URI) {
      return c.html(page("Denied", config.instance.title, html`<h1>Authorization denied</h1><p>You can close this page.</p>`));
    }
    return c.redirect(withQuery(request.redirectUri, { error: "access_denied", error_description: "The resource owner denied the request.", state: params.state }), 303);
  }
  let code: string;
  try {
    code = await oauth.issueAuthorizationCode(request, user);
  } catch (error) {
    if (error instanceof OAuthError) return errorPage(c, error);
    throw error;
  }
  if (request.redirectUri === OOB_REDIRECT_URI) {
    return c.html(
      page("Authorization code", config.instance.title, html`<h1>Authorization code</h1>
<p>Copy this code and paste it into ${request.app.name}:</p>
<code class="token" id="authorization-code">${code}</code>`),
    );
  }
  return c.redirect(withQuery(request.redirectUri, { code, state: params.state }), 303);
});

oauthRoutes.post("/token", async (c) => {
  const params = flatStrings(await readParams(c));
  const limiter = params.grant_type === "password" ? passwordGrants : params.grant_type === "client_credentials" ? clientCredentialGrants : null;
  const throttled = limiter && throttle(c, limiter);
  if (throttled) return throttled;
  // Clients may authenticate with HTTP Basic instead of body parameters (RFC 6749 §2.3.1).
  const authorization = c.req.header("authorization") ?? "";
  const usesBasic = /^Basic(\s|$)/i.test(authorization);
  try {
    if (usesBasic && !params.client_id) Object.assign(params, basicClientCredentials(authorization));
    const { accessToken, row } = await c.get("services").oauth.grant(params);
    c.header("Cache-Control", "no-store");
    return c.json({
      access_token: accessToken,
      token_type: "Bearer",
      scope: row.scopes,
      created_at: Math.floor(Date.parse(row.created_at) / 1000),
    });
  } catch (error) {
    // RFC 6749 §5.2: a client that tried HTTP authentication is told which scheme to use.
    if (usesBasic && error instanceof OAuthError && error.code === "invalid_client") c.header("WWW-Authenticate", 'Basic realm="OAuth"');
    throw error;
  }
});

async function revoke(c: Context<AppEnv>) {
  await c.get("services").oauth.revoke(flatStrings(await readParams(c)));
  return c.json({});
}
oauthRoutes.post("/revoke", revoke);
// masto.js posts revocations here.
oauthRoutes.post("/token/revoke", revoke);

oauthRoutes.get("/userinfo", requireScope("profile", "read:accounts"), (c) => {
  const { account } = currentUser(c);
  const { config } = c.get("services");
  const entity = toAccount(account, convertContext(c));
  return c.json({
    iss: `${config.origin}/`,
    sub: entity.uri,
    name: entity.display_name || entity.username,
    preferred_username: entity.username,
    profile: entity.url,
    picture: entity.avatar,
  });
});

/**
 * The client id and secret of an `Authorization: Basic` header: base64 of "id:secret", each
 * form-encoded first (RFC 6749 §2.3.1). A header that is not that is a failed client
 * authentication (401 invalid_client), never an exception.
 */
function basicClientCredentials(header: string): { client_id: string; client_secret: string } {
  const invalid = new OAuthError("invalid_client", "Client authentication failed: the Basic credentials are malformed.", 401);
  const encoded = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header)?.[1];
  if (!encoded) throw invalid;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalid;
  const formDecode = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch {
      throw invalid;
    }
  };
  const credentials = { client_id: formDecode(decoded.slice(0, colon)), client_secret: formDecode(decoded.slice(colon + 1)) };
  // NUL is refused everywhere clients send text (http/params.ts); credentials are text too.
  if (!credentials.client_id || `${credentials.client_id}${credentials.client_secret}`.includes("\u0000")) throw invalid;
  return credentials;
}

function withQuery(uri: string, values: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
