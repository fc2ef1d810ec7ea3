// Requests to the client API: for each operation of the contract (and Skein's own), the path with
// real or hostile ids, its query and body parameters given well-typed or hostile values, extra
// keys (prototype keys, Rails-style nesting gone wrong), in any encoding a client may use or get
// wrong, with the user's token, none, or a broken one.
import fc from "fast-check";
import { arr, deepNode, manyNode, obj, raw, str, awkwardNumberLiterals, type JsonNode } from "./json-text.ts";
import { fuzzRequest, invalidJsonBodies, jsonBody, multipart, urlEncoded, withQuery, type FuzzRequest, type Pair } from "./http-request.ts";
import type { Operation, Param } from "./operations.ts";
import { acctText, awkwardNumbers, freeText, headerText, hostileString, pathSegment, realId, urlText, type FuzzTarget } from "./values.ts";

const DATES = ["2030-01-01T00:00:00Z", "2020-01-01", "2024-13-45T99:99:99Z", "+275760-09-13T00:00:00.000Z", "0", "-1", "1e309", "tomorrow"];

/** A value of the parameter's type, guessed from its name, or any hostile value. */
export function paramValue(target: FuzzTarget, param: Param): fc.Arbitrary<string> {
  const name = param.name.toLowerCase();
  let typed: fc.Arbitrary<string>;
  if (/(^|_)(url|uri|uris|website|href)$|redirect_uri|^also_known_as/.test(name)) typed = urlText(target);
  else if (/acct|^q$|resource|^domain/.test(name)) typed = fc.oneof(acctText(target), urlText(target), freeText);
  else if (/(^|_)ids?$|_id$/.test(name)) typed = fc.oneof(realId(target), fc.constantFrom(...awkwardNumbers));
  else if (param.type === "integer" || param.type === "number" || /limit|offset|duration|expires_in|^year$/.test(name)) {
    typed = fc.oneof(fc.integer({ min: -5, max: 100 }).map(String), fc.constantFrom(...awkwardNumbers));
  } else if (param.type === "boolean") typed = fc.constantFrom("true", "false", "1", "0", "on", "no", "", "maybe", "TRUE", "t");
  else if (/_at$|date/.test(name)) typed = fc.constantFrom(...DATES);
  else if (/visibility/.test(name)) typed = fc.constantFrom("public", "unlisted", "private", "direct", "limited", "");
  else if (/context|types|policy|action|type$|category|grant/.test(name)) typed = fc.constantFrom("home", "notifications", "public", "thread", "account", "mention", "follow", "accept", "drop", "filter", "warn", "hide", "other", "spam");
  else typed = freeText;
  return fc.oneof({ weight: 3, arbitrary: typed }, { weight: 2, arbitrary: hostileString(target) });
}

/** The parameter as a JSON value: usually a string of its type, sometimes the wrong type entirely. */
function jsonValue(target: FuzzTarget, param: Param): fc.Arbitrary<JsonNode> {
  const string = paramValue(target, param).map(str);
  const list = fc.array(string, { maxLength: 5 }).map((items) => arr(...items));
  const small = fc.oneof(string, fc.constantFrom(...awkwardNumberLiterals, "true", "false", "null").map(raw));
  return fc.oneof(
    { weight: param.type === "array" ? 2 : 6, arbitrary: string },
    { weight: param.type === "array" ? 5 : 1, arbitrary: list },
    { weight: 2, arbitrary: fc.constantFrom(...awkwardNumberLiterals, "true", "false", "null", "{}", "[]").map(raw) },
    { weight: param.type === "object" ? 4 : 1, arbitrary: fc.array(fc.tuple(junkKey(target), small), { maxLength: 5 }).map(obj) },
    { weight: 1, arbitrary: deepNode(small) },
    { weight: 1, arbitrary: manyNode(small) },
  );
}

/** Keys no endpoint expects: prototype keys, broken Rails nesting, huge or control-character keys. */
function junkKey(target: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom("__proto__", "constructor", "prototype", "__proto__[admin]", "constructor[prototype][admin]", "a[__proto__][x]", "a[", "a]]", "a[][][]", "[]", "[x]", "a[b", "x".repeat(10_000), "\u0000", "admin", "role", "id", "account_id"),
    hostileString(target),
  );
}

/** Each parameter given three times in four: most cases carry most of an operation's parameters. */
function someOf<T>(entries: fc.Arbitrary<T>[]): fc.Arbitrary<T[]> {
  return fc.tuple(...entries.map((e) => fc.option(e, { freq: 4 }))).map((chosen) => chosen.filter((e): e is T => e !== null));
}

type Encoding = "json" | "form" | "multipart" | "query" | "invalid-json" | "mismatch" | "none";

/** How a body's entries go out as form pairs: arrays as name[], objects as name[key]. */
function asPairs(entries: [string, JsonNode][]): Pair[] {
  const pairs: Pair[] = [];
  for (const [key, node] of entries) {
    if (node.t === "str") pairs.push({ key, value: node.value });
    else if (node.t === "raw") pairs.push({ key, value: node.text });
    else if (node.t === "arr") for (const item of node.items) pairs.push({ key: `${key}[]`, value: item.t === "str" ? item.value : item.t === "raw" ? item.text : "[]" });
    else if (node.t === "obj") for (const [k, v] of node.entries) pairs.push({ key: `${key}[${k}]`, value: v.t === "str" ? v.value : "x" });
    else if (node.t === "many") for (let i = 0; i < Math.min(node.count, 2000); i++) pairs.push({ key: `${key}[]`, value: "1" });
    else pairs.push({ key: `${key}${"[a]".repeat(Math.min(node.depth, 2000))}`, value: "x" });
  }
  return pairs;
}

const rawEscapes = fc.constantFrom("%zz", "%", "%ff", "%c0%af", "%ed%a0%80", "%00", "a%2", "%%", "%u0041");

export function authorization(target: FuzzTarget): fc.Arbitrary<string | undefined> {
  const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${target.token}`) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(`Bearer ${target.token}x`, `bearer ${target.token}`, `Bearer  ${target.token}`, `Token ${target.token}`, "Bearer", "Basic !!!", "Basic ", basic("%zz", "x"), basic(target.clientId, target.clientSecret), basic("%E0%A4%A", "%")) },
    { weight: 1, arbitrary: headerText.map((h) => `Bearer ${h}`) },
  );
}

function optionalHeaders(target: FuzzTarget): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    {
      Accept: fc.constantFrom("application/json", "*/*", "text/html", "application/activity+json", "text/event-stream", "é", ""),
      "Idempotency-Key": headerText,
      "Accept-Language": fc.constantFrom("en", "zz", "*", "é", "en;q=abc", "x".repeat(5000)),
      Cookie: fc.constantFrom(`skein_session=${target.session}`, "skein_session=junk", "skein_csrf=é", "a=b; a=c", `skein_session=${"x".repeat(5000)}`),
    },
    { requiredKeys: [] },
  );
}

/**
 * The client address, as the trusted proxy the fuzz server is told it sits behind reports it: the
 * rate limits (sign-in, password grants, app registrations) count per address, and with one address
 * they would answer 429 to everything after the first few dozen forms, hiding the code behind them.
 */
export const forwardedFor = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 65_000 }).map((n) => `203.0.${113 + (n >> 8)}.${n & 255}`) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 65_000 }).map((n) => `2001:db8::${n.toString(16)}`) },
  { weight: 1, arbitrary: fc.constantFrom("junk", "", "::1", "127.0.0.1, 10.0.0.1", "999.999.999.999", "2001:db8::1%eth0", " , ", "x".repeat(1000)) },
);

/** One request to `operation`. */
export function operationRequest(target: FuzzTarget, operation: Operation): fc.Arbitrary<FuzzRequest> {
  const params = [...operation.query, ...operation.body];
  const entry = (p: Param) => jsonValue(target, p).map((node): [string, JsonNode] => [p.name, node]);
  const hasBody = operation.method !== "GET" && operation.method !== "HEAD";
  return fc
    .record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS") }),
      segments: fc.tuple(...operation.pathParams.map((name) => pathSegment(target, kindOf(operation.template, name)))),
      query: someOf(operation.query.map(entry)),
      body: someOf((operation.body.length ? operation.body : params).map(entry)),
      junk: fc.array(fc.tuple(junkKey(target), jsonValue(target, { name: "junk", type: "string" })), { maxLength: 2 }),
      rawQuery: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...params.map((p) => p.name), "limit", "x"), rawEscapes) }),
      encoding: fc.constantFrom<Encoding>("json", "json", "form", "form", "multipart", "query", "invalid-json", "mismatch", "none"),
      multipartFlaw: fc.constantFrom("none" as const, "none" as const, "wrong-boundary" as const, "unterminated" as const, "no-boundary" as const, "file-part" as const),
      invalid: invalidJsonBodies,
      mismatchType: fc.constantFrom("text/plain", "application/xml", "application/json; charset=utf-16", "APPLICATION/JSON", "application/json;;;", "application/x-www-form-urlencoded", "multipart/form-data", "*/*", ""),
      authorization: authorization(target),
      headers: optionalHeaders(target),
      forwardedFor,
    })
    .map((g) => {
      let path = operation.template;
      operation.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, g.segments[i])));
      const headers: Record<string, string> = { ...g.headers, "X-Forwarded-For": g.forwardedFor };
      if (g.authorization !== undefined) headers.Authorization = g.authorization;
      const bodyEntries = [...g.body, ...g.junk];
      const sendsBody = hasBody && g.method !== "GET" && g.method !== "HEAD";
      const encoding: Encoding = sendsBody ? g.encoding : "query";
      const queryPairs = asPairs(encoding === "query" ? [...g.query, ...bodyEntries] : g.query);
      let target_ = withQuery(path, queryPairs);
      if (g.rawQuery) target_ += `${target_.includes("?") ? "&" : "?"}${g.rawQuery[0]}=${g.rawQuery[1]}`;
      let body: string | Buffer | undefined;
      let bodyNote: string | undefined;
      if (encoding === "json") {
        ({ body, note: bodyNote } = jsonBody(obj(bodyEntries)));
        headers["Content-Type"] = "application/json";
      } else if (encoding === "form") {
        body = urlEncoded(asPairs(bodyEntries));
        headers["Content-Type"] = "application/x-www-form-urlencoded";
      } else if (encoding === "multipart") {
        const form = multipart(asPairs(bodyEntries), g.multipartFlaw);
        body = form.body;
        headers["Content-Type"] = form.contentType;
      } else if (encoding === "invalid-json") {
        body = g.invalid;
        headers["Content-Type"] = "application/json";
      } else if (encoding === "mismatch") {
        ({ body, note: bodyNote } = jsonBody(obj(bodyEntries)));
        if (g.mismatchType) headers["Content-Type"] = g.mismatchType;
      }
      return fuzzRequest({ method: g.method, path: target_, headers, body, bodyNote: bodyNote && `${headers["Content-Type"] ?? "(no content type)"} ${bodyNote}` });
    });
}

/** What kind of object a path parameter names, from the segment before it. */
export function kindOf(template: string, param: string): string | undefined {
  if (param === "username" || param === "version") return param;
  if (/account/.test(param)) return "account";
  if (param === "hashtag" || (param === "name" && template.includes("/tags/"))) return "tag";
  if (param === "list_id") return "list";
  if (param === "filter_id") return "filter";
  const before = template.slice(0, template.indexOf(`{${param}}`)).split("/").filter(Boolean).pop() ?? "";
  const kinds: Record<string, string> = {
    statuses: "status", accounts: "account", lists: "list", filters: "filter", keywords: "keyword", notifications: "notification",
    polls: "poll", tags: "tag", conversations: "conversation", follow_requests: "account", suggestions: "account",
  };
  return kinds[before];
}

/** Requests spread over every operation given. */
export function apiRequests(target: FuzzTarget, operations: Operation[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...operations.map((op) => operationRequest(target, op)));
}
