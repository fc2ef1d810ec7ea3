// Clients send parameters as query strings, forms, multipart and JSON, with Rails-style keys
// (`redirect_uris[]`, `source[privacy]`, `fields_attributes[0][name]`). Driven through a Hono app
// in-process, as the real routes use readParams.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { readParams, strOrList, bool, int, wholeNumber } from "../../src/http/params.ts";
import { ApiError } from "../../src/http/errors.ts";
import { handleError } from "../../src/http/errors.ts";

const app = new Hono();
app.all("/echo", async (c) => c.json(await readParams(c)));
app.post("/apps", async (c) => {
  const params = await readParams(c);
  return c.json({ redirect_uris: strOrList(params, "redirect_uris"), locked: bool(params, "locked") ?? null });
});
app.onError(handleError);

const form = (body: string) => ({ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
const json = (body: string) => ({ method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body });

async function echo(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await app.request(path, init);
  return { status: response.status, body: await response.json() };
}

test("form keys with brackets become arrays and nested objects", async () => {
  const body = [
    "redirect_uris[]=https://a.example/cb",
    "redirect_uris[]=https://b.example/cb",
    "source[privacy]=unlisted",
    "source[sensitive]=true",
    "fields_attributes[0][name]=Pronouns",
    "fields_attributes[0][value]=they%2Fthem",
    "fields_attributes[1][name]=Site",
    "display_name=Alice+A.",
  ].join("&");
  const { status, body: params } = await echo("/echo", form(body));
  assert.equal(status, 200);
  assert.deepEqual(params, {
    redirect_uris: ["https://a.example/cb", "https://b.example/cb"],
    source: { privacy: "unlisted", sensitive: "true" },
    fields_attributes: { "0": { name: "Pronouns", value: "they/them" }, "1": { name: "Site" } },
    display_name: "Alice A.",
  });
});

test("query parameters use the same rules, and a GET has no body to read", async () => {
  const { body } = await echo("/echo?exclude_types[]=mention&exclude_types[]=favourite&limit=20&types[]=follow");
  assert.deepEqual(body, { exclude_types: ["mention", "favourite"], limit: "20", types: ["follow"] });
});

test("multipart form data is read like a form", async () => {
  const data = new FormData();
  data.append("source[language]", "de");
  data.append("scopes[]", "read");
  data.append("scopes[]", "write");
  const { status, body } = await echo("/echo", { method: "POST", body: data });
  assert.equal(status, 200);
  assert.deepEqual(body, { source: { language: "de" }, scopes: ["read", "write"] });
});

test("JSON bodies pass through as sent, merged over the query string", async () => {
  const { body } = await echo("/echo?a=query&b=query", json(JSON.stringify({ a: "json", list: [1, 2], nested: { x: true } })));
  assert.deepEqual(body, { a: "json", b: "query", list: [1, 2], nested: { x: true } });
  assert.deepEqual((await echo("/echo", json(""))).body, {}, "an empty JSON body is no parameters");
});

test("a body that is not what its Content-Type says is refused with Mastodon's error shape", async () => {
  assert.deepEqual(await echo("/echo", json("{not json")), { status: 400, body: { error: "The request body is not valid JSON" } });
  assert.deepEqual(await echo("/echo", json("[1,2]")), { status: 400, body: { error: "The request body must be a JSON object" } });
  assert.deepEqual(await echo("/echo", json("null")), { status: 400, body: { error: "The request body must be a JSON object" } });
  const many = Array.from({ length: 1001 }, (_, i) => `k${i}=v`).join("&");
  assert.deepEqual(await echo("/echo", form(many)), { status: 422, body: { error: "Too many parameters" } });
});

test("Elk's JSON list and Phanpy's form list reach a handler as the same list", async () => {
  const fromJson = await app.request("/apps", json(JSON.stringify({ redirect_uris: ["https://x.example/a", "https://x.example/b"], locked: false })));
  const fromForm = await app.request("/apps", form("redirect_uris[]=https://x.example/a&redirect_uris[]=https://x.example/b&locked=0"));
  const expected = { redirect_uris: ["https://x.example/a", "https://x.example/b"], locked: false };
  assert.deepEqual(await fromJson.json(), expected);
  assert.deepEqual(await fromForm.json(), expected);
  const single = await app.request("/apps", form("redirect_uris=urn:ietf:wg:oauth:2.0:oob&locked=maybe"));
  assert.equal(single.status, 422);
  assert.deepEqual(await single.json(), {
    error: "Validation failed: locked must be true or false",
    details: { locked: [{ error: "ERR_INVALID", description: "locked must be true or false" }] },
  });
});

test("keys that name Object.prototype are ignored instead of polluting every object in the process", async () => {
  const { status, body } = await echo("/echo", form("__proto__[polluted]=yes&constructor[prototype][polluted]=yes&__proto__[]=x&ok=1"));
  assert.equal(status, 200);
  assert.deepEqual(body, { ok: "1" });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(body), Object.prototype);
  const query = await echo("/echo?__proto__[polluted]=yes");
  assert.deepEqual(query.body, {});
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("keys that are not bracket paths are kept literally", async () => {
  const { body } = await echo("/echo", form("a]b=1&c[d=2&e[f]g=3&[h]=4"));
  assert.deepEqual(body, { "a]b": "1", "c[d": "2", "e[f]g": "3", "[h]": "4" });
});

test("a NUL character is refused in any parameter, at any depth, in values and in names, however it was sent", async () => {
  const refused = async (init: RequestInit, name: string) => {
    const { status, body } = await echo("/echo", init);
    assert.equal(status, 422, JSON.stringify(body));
    assert.equal(body.error, `Validation failed: ${name} must not contain NUL characters`);
    assert.deepEqual(Object.keys(body.details), [name]);
  };
  await refused(json(JSON.stringify({ status: "a\u0000b" })), "status");
  await refused(json(JSON.stringify({ source: { note: "ok", privacy: "\u0000" } })), "source[privacy]");
  await refused(json(JSON.stringify({ poll: { options: ["a", "b\u0000"] } })), "poll[options][1]");
  await refused(json(JSON.stringify({ fields_attributes: [{ name: "x", "va\u0000lue": "y" }] })), "parameter names");
  await refused(form("title=a%00b"), "title");
  await refused(form("fields_attributes[0][value]=%00"), "fields_attributes[0][value]");
  await refused(form("ok=1&a%00=1"), "parameter names");
  const multipart = new FormData();
  multipart.append("source[note]", "x\u0000");
  await refused({ method: "POST", body: multipart }, "source[note]");
  const file = new FormData();
  file.append("file", new File(["\u0000 content may hold anything"], "a\u0000.png"));
  await refused({ method: "POST", body: file }, "file");
  // In-process there is no URL check in front, so readParams refuses a NUL in the query too.
  assert.equal((await echo("/echo?q=a%00b")).status, 422);
  // Everything else passes, control characters other than NUL included.
  assert.deepEqual((await echo("/echo", json(JSON.stringify({ status: "tab\there\u0001" })))).body, { status: "tab\there\u0001" });
});

test("parameters nested deeper than any real one are refused without recursing (a deep JSON body cannot overflow the stack)", async () => {
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const { status, body } = await echo("/echo", json(`{"a":${deep}}`));
  assert.equal(status, 422);
  assert.match(body.error, /^Validation failed: a(\[0\])+ must not be nested more than 32 levels deep$/);
  assert.equal((await echo("/echo", json(JSON.stringify({ a: { b: { c: { d: [1] } } } })))).status, 200);
});

test("whole numbers: JSON integers or decimal digits only; beyond 2^53 they are infinite so range checks catch them", () => {
  for (const [value, expected] of [
    [5, 5], ["5", 5], ["-5", -5], ["007", 7], ["-0", 0], [0, 0],
    ["9007199254740993", Infinity], ["-99999999999999999999", -Infinity], [1e300, Infinity],
    [1.5, null], ["1.5", null], ["1e3", null], ["0x10", null], [" 5", null], ["5 ", null], ["", null], ["Infinity", null],
    [Infinity, null], [NaN, null], [true, null], [null, null], [[5], null], [{}, null],
  ] as [unknown, number | null][]) {
    assert.equal(wholeNumber(value), expected, JSON.stringify(value));
  }
});

test("int(): a default when absent, 422 for anything but a whole number, clamped or refused out of range", () => {
  const limit = { min: 1, max: 40, default: 20, clamp: true };
  assert.equal(int({}, "limit", limit), 20);
  assert.equal(int({ limit: "" }, "limit", limit), 20);
  assert.equal(int({ limit: null }, "limit", limit), 20);
  assert.equal(int({ limit: "30" }, "limit", limit), 30);
  assert.equal(int({ limit: "0" }, "limit", limit), 1);
  assert.equal(int({ limit: 1000 }, "limit", limit), 40);
  assert.equal(int({ limit: "9223372036854775808" }, "limit", limit), 40);
  assert.equal(int({ limit: "-9223372036854775809" }, "limit", limit), 1);
  assert.equal(int({}, "duration", { min: 0, max: 10 }), undefined);
  const refusal = (params: Record<string, unknown>, options: Parameters<typeof int>[2], message: string) =>
    assert.throws(() => int(params, "n", options), (e: unknown) => e instanceof ApiError && e.status === 422 && e.message === message && e.details?.n?.[0]?.error === "ERR_INVALID");
  for (const bad of ["1.5", "1e309", "Infinity", "abc", true, [1], 2.5]) refusal({ n: bad }, limit, "Validation failed: n must be a whole number");
  refusal({ n: "11" }, { min: 0, max: 10 }, "Validation failed: n must be a whole number from 0 to 10");
  refusal({ n: -1 }, { min: 0, max: 10 }, "Validation failed: n must be a whole number from 0 to 10");
  refusal({ n: "99999999999999999999" }, { min: 0, max: 10 }, "Validation failed: n must be a whole number from 0 to 10");
});
