// Signing in as any Mastodon client does: register an application (POST /api/v1/apps), send the
// browser to /oauth/authorize with a PKCE challenge (S256), and exchange the code it comes back
// with at /oauth/token, proving the verifier. Signing out revokes the token (POST /oauth/revoke).
import { api } from "./client.ts";
import type { Application, Token } from "./types.ts";

export const SCOPES = "read write follow";
export const CALLBACK_PATH = "/web/oauth/callback";

export function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

export function registerApp(): Promise<Application> {
  return api.request<Application>("POST", "/api/v1/apps", {
    body: { client_name: "Skein web", redirect_uris: redirectUri(), scopes: SCOPES, website: location.origin },
  });
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). crypto.subtle exists on https and localhost. */
export async function challengeOf(verifier: string): Promise<string> {
  if (!crypto.subtle) throw new Error("Signing in needs a secure connection: open this server over https (or at localhost).");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function authorizeUrl(app: Application, challenge: string, state: string): string {
  const query = new URLSearchParams({
    client_id: app.client_id,
    redirect_uri: redirectUri(),
    response_type: "code",
    scope: SCOPES,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    // Always the password: signing out of the client leaves the server's sign-in cookie (the
    // settings pages' session), which must not sign the next person at this browser back in.
    force_login: "true",
  });
  return `/oauth/authorize?${query}`;
}

export function exchangeCode(app: Application, code: string, verifier: string): Promise<Token> {
  return api.request<Token>("POST", "/oauth/token", {
    form: {
      grant_type: "authorization_code",
      code,
      client_id: app.client_id,
      client_secret: app.client_secret,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    },
  });
}

export async function revokeToken(app: Application, token: string): Promise<void> {
  await api.request("POST", "/oauth/revoke", { form: { client_id: app.client_id, client_secret: app.client_secret, token } });
}
