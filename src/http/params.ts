// Mastodon accepts parameters as a query string, a form, multipart form data or JSON, and
// clients use all of them (Phanpy posts forms, Elk posts JSON). This reads any of them into one
// plain object, with Rails-style keys (`redirect_uris[]`, `source[privacy]`) made into arrays and
// nested objects, so handlers validate a single shape.
import type { Context } from "hono";
import { ApiError } from "./errors.ts";

export type Params = Record<string, unknown>;

const MAX_KEYS = 1000;

export async function readParams(c: Context): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of new URL(c.req.url).searchParams) assign(params, key, value);
  if (c.req.method === "GET" || c.req.method === "HEAD") return params;

  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") {
    let body: unknown;
    try {
      const text = await c.req.text();
      body = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw new ApiError(400, "The request body is not valid JSON");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ApiError(400, "The request body must be a JSON object");
    }
    return { ...params, ...(body as Params) };
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    let form: FormData;
    try {
      form = await c.req.raw.clone().formData();
    } catch {
      throw new ApiError(400, "The request body is not a valid form");
    }
    let count = 0;
    for (const [key, value] of form) {
      if (++count > MAX_KEYS) throw new ApiError(422, "Too many parameters");
      assign(params, key, value);
    }
  }
  return params;
}

/** `a[]` appends to an array, `a[b]` sets a nested key, `a[0][b]` an indexed object (fields_attributes). */
function assign(target: Params, key: string, value: unknown): void {
  const parts = key.match(/^([^[\]]+)((?:\[[^[\]]*\])*)$/);
  if (!parts) {
    target[key] = value;
    return;
  }
  const path = [parts[1], ...[...parts[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
  // `__proto__[x]=y` would otherwise write into Object.prototype for the whole process.
  if (path.some((name) => name === "__proto__" || name === "constructor" || name === "prototype")) return;
  let node: Record<string, unknown> = target;
  for (let i = 0; i < path.length - 1; i++) {
    const name = path[i];
    const nextIsAppend = path[i + 1] === "";
    if (nextIsAppend) {
      const list = Array.isArray(node[name]) ? (node[name] as unknown[]) : (node[name] = []);
      (list as unknown[]).push(value);
      return;
    }
    if (typeof node[name] !== "object" || node[name] === null || Array.isArray(node[name])) node[name] = {};
    node = node[name] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** A parameter as a string, or undefined when absent; non-strings are refused with 422. */
export function str(params: Params, name: string, max = 10_000): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") throw new ApiError(422, `${name} must be a string`);
  if (value.length > max) throw new ApiError(422, `${name} is too long (maximum is ${max} characters)`);
  return value;
}

/** A string or a list of strings (for `redirect_uris`, `scopes`, ...). */
export function strOrList(params: Params, name: string): string | string[] | undefined {
  const value = params[name] ?? params[`${name}[]`];
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === "string")) throw new ApiError(422, `${name} must be a list of strings`);
    return value as string[];
  }
  return str(params, name);
}

/** Mastodon's booleans: true/false, 1/0, "true"/"false", "on"... */
export function bool(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  if (["true", "1", "on", "yes", "t"].includes(text)) return true;
  if (["false", "0", "off", "no", "f"].includes(text)) return false;
  throw new ApiError(422, `${name} must be true or false`);
}

/** The parameters as strings only (what the OAuth endpoints need). */
export function flatStrings(params: Params): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === "string") out[k] = v;
  return out;
}
