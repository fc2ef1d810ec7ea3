// Who is signed in. The token and the registered application are kept in localStorage (the
// client's only persistent state); the PKCE verifier and state live in sessionStorage for the few
// seconds of the round trip through /oauth/authorize.
import { api, ApiError } from "../api/client.ts";
import { authorizeUrl, challengeOf, exchangeCode, randomString, redirectUri, registerApp, revokeToken } from "../api/oauth.ts";
import type { Account, Application, Instance, Rule } from "../api/types.ts";
import { Store } from "./store.ts";
import { navigate } from "./router.ts";

const TOKEN_KEY = "skein.token";
const APP_KEY = "skein.app";
const PENDING_KEY = "skein.signing-in";

export type Session =
  | { state: "signed-out"; error?: string }
  | { state: "checking" }
  | { state: "signed-in"; me: Account; token: string };

export const session = new Store<Session>({ state: "checking" });
export const instance = new Store<{ info: Instance | null; rules: Rule[] }>({ info: null, rules: [] });

function storedApp(): Application | null {
  try {
    const app = JSON.parse(localStorage.getItem(APP_KEY) ?? "null");
    return app && app.redirect_uri === redirectUri() ? app : null;
  } catch {
    return null;
  }
}

function forget(error?: string): void {
  localStorage.removeItem(TOKEN_KEY);
  api.token = null;
  session.set({ state: "signed-out", error });
}

api.onUnauthorized = () => forget("Your session has ended. Sign in again.");

/** At start: the stored token, checked against the server; the instance's facts either way. */
export async function restoreSession(): Promise<void> {
  void loadInstance();
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return session.set({ state: "signed-out" });
  api.token = token;
  try {
    const me = await api.request<Account>("GET", "/api/v1/accounts/verify_credentials");
    session.set({ state: "signed-in", me, token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return forget();
    session.set({ state: "signed-out", error: (error as Error).message });
  }
}

async function loadInstance(): Promise<void> {
  try {
    const [info, rules] = await Promise.all([
      api.request<Instance>("GET", "/api/v2/instance"),
      api.request<Rule[]>("GET", "/api/v1/instance/rules"),
    ]);
    instance.set({ info, rules });
    document.title = info.title;
  } catch {
    // the landing page shows less; signing in still works
  }
}

/** Registers the client (once per browser), then sends the browser to the authorization page. */
export async function beginSignIn(): Promise<void> {
  try {
    let app = storedApp();
    if (!app) {
      app = { ...(await registerApp()), redirect_uri: redirectUri() };
      localStorage.setItem(APP_KEY, JSON.stringify(app));
    }
    const verifier = randomString();
    const state = randomString();
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
    location.assign(authorizeUrl(app, await challengeOf(verifier), state));
  } catch (error) {
    session.set({ state: "signed-out", error: (error as Error).message });
  }
}

/** Back from /oauth/authorize with ?code= (or ?error=): the token, then home. */
export async function completeSignIn(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  const app = storedApp();
  const code = query.get("code");
  let error: string | undefined;
  if (query.get("error")) error = query.get("error_description") ?? "Signing in was cancelled.";
  else if (!pending || !app || !code || query.get("state") !== pending.state) error = "That sign-in link is not from this browser. Sign in again.";
  if (error || !app || !code || !pending) {
    navigate("/", { replace: true });
    return forget(error);
  }
  try {
    const token = await exchangeCode(app, code, pending.verifier);
    localStorage.setItem(TOKEN_KEY, token.access_token);
    navigate("/", { replace: true });
    await restoreSession();
  } catch (failure) {
    navigate("/", { replace: true });
    forget((failure as Error).message);
  }
}

/** Revokes the token at the server, then forgets it here. */
export async function signOut(): Promise<void> {
  const app = storedApp();
  const token = api.token;
  try {
    if (app && token) await revokeToken(app, token);
  } catch {
    // the token is forgotten here either way
  }
  forget();
  navigate("/");
}
