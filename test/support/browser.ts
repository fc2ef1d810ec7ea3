// A minimal browser for the server's HTML pages: keeps cookies, follows nothing by itself, and
// reads forms, so tests walk the sign-in and consent pages exactly as a person's browser would.
import { createHash, randomBytes } from "node:crypto";

export class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: "text/html" };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The named inputs of the first form on a page (hidden ones included), and its action. */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form on the page: ${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1])?.[1];
    const value = /value="([^"]*)"/.exec(input[1])?.[1] ?? "";
    if (name) fields[name] = decodeEntities(value);
  }
  return { action: decodeEntities(form[1]), fields };
}

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * Walks /oauth/authorize through the real sign-in and consent pages and returns the
 * authorization code the server hands to the redirect URI.
 */
export async function authorizeInBrowser(
  baseUrl: string,
  options: { clientId: string; redirectUri: string; scope: string; login: string; password: string; challenge?: string; state?: string },
): Promise<{ code: string; state: string | null }> {
  const browser = new Browser();
  const query = new URLSearchParams({ client_id: options.clientId, redirect_uri: options.redirectUri, response_type: "code", scope: options.scope });
  if (options.challenge) {
    query.set("code_challenge", options.challenge);
    query.set("code_challenge_method", "S256");
  }
  if (options.state) query.set("state", options.state);

  let response = await browser.request(`${baseUrl}/oauth/authorize?${query}`);
  if (response.status !== 303) throw new Error(`authorize should send an anonymous visitor to sign in, got ${response.status}`);
  const signInUrl = new URL(response.headers.get("location")!, baseUrl).toString();

  const signInPage = await browser.request(signInUrl);
  const signIn = readForm(await signInPage.text());
  response = await browser.request(new URL(signIn.action, baseUrl).toString(), {
    form: { ...signIn.fields, login: options.login, password: options.password },
  });
  if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}: ${await response.text()}`);

  const consentPage = await browser.request(new URL(response.headers.get("location")!, baseUrl).toString());
  if (consentPage.status !== 200) throw new Error(`consent page answered ${consentPage.status}`);
  const consent = readForm(await consentPage.text());
  response = await browser.request(new URL(consent.action, baseUrl).toString(), { form: { ...consent.fields, decision: "approve" } });
  if (response.status !== 303) throw new Error(`consent failed with ${response.status}: ${await response.text()}`);
  const redirect = new URL(response.headers.get("location")!);
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`no code in ${redirect}`);
  return { code, state: redirect.searchParams.get("state") };
}
