// The signed-in user's own lists: follow requests, blocks, mutes, favourites, bookmarks, and the
// lists Skein keeps empty for now (endorsements, custom emojis). Domain blocks: domain-blocks.ts.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { renderAccounts, renderStatuses } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";

export const followRequestsRoutes = new Hono<AppEnv>();
export const ownListsRoutes = new Hono<AppEnv>();

function requesterId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

followRequestsRoutes.get("/", requireScope("read:follows"), async (c) => {
  const rows = await c.get("services").relationships.own("follow_requests", currentUser(c).account.id, pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
  setLinkHeader(c, rows.map((r) => r.relationId));
  return c.json(renderAccounts(c, rows.map((r) => r.account)));
});
followRequestsRoutes.post("/:id/authorize", requireScope("write:follows"), async (c) =>
  c.json(await c.get("services").relationships.authorizeRequest(currentUser(c).account, requesterId(c))),
);
followRequestsRoutes.post("/:id/reject", requireScope("write:follows"), async (c) =>
  c.json(await c.get("services").relationships.rejectRequest(currentUser(c).account, requesterId(c))),
);

for (const kind of ["blocks", "mutes"] as const) {
  ownListsRoutes.get(`/${kind}`, requireScope(`read:${kind}`), async (c) => {
    const rows = await c.get("services").relationships.own(kind, currentUser(c).account.id, pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
    setLinkHeader(c, rows.map((r) => r.relationId));
    return c.json(renderAccounts(c, rows.map((r) => r.account)));
  });
}

for (const kind of ["favourites", "bookmarks"] as const) {
  ownListsRoutes.get(`/${kind}`, requireScope(`read:${kind}`), async (c) => {
    const rows = await c.get("services").timelines.saved(kind, currentUser(c).account.id, pageRequest(c));
    setLinkHeader(c, rows.map((r) => r.relationId));
    return c.json(await renderStatuses(c, rows.map((r) => r.status)));
  });
}

ownListsRoutes.get("/endorsements", requireScope("read:accounts"), (c) => c.json([]));
ownListsRoutes.get("/custom_emojis", (c) => c.json([]));
