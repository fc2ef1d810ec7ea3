// Mastodon accepts parameters as a query string, a form, multipart form data or JSON, and
// clients use all of them (Phanpy posts forms, Elk posts JSON). This reads any of them into one
// plain object, with Rails-style keys (`redirect_uris[]`, `source[privacy]`) made into arrays and
// nested objects, so handlers validate a single shape.
import type { Context } from "hono";
import { ApiError } from "./errors.ts";

export type Params = Record<string, unknown>;

/** 422 for one parameter, with Mastodon's per-field `details` (clients may show them by the field). */
export function invalidParam(name: string, problem: string): ApiError {
  const description = `${name} ${problem}`;
  return new ApiError(422, `Validation failed: ${description}`, {}, { [name]: [{ error: "ERR_INVALID", description }] });
}

const MAX_KEYS = 1000;
/** Mastodon's deepest parameters (`fields_attributes[0][name]`, `poll[options][]`) are three levels down. */
const MAX_DEPTH = 32;

export async function readParams(c: Context): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of new URL(c.req.url).searchParams) assign(params, key, value);
  if (c.req.method === "GET" || c.req.method === "HEAD") return checked(params);

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
    return checked({ ...params, ...(body as Params) });
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
  return checked(params);
}

/**
 * Parameters from name/value pairs read elsewhere (the text fields of a multipart upload,
 * http/uploads.ts), with the same Rails-style keys and the same checks as readParams.
 */
export function paramsFromEntries(entries: Iterable<readonly [string, unknown]>): Params {
  const params: Params = {};
  let count = 0;
  for (const [key, value] of entries) {
    if (++count > MAX_KEYS) throw new ApiError(422, "Too many parameters");
    assign(params, key, value);
  }
  return checked(params);
}

/**
 * Refuses what no parameter may hold, wherever it is: a NUL character in any string or key
 * (PostgreSQL cannot store one in text, so the rule is the same on both databases: never
 * accepted from a client), and nesting deeper than any real parameter needs. Walks without
 * recursion, so that a deeply nested JSON body cannot overflow the stack.
 */
function checked(params: Params): Params {
  // Only objects wait on the stack; each knows its parent, so a name is spelled out only for
  // the error message.
  interface Level { value: object; key: string; parent: Level | null; depth: number }
  const nameOf = (level: Level | null, key: string): string => {
    const keys = [key];
    for (let l = level; l && l.parent; l = l.parent) keys.unshift(l.key);
    return keys[0] + keys.slice(1).map((k) => `[${k}]`).join("");
  };
  const pending: Level[] = [{ value: params, key: "", parent: null, depth: 0 }];
  for (let level = pending.pop(); level !== undefined; level = pending.pop()) {
    if (level.depth >= MAX_DEPTH) throw invalidParam(nameOf(level.parent, level.key), `must not be nested more than ${MAX_DEPTH} levels deep`);
    for (const [key, child] of Object.entries(level.value)) {
      if (key.includes("\u0000")) throw invalidParam("parameter names", "must not contain NUL characters");
      const text = typeof child === "string" ? child : child instanceof File ? child.name : null;
      if (text !== null) {
        if (text.includes("\u0000")) throw invalidParam(nameOf(level, key), "must not contain NUL characters");
      } else if (typeof child === "object" && child !== null) {
        pending.push({ value: child, key, parent: level, depth: level.depth + 1 });
      }
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
      if (i + 1 === path.length - 1) {
        (list as unknown[]).push(value);
        return;
      }
      // `a[][name]=x&a[][value]=y&a[][name]=z`: Rails fills the list's last object until a key
      // repeats, then starts a new one: [{name: x, value: y}, {name: z}].
      const last = list[list.length - 1];
      const key = path[i + 2];
      const fresh = typeof last !== "object" || last === null || Array.isArray(last) || (i + 2 === path.length - 1 && Object.hasOwn(last, key));
      if (fresh) list.push({});
      node = list[list.length - 1] as Record<string, unknown>;
      i++;
      continue;
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
  if (typeof value !== "string") throw invalidParam(name, "must be a string");
  if (value.length > max) throw invalidParam(name, `is too long (maximum is ${max} characters)`);
  return value;
}

/**
 * A whole number, as JSON gives it or as decimal digits in a string (no fractions, exponents,
 * hex or spaces); null when the value is not one. Whole numbers beyond what a double holds
 * exactly come back as ±Infinity, so that a range check refuses or clamps them.
 */
export function wholeNumber(value: unknown): number | null {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return null;
    return Number.isSafeInteger(value) ? value : Math.sign(value) * Infinity;
  }
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) return value.startsWith("-") ? -Infinity : Infinity;
  return n === 0 ? 0 : n;
}

/**
 * The one way an integer parameter is read (query or body): absent, null or "" gives `default`;
 * anything but a whole number is refused with 422; one outside `min`..`max` is clamped into
 * range when `clamp` (as Mastodon does with `limit`), refused with 422 otherwise. What comes
 * back is always a safe integer in range, so no database sees a fraction or an overflow.
 * Query parameters: `int(c.req.query(), "limit", …)`.
 */
export function int<D extends number | undefined = undefined>(
  params: Params,
  name: string,
  options: { min: number; max: number; default?: D; clamp?: boolean },
): number | D {
  const value = params[name];
  if (value === undefined || value === null || value === "") return options.default as D;
  const n = wholeNumber(value);
  if (n === null) throw invalidParam(name, "must be a whole number");
  if (n >= options.min && n <= options.max) return n;
  if (options.clamp) return n < options.min ? options.min : options.max;
  throw invalidParam(name, `must be a whole number from ${options.min} to ${options.max}`);
}

/** A string or a list of strings (for `redirect_uris`, `scopes`, ...). */
export function strOrList(params: Params, name: string): string | string[] | undefined {
  const value = params[name] ?? params[`${name}[]`];
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === "string")) throw invalidParam(name, "must be a list of strings");
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
  throw invalidParam(name, "must be true or false");
}

/** The parameters as strings only (what the OAuth endpoints need). */
export function flatStrings(params: Params): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === "string") out[k] = v;
  return out;
}
