// Signed-in masto.js clients for end-to-end tests. The full OAuth dance is covered by
// oauth.test.ts; other tests sign in with the password grant to stay quick.
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import type { TestServer } from "./server.ts";

export interface TestUser {
  username: string;
  /** The generated password (for flows that ask for it again, such as moving an account). */
  password: string;
  id: string;
  token: string;
  client: mastodon.rest.Client;
}

let app: { server: string; clientId: string; clientSecret: string } | null = null;

export async function signUp(server: TestServer, username: string, options: { admin?: boolean; scope?: string } = {}): Promise<TestUser> {
  const password = await server.createAccount(username, options);
  if (!app || app.server !== server.url) {
    const created = await createRestAPIClient({ url: server.url }).v1.apps.create({ clientName: "tests", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow push" });
    app = { server: server.url, clientId: created.clientId!, clientSecret: created.clientSecret! };
  }
  const token = await createOAuthAPIClient({ url: server.url }).token.create({
    grantType: "password", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: "urn:ietf:wg:oauth:2.0:oob",
    username, password, scope: options.scope ?? "read write follow",
  });
  const client = createRestAPIClient({ url: server.url, accessToken: token.accessToken });
  const me = await client.v1.accounts.verifyCredentials();
  return { username, password, id: me.id, token: token.accessToken, client };
}

/** A client without a token: what a logged-out visitor's app sees. */
export function anonymous(server: TestServer): mastodon.rest.Client {
  return createRestAPIClient({ url: server.url });
}
