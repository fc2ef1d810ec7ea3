// Clients send parameters as query strings, forms, multipart and JSON, with Rails-style keys
// (`redirect_uris[]`, `source[privacy]`, `fields_attributes[0][name]`). Driven through a Hono app
// in-process, as the real routes use readParams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { readParams, strOrList, bool } from "../../src/http/params.ts";
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
  assert.deepEqual(await single.json(), { error: "locked must be true or false" });
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
