// Reading Mastodon's pagination parameters and writing its Link header.
import type { Context } from "hono";
import type { PageRequest } from "../store/pagination.ts";
import { parseId } from "../util/ids.ts";
import { ApiError } from "./errors.ts";
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
  const limitText = c.req.query("limit");
  let limit = defaultLimit;
  if (limitText !== undefined && limitText !== "") {
    limit = Number(limitText);
    if (!Number.isInteger(limit)) throw new ApiError(422, "limit must be a whole number");
  }
  return { maxId: cursor("max_id"), sinceId: cursor("since_id"), minId: cursor("min_id"), limit: Math.min(Math.max(limit, 1), maxLimit) };
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
