// Reading Mastodon's pagination parameters (id cursors, or limit and offset for ranked lists)
// and writing its Link header.
import type { Context } from "hono";
import type { PageRequest } from "../store/pagination.ts";
export type { PageRequest };
import { parseId } from "../util/ids.ts";
import { int } from "./params.ts";
import type { AppEnv } from "./env.ts";

export function pageRequest(c: Context, options: { defaultLimit?: number; maxLimit?: number } = {}): PageRequest {
  const defaultLimit = options.defaultLimit ?? 20;
  const maxLimit = options.maxLimit ?? 40;
  const cursor = (name: string) => {
    const raw = c.req.query(name);
    if (raw === undefined || raw === "") return null;
    const id = parseId(raw);
    // Unknown cursors match nothing rather than failing, as Mastodon behaves.
    return id ?? (name === "max_id" ? "0" : "9223372036854775807");
  };
  const limit = int(c.req.query(), "limit", { min: 1, max: maxLimit, default: defaultLimit, clamp: true });
  return { maxId: cursor("max_id"), sinceId: cursor("since_id"), minId: cursor("min_id"), limit };
}

/** Sets `Link: <…max_id=oldest>; rel="next", <…min_id=newest>; rel="prev"` from the page's cursors (newest first). */
export function setLinkHeader(c: Context<AppEnv>, cursors: string[]): void {
  if (cursors.length === 0) return;
  const url = new URL(c.req.url);
  const { origin } = c.get("services").config;
  const link = (name: string, value: string) => {
    const target = new URL(url.pathname, origin);
    for (const [k, v] of url.searchParams) if (!["max_id", "min_id", "since_id"].includes(k)) target.searchParams.append(k, v);
    target.searchParams.set(name, value);
    return target.toString();
  };
  c.header("Link", `<${link("max_id", cursors[cursors.length - 1])}>; rel="next", <${link("min_id", cursors[0])}>; rel="prev"`);
}

/** How deep offset paging goes: the database would skip that many rows for each page. */
const MAX_OFFSET = 10_000;

/**
 * `limit` and `offset`, Mastodon's paging for lists that are ranked rather than sorted by id
 * (trends, the directory, search results). `limit` is clamped into range, as Mastodon does;
 * an `offset` out of range is refused (clamping it would hand back a page already seen).
 */
export function offsetPage(c: Context<AppEnv>, defaultLimit: number, maxLimit: number): { limit: number; offset: number } {
  const query = c.req.query();
  return {
    limit: int(query, "limit", { min: 1, max: maxLimit, default: defaultLimit, clamp: true }),
    offset: int(query, "offset", { min: 0, max: MAX_OFFSET, default: 0 }),
  };
}

/** `Link: <…offset=N>; rel="next"` when the page came back full, and `prev` past the first page. */
export function setOffsetLinks(c: Context<AppEnv>, page: { limit: number; offset: number }, count: number): void {
  const { origin } = c.get("services").config;
  const url = new URL(c.req.url);
  const link = (offset: number) => {
    const target = new URL(url.pathname, origin);
    for (const [k, v] of url.searchParams) if (k !== "offset") target.searchParams.append(k, v);
    target.searchParams.set("offset", String(offset));
    return target.toString();
  };
  const links: string[] = [];
  if (count >= page.limit) links.push(`<${link(page.offset + count)}>; rel="next"`);
  if (page.offset > 0) links.push(`<${link(Math.max(page.offset - page.limit, 0))}>; rel="prev"`);
  if (links.length) c.header("Link", links.join(", "));
}
