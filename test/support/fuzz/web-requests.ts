// Requests to the forms and OAuth endpoints: the sign-in form (CSRF tokens of the right length in
// other alphabets, return_to with control characters), the consent form, and the token endpoint
// with HTTP Basic client credentials that do not decode.
import fc from "fast-check";
import { fuzzRequest, multipart, urlEncoded, withQuery, type FuzzRequest, type Pair } from "./http-request.ts";
import { jsonText, obj, str } from "./json-text.ts";
import { freeText, hostileString, urlText, type FuzzTarget } from "./values.ts";
import { forwardedFor } from "./api-requests.ts";

/** The CSRF cookie the fuzzer presents (any well-formed value is taken as the form's token). */
const CSRF = "fuzzcsrf".repeat(4);

const returnTo = (target: FuzzTarget) =>
  fc.oneof(
    fc.constantFrom("/", "/about", "/%09/evil.fuzz.test", "/\t/evil.fuzz.test", "/\n", "/\r\nSet-Cookie: x=y", "/\u0000", "/a\u0000b", "//evil.fuzz.test", "/\\evil.fuzz.test", "/%2F%2Fevil.fuzz.test", "/\u3000/evil.fuzz.test", "/\u00ff", "/😀", `/${"a".repeat(5000)}`),
    urlText(target),
    hostileString(target).map((s) => `/${s}`),
  );

/** A submitted CSRF token: the right one, or one of its length in other characters. */
const csrfToken = (target: FuzzTarget) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(CSRF) },
    { weight: 2, arbitrary: fc.constantFrom("é", "€", "\u0000", "中", "😀".slice(0, 1)).map((c) => c.repeat(CSRF.length)) },
    { weight: 1, arbitrary: fc.constantFrom("é", "€").map((c) => CSRF.slice(1) + c) },
    { weight: 1, arbitrary: hostileString(target) },
  );

type Encoding = "form" | "json" | "multipart";

function formRequest(method: string, path: string, pairs: Pair[], encoding: Encoding, headers: Record<string, string>): FuzzRequest {
  if (encoding === "json") {
    return fuzzRequest({ method, path, headers: { ...headers, "Content-Type": "application/json" }, body: jsonText(obj(pairs.map((p) => [p.key, str(p.value)]))) });
  }
  if (encoding === "multipart") {
    const form = multipart(pairs, "none");
    return fuzzRequest({ method, path, headers: { ...headers, "Content-Type": form.contentType }, body: form.body });
  }
  return fuzzRequest({ method, path, headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: urlEncoded(pairs) });
}

const encoding = fc.constantFrom<Encoding>("form", "form", "json", "multipart");

/** The request as it reaches the server through the trusted proxy, from a client address of its own. */
function viaProxy(requests: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(requests, forwardedFor).map(([req, address]) => fuzzRequest({ ...req, headers: { ...req.headers, "X-Forwarded-For": address } }));
}

export function signInRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return viaProxy(signInForms(target));
}

export function oauthRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return viaProxy(oauthForms(target));
}

function signInForms(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  // The right login and password often, so the redirect after signing in is reached too.
  const login = fc.oneof({ weight: 3, arbitrary: fc.constant(target.username) }, { weight: 1, arbitrary: fc.constant(`${target.username}@example.com`) }, { weight: 2, arbitrary: hostileString(target) });
  const password = fc.oneof({ weight: 2, arbitrary: fc.constant(target.password) }, { weight: 2, arbitrary: hostileString(target) });
  const cookie = fc.constantFrom(`skein_csrf=${CSRF}`, `skein_csrf=${CSRF}; skein_session=${target.session}`, "", `skein_csrf=${"é".repeat(32)}`, `skein_csrf=${CSRF}; skein_csrf=other`);
  const signIn = fc.record({ token: csrfToken(target), returnTo: returnTo(target), login, password, cookie, encoding }).map((g) =>
    formRequest("POST", "/auth/sign_in", [
      { key: "authenticity_token", value: g.token },
      { key: "return_to", value: g.returnTo },
      { key: "login", value: g.login },
      { key: "password", value: g.password },
    ], g.encoding, g.cookie ? { Cookie: g.cookie } : {}),
  );
  const signInForm = returnTo(target).map((r) => fuzzRequest({ method: "GET", path: withQuery("/auth/sign_in", [{ key: "return_to", value: r }]), headers: {} }));
  // Never with the real session cookie: signing the run's own session out would end the consent-form cases.
  const signOut = fc.record({ token: csrfToken(target), encoding }).map((g) => formRequest("POST", "/auth/sign_out", [{ key: "authenticity_token", value: g.token }], g.encoding, { Cookie: `skein_csrf=${CSRF}; skein_session=junk` }));
  return fc.oneof({ weight: 4, arbitrary: signIn }, { weight: 1, arbitrary: signInForm }, { weight: 1, arbitrary: signOut });
}

function authorizationParams(target: FuzzTarget): fc.Arbitrary<Pair[]> {
  const pair = (key: string, value: fc.Arbitrary<string>) => fc.option(value.map((v): Pair => ({ key, value: v })), { freq: 5 });
  return fc
    .tuple(
      pair("response_type", fc.constantFrom("code", "token", "", "code token")),
      pair("client_id", fc.oneof(fc.constant(target.clientId), hostileString(target))),
      pair("redirect_uri", fc.oneof(fc.constant("urn:ietf:wg:oauth:2.0:oob"), urlText(target))),
      pair("scope", fc.oneof(fc.constantFrom("read", "read write follow", "admin:read", "read:nonsense", "", "read  write"), freeText)),
      pair("state", hostileString(target)),
      pair("code_challenge", fc.oneof(fc.constant("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), freeText)),
      pair("code_challenge_method", fc.constantFrom("S256", "plain", "", "s256")),
      pair("force_login", fc.constantFrom("true", "false", "")),
      pair("lang", freeText),
    )
    .map((pairs) => pairs.filter((p): p is Pair => p !== null));
}

function oauthForms(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const consentPage = fc.record({ params: authorizationParams(target), signedIn: fc.boolean() }).map((g) =>
    fuzzRequest({ method: "GET", path: withQuery("/oauth/authorize", g.params), headers: g.signedIn ? { Cookie: `skein_session=${target.session}` } : {} }),
  );
  const consent = fc.record({ params: authorizationParams(target), token: csrfToken(target), decision: fc.constantFrom("approve", "deny", "", "maybe"), encoding }).map((g) =>
    formRequest("POST", "/oauth/authorize", [{ key: "authenticity_token", value: g.token }, { key: "decision", value: g.decision }, ...g.params], g.encoding, {
      Cookie: `skein_csrf=${CSRF}; skein_session=${target.session}`,
    }),
  );
  const credential = fc.oneof(fc.constantFrom("%zz", "%", "%E0%A4%A", "a%", "%00", "%ff", ":", "::", "é", target.clientId, target.clientSecret, ""), freeText);
  const token = fc
    .record({
      grant: fc.constantFrom("password", "authorization_code", "client_credentials", "refresh_token", "", "implicit", "__proto__"),
      basic: fc.option(fc.tuple(credential, credential), { freq: 2 }),
      rawBasic: fc.option(fc.constantFrom("Basic !!!", "Basic ", "Basic ====", "Basic " + "A".repeat(10_000), "basic Og=="), { freq: 4 }),
      fields: fc.array(fc.tuple(fc.constantFrom("client_id", "client_secret", "code", "redirect_uri", "username", "password", "scope", "code_verifier", "refresh_token"), hostileString(target)), { maxLength: 5 }),
      realClient: fc.boolean(),
      encoding,
    })
    .map((g) => {
      const headers: Record<string, string> = {};
      if (g.basic) headers.Authorization = `Basic ${Buffer.from(`${g.basic[0]}:${g.basic[1]}`).toString("base64")}`;
      else if (g.rawBasic) headers.Authorization = g.rawBasic;
      const pairs: Pair[] = [{ key: "grant_type", value: g.grant }, ...g.fields.map(([key, value]) => ({ key, value }))];
      if (g.realClient && !g.basic) pairs.push({ key: "client_id", value: target.clientId }, { key: "client_secret", value: target.clientSecret });
      return formRequest("POST", "/oauth/token", pairs, g.encoding, headers);
    });
  return fc.oneof({ weight: 1, arbitrary: consentPage }, { weight: 1, arbitrary: consent }, { weight: 2, arbitrary: token });
}
