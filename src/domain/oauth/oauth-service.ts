// OAuth 2 as Mastodon clients expect it: app registration, the authorization-code grant with
// PKCE (S256), the password and client-credentials grants, revocation, and bearer-token checks.
import { createHash } from "node:crypto";
import type { OAuthStore, ApplicationRow, AccessTokenRow } from "../../store/oauth.ts";
import type { UserStore, UserRow } from "../../store/users.ts";
import type { AccountStore, AccountRow } from "../../store/accounts.ts";
import type { Stores } from "../../store/stores.ts";
import type { TwoFactorStore } from "../../store/two-factor.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";
import { isHttpUrl } from "../../util/urls.ts";
import { hashSecret, newSecret, sameSecret } from "../auth/secrets.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { notFound, validationFailed } from "../errors.ts";
import { ALL_SCOPES, DEFAULT_SCOPES, parseScopes, scopesWithin } from "./scopes.ts";

export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";
const CODE_LIFETIME_MS = 10 * 60 * 1000;
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;
// Mastodon's bounds on an app (client_name 60 characters; redirect URIs, newline-joined, and
// website 2,000 each); Skein also caps the number of redirect URIs. Registration needs no
// account, so every field a stranger can store has a bound.
const MAX_NAME_LENGTH = 60;
const MAX_REDIRECT_URIS_LENGTH = 2000;
const MAX_REDIRECT_URIS = 10;
const MAX_WEBSITE_LENGTH = 2000;
/** Mastodon: the scopes of an app cannot be longer than every known scope named once. */
const MAX_SCOPES_LENGTH = ALL_SCOPES.join(" ").length;

/** An error of the OAuth protocol itself (RFC 6749 §5.2), with its own wire shape. */
export class OAuthError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, description: string, status = 400) {
    super(description);
    this.code = code;
    this.status = status;
  }
}

export interface RegisteredApp {
  app: ApplicationRow;
  /** Shown once, at registration; only its hash is stored. */
  clientSecret: string;
}

export interface IssuedToken {
  accessToken: string;
  row: AccessTokenRow;
}

export interface Authenticated {
  token: AccessTokenRow;
  scopes: string[];
  application: ApplicationRow;
  user: UserRow | null;
  account: AccountRow | null;
}

/** An app a user let in, as the settings page lists it. */
export interface AuthorizedApp {
  applicationId: string;
  name: string;
  website: string | null;
  scopes: string[];
  tokens: number;
  authorizedAt: string;
  lastUsedAt: string | null;
}

export interface AuthorizationRequest {
  app: ApplicationRow;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

export class OAuthService {
  private readonly oauth: OAuthStore;
  private readonly users: UserStore;
  private readonly accounts: AccountStore;

  private readonly twoFactor: TwoFactorStore;
  /** Whether the user's role requires two-factor sign-in (REQUIRE_TWO_FACTOR). */
  private readonly twoFactorRequired: (user: UserRow) => boolean;

  constructor(stores: Stores, options: { twoFactorRequired?: (user: UserRow) => boolean } = {}) {
    this.twoFactor = stores.twoFactor;
    this.twoFactorRequired = options.twoFactorRequired ?? (() => false);
    this.oauth = stores.oauth;
    this.users = stores.users;
    this.accounts = stores.accounts;
  }

  async registerApp(input: {
    name?: string;
    redirectUris?: string | string[];
    scopes?: string;
    website?: string;
  }): Promise<RegisteredApp> {
    const name = input.name?.trim();
    if (!name) throw validationFailed("Validation failed: Application name can't be blank");
    if (characters(name) > MAX_NAME_LENGTH) throw tooLong("Application name", MAX_NAME_LENGTH);

    const uris = (Array.isArray(input.redirectUris) ? input.redirectUris : (input.redirectUris ?? "").split(/\s+/))
      .map((u) => u.trim())
      .filter(Boolean);
    if (uris.length === 0) throw validationFailed("Validation failed: Redirect URI can't be blank");
    // Stored and shown newline-joined, so that is the text that is bounded (as Mastodon does).
    if (characters(uris.join("\n")) > MAX_REDIRECT_URIS_LENGTH) throw tooLong("Redirect URI", MAX_REDIRECT_URIS_LENGTH);
    if (uris.length > MAX_REDIRECT_URIS) throw validationFailed(`Validation failed: Redirect URI has too many entries (maximum is ${MAX_REDIRECT_URIS})`);
    for (const uri of uris) {
      if (!isValidRedirectUri(uri)) throw validationFailed("Validation failed: Redirect URI must be an absolute URI.");
    }

    if (input.scopes !== undefined && characters(input.scopes) > MAX_SCOPES_LENGTH) throw tooLong("Scopes", MAX_SCOPES_LENGTH);
    const { scopes, unknown } = parseScopes(input.scopes ?? DEFAULT_SCOPES.join(" "));
    if (unknown.length > 0) throw validationFailed(`Validation failed: Scopes ${unknown.join(", ")} are not known`);
    if (scopes.length === 0) scopes.push(...DEFAULT_SCOPES);

    let website: string | null = input.website?.trim() || null;
    if (website !== null && characters(website) > MAX_WEBSITE_LENGTH) throw tooLong("Website", MAX_WEBSITE_LENGTH);
    if (website !== null && !isHttpUrl(website)) throw validationFailed("Validation failed: Website is not a valid URL");

    const clientSecret = newSecret();
    const app: ApplicationRow = {
      id: newId(),
      name,
      website,
      redirect_uris: uris.join("\n"),
      scopes: scopes.join(" "),
      client_id: newSecret(),
      client_secret_hash: hashSecret(clientSecret),
      created_at: nowIso(),
    };
    await this.oauth.insertApplication(app);
    return { app, clientSecret };
  }

  async applicationById(id: string): Promise<ApplicationRow | undefined> {
    return this.oauth.applicationById(id);
  }

  /** Checks an /oauth/authorize request before anything is shown to the user. */
  async checkAuthorizationRequest(params: {
    clientId?: string;
    redirectUri?: string;
    responseType?: string;
    scope?: string;
    codeChallenge?: string;
    codeChallengeMethod?: string;
  }): Promise<AuthorizationRequest> {
    const app = params.clientId ? await this.oauth.applicationByClientId(params.clientId) : undefined;
    if (!app) throw new OAuthError("invalid_client", "Client authentication failed due to unknown client.", 401);
    const registered = app.redirect_uris.split("\n");
    const redirectUri = params.redirectUri || (registered.length === 1 ? registered[0] : "");
    if (!registered.includes(redirectUri)) {
      throw new OAuthError("invalid_redirect_uri", "The redirect uri included is not valid.");
    }
    if (params.responseType !== "code") {
      throw new OAuthError("unsupported_response_type", "The authorization server does not support this response type.");
    }
    const scopes = this.requestedScopes(params.scope, app);
    let codeChallenge: string | null = null;
    let codeChallengeMethod: string | null = null;
    if (params.codeChallenge) {
      codeChallengeMethod = params.codeChallengeMethod || "plain";
      if (codeChallengeMethod !== "S256") {
        throw new OAuthError("invalid_request", "Only the S256 code challenge method is supported.");
      }
      if (!/^[A-Za-z0-9_-]{43}$/.test(params.codeChallenge)) {
        throw new OAuthError("invalid_request", "The code challenge must be a base64url SHA-256 digest.");
      }
      codeChallenge = params.codeChallenge;
    }
    return { app, redirectUri, scopes, codeChallenge, codeChallengeMethod };
  }

  /** The user said yes: a single-use code the client trades for a token. */
  async issueAuthorizationCode(request: AuthorizationRequest, user: UserRow): Promise<string> {
    // A user whose role requires two-factor sign-in authorizes no app before setting it up.
    if (this.twoFactorRequired(user) && !(await this.twoFactor.credential(user.id))?.enabled_at) {
      throw new OAuthError("access_denied", "Your role requires two-factor sign-in: set it up in your settings before authorizing apps.", 403);
    }
    const code = newSecret();
    await this.oauth.insertCode({
      id: newId(),
      code_hash: hashSecret(code),
      application_id: request.app.id,
      user_id: user.id,
      redirect_uri: request.redirectUri,
      scopes: request.scopes.join(" "),
      code_challenge: request.codeChallenge,
      code_challenge_method: request.codeChallengeMethod,
      expires_at: isoAfter(CODE_LIFETIME_MS),
      created_at: nowIso(),
    });
    return code;
  }

  /** POST /oauth/token: dispatches on grant_type. */
  async grant(params: Record<string, string | undefined>): Promise<IssuedToken> {
    switch (params.grant_type) {
      case "authorization_code":
        return this.grantAuthorizationCode(params);
      case "password":
        return this.grantPassword(params);
      case "client_credentials":
        return this.grantClientCredentials(params);
      case undefined:
      case "":
        throw new OAuthError("invalid_request", "The grant_type parameter is missing.");
      default:
        throw new OAuthError("unsupported_grant_type", "The authorization grant type is not supported by the authorization server.");
    }
  }

  private async grantAuthorizationCode(params: Record<string, string | undefined>): Promise<IssuedToken> {
    if (!params.code) throw new OAuthError("invalid_request", "The code parameter is missing.");
    const app = await this.clientOf(params, { secretOptional: true });
    const now = nowIso();
    const found = await this.oauth.consumeCode(hashSecret(params.code), now);
    const invalid = new OAuthError(
      "invalid_grant",
      "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    );
    if (!found || found.code.application_id !== app.id) throw invalid;
    const code = found.code;
    if (!found.consumed) {
      // A replayed code: whoever holds it is not to be trusted with what it issued.
      await this.oauth.revokeTokensOfUserAndApp(code.user_id, code.application_id, code.created_at, now);
      throw invalid;
    }
    if (code.expires_at <= now) throw invalid;
    if ((params.redirect_uri ?? code.redirect_uri) !== code.redirect_uri) throw invalid;

    if (code.code_challenge) {
      const verifier = params.code_verifier ?? "";
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw invalid;
      const digest = createHash("sha256").update(verifier).digest("base64url");
      if (digest !== code.code_challenge) throw invalid;
    } else if (!params.client_secret) {
      // Without PKCE the client must prove who it is.
      throw new OAuthError("invalid_client", "Client authentication failed.", 401);
    }
    return this.issueToken(app, code.user_id, code.scopes.split(" "));
  }

  private async grantPassword(params: Record<string, string | undefined>): Promise<IssuedToken> {
    const app = await this.clientOf(params);
    const login = params.username ?? "";
    const user = login.includes("@") ? await this.users.byEmail(login) : await this.users.byUsername(login);
    const valid = user ? await verifyPassword(params.password ?? "", user.password_hash) : false;
    // A suspended account signs in nowhere (domain/moderation/account-moderation.ts).
    const suspended = user && valid ? Boolean((await this.accounts.byId(user.account_id))?.suspended_at) : false;
    if (!user || !valid || user.disabled || !user.approved || suspended) {
      throw new OAuthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.");
    }
    // A password alone does not sign in a user with two-factor sign-in, nor one whose role requires
    // it (Mastodon refuses the grant too): their apps sign in through the browser, where the code is asked.
    if ((await this.twoFactor.credential(user.id))?.enabled_at || this.twoFactorRequired(user)) {
      throw new OAuthError("invalid_grant", "This account uses two-factor sign-in: sign in through the browser (the authorization code flow).");
    }
    return this.issueToken(app, user.id, this.requestedScopes(params.scope, app));
  }

  private async grantClientCredentials(params: Record<string, string | undefined>): Promise<IssuedToken> {
    const app = await this.clientOf(params);
    return this.issueToken(app, null, this.requestedScopes(params.scope, app));
  }

  /** POST /oauth/revoke: succeeds whether or not the token existed (RFC 7009 §2.2). */
  /**
   * POST /oauth/revoke (RFC 7009). Holding a token is enough to end it: nothing is gained by
   * refusing, and clients sign out without their credentials (Phanpy sends
   * `client_id=undefined&client_secret=undefined`). Credentials that do authenticate a client
   * (id and secret of a registered app) must be the token's own app — a client may not end
   * another client's tokens (§2.1, and Doorkeeper's rule on Mastodon) — while credentials that
   * authenticate nothing are ignored. Unknown or already revoked tokens are answered alike (§2.2).
   */
  async revoke(params: Record<string, string | undefined>): Promise<void> {
    const token = params.token ? await this.oauth.tokenByHash(hashSecret(params.token)) : undefined;
    if (!token || token.revoked_at) return;
    const app = params.client_id && params.client_secret ? await this.oauth.applicationByClientId(params.client_id) : undefined;
    const authenticated = app !== undefined && sameSecret(params.client_secret!, app.client_secret_hash);
    if (authenticated && token.application_id !== app.id) {
      throw new OAuthError("unauthorized_client", "You are not authorized to revoke this token", 403);
    }
    await this.oauth.revokeToken(token.id, nowIso());
  }

  /**
   * The apps a user has let in (live tokens grouped by app): what they may do (every scope any
   * of its tokens holds), since when, and when one of its tokens was last used.
   */
  async authorizedApps(userId: string): Promise<AuthorizedApp[]> {
    const byApp = new Map<string, AuthorizedApp>();
    for (const token of await this.oauth.liveTokensOfUser(userId)) {
      let app = byApp.get(token.application_id);
      if (!app) {
        app = { applicationId: token.application_id, name: token.app_name, website: token.app_website, scopes: [], tokens: 0, authorizedAt: token.created_at, lastUsedAt: null };
        byApp.set(token.application_id, app);
      }
      app.tokens++;
      for (const scope of token.scopes.split(" ")) if (scope && !app.scopes.includes(scope)) app.scopes.push(scope);
      if (token.created_at < app.authorizedAt) app.authorizedAt = token.created_at;
      if (token.last_used_at && (!app.lastUsedAt || token.last_used_at > app.lastUsedAt)) app.lastUsedAt = token.last_used_at;
    }
    return [...byApp.values()];
  }

  /** Revokes every token of the user for one app (the app must sign in again). */
  async revokeApp(userId: string, applicationId: string): Promise<void> {
    if ((await this.oauth.revokeAppTokensOfUser(userId, applicationId, nowIso())) === 0) throw notFound("This app has no access to your account.");
  }

  /** Resolves a bearer token; null when it is unknown, revoked, or its user can no longer sign in. */
  async authenticate(bearer: string): Promise<Authenticated | null> {
    // The token, its application, its user and their account in one statement (OAuthStore).
    const found = await this.oauth.authenticationByHash(hashSecret(bearer));
    if (!found || found.token.revoked_at) return null;
    const { token, application } = found;
    if (!application) return null;
    let user: UserRow | null = null;
    let account: AccountRow | null = null;
    if (token.user_id) {
      user = found.user ?? null;
      if (!user || user.disabled || !user.approved) return null;
      account = found.account ?? null;
      if (!account || account.suspended_at) return null;
    }
    // "Last used" for the authorized-apps page, written at most once an hour per token so that
    // reading the API does not become a write per request.
    const now = nowIso();
    if (!token.last_used_at || Date.parse(now) - Date.parse(token.last_used_at) > TOUCH_INTERVAL_MS) {
      await this.oauth.touchToken(token.id, now);
    }
    return { token, scopes: token.scopes.split(" "), application, user, account };
  }

  private requestedScopes(scope: string | undefined, app: ApplicationRow): string[] {
    const allowed = app.scopes.split(" ");
    // Mastodon's default is `read`; an app registered without it gets what it registered.
    if (!scope) return scopesWithin(DEFAULT_SCOPES, allowed) ? [...DEFAULT_SCOPES] : allowed;
    const { scopes, unknown } = parseScopes(scope);
    if (unknown.length > 0 || scopes.length === 0 || !scopesWithin(scopes, allowed)) {
      throw new OAuthError("invalid_scope", "The requested scope is invalid, unknown, or malformed.");
    }
    return scopes;
  }

  private async clientOf(params: Record<string, string | undefined>, options: { secretOptional?: boolean } = {}): Promise<ApplicationRow> {
    const app = params.client_id ? await this.oauth.applicationByClientId(params.client_id) : undefined;
    const secret = params.client_secret;
    const secretOk = secret ? app !== undefined && sameSecret(secret, app.client_secret_hash) : options.secretOptional === true;
    if (!app || !secretOk) {
      throw new OAuthError("invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.", 401);
    }
    return app;
  }

  /**
   * POST /api/v1/accounts: the new account's token, minted for the app whose client_credentials
   * token asked, with that token's scopes (as Mastodon does).
   */
  async issueForNewUser(applicationId: string, userId: string, scopes: readonly string[]): Promise<IssuedToken> {
    const app = await this.oauth.applicationById(applicationId);
    if (!app) throw new OAuthError("invalid_client", "Client authentication failed due to unknown client.", 401);
    return this.issueToken(app, userId, [...scopes]);
  }

  private async issueToken(app: ApplicationRow, userId: string | null, scopes: string[]): Promise<IssuedToken> {
    const accessToken = newSecret();
    const row: AccessTokenRow = {
      id: newId(),
      token_hash: hashSecret(accessToken),
      application_id: app.id,
      user_id: userId,
      scopes: scopes.join(" "),
      revoked_at: null,
      last_used_at: null,
      created_at: nowIso(),
    };
    await this.oauth.insertToken(row);
    return { accessToken, row };
  }
}

/** Length as Mastodon (Rails) counts it: in characters, not UTF-16 code units. */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function tooLong(field: string, maximum: number) {
  return validationFailed(`Validation failed: ${field} is too long (maximum is ${maximum} characters)`);
}

function isValidRedirectUri(uri: string): boolean {
  if (uri === OOB_REDIRECT_URI) return true;
  try {
    const u = new URL(uri);
    // Native apps use private schemes (elk://, tusky://); fragments are not allowed (RFC 6749 §3.1.2).
    return /^[a-z][a-z0-9+.-]*:$/i.test(u.protocol) && u.hash === "" && !/^(javascript|data|vbscript):$/i.test(u.protocol);
  } catch {
    return false;
  }
}
