// Stored OAuth applications → Mastodon's Application and CredentialApplication entities.
import type { ApplicationRow } from "../../store/oauth.ts";

export function toApplication(app: ApplicationRow, vapidKey: string) {
  const redirectUris = app.redirect_uris.split("\n");
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: app.scopes.split(" "),
    redirect_uris: redirectUris,
    // Deprecated by Mastodon 4.3 but still read by older clients.
    redirect_uri: redirectUris.join("\n"),
    vapid_key: vapidKey,
  };
}

/** Returned once, at registration: the only time the client secret is ever shown. */
export function toCredentialApplication(app: ApplicationRow, clientSecret: string, vapidKey: string) {
  return {
    ...toApplication(app, vapidKey),
    client_id: app.client_id,
    client_secret: clientSecret,
    client_secret_expires_at: 0,
  };
}
