// Paging for the admin lists (domain blocks and allows, sign-up blocks) as Mastodon does it —
// 100 entries by default, `max_id`/`since_id`/`min_id` cursors, a `Link` header with rel="next"
// before rel="prev" — except that the last page carries no "next": one extra row is read to know
// whether another page exists, so tools that follow "next" (FediBlockHole) stop without asking
// for an empty page.
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import type { PageRequest } from "../../pagination.ts";
import { pageRequest } from "../../pagination.ts";

export const ADMIN_PAGE = { defaultLimit: 100, maxLimit: 200 };

/** Reads the cursors, loads one row more than asked, sets `Link`, and returns the page. */
export async function adminPage<T extends { id: string }>(c: Context<AppEnv>, load: (page: PageRequest) => Promise<T[]>): Promise<T[]> {
  const page = pageRequest(c, ADMIN_PAGE);
  const rows = await load({ ...page, limit: page.limit + 1 });
  const walkingUp = Boolean(page.minId) && !page.sinceId;
  const more = rows.length > page.limit;
  // Rows come newest first; the extra one is the farthest from the cursor: the oldest when
  // walking down, the newest when walking up from min_id.
  const shown = more ? (walkingUp ? rows.slice(1) : rows.slice(0, page.limit)) : rows;
  if (shown.length === 0) return shown;
  const url = new URL(c.req.url);
  const { origin } = c.get("services").config;
  const link = (name: string, value: string) => {
    const target = new URL(url.pathname, origin);
    const limit = url.searchParams.get("limit");
    if (limit) target.searchParams.set("limit", limit);
    target.searchParams.set(name, value);
    return target.toString();
  };
  const links: string[] = [];
  // Walking up from min_id, older entries exist below this page (the cursor's own, at least).
  if (more || walkingUp) links.push(`<${link("max_id", shown[shown.length - 1].id)}>; rel="next"`);
  links.push(`<${link("min_id", shown[0].id)}>; rel="prev"`);
  c.header("Link", links.join(", "));
  return shown;
}
