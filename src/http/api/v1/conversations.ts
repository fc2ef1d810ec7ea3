// /api/v1/conversations: the signed-in user's direct-message conversations.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { convertContext, renderStatuses } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { toAccountConversation } from "../../../convert/mastodon/account-conversation.ts";
import type { ConversationRow } from "../../../store/conversations.ts";

export const conversationsRoutes = new Hono<AppEnv>();

function conversationId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

async function render(c: Context<AppEnv>, rows: readonly ConversationRow[]) {
  const services = c.get("services");
  const views = await services.conversations.views(currentUser(c).account.id, rows);
  const statuses = views.map((v) => v.lastStatus).filter((s) => s !== null);
  const rendered = await renderStatuses(c, statuses);
  const byId = new Map(rendered.map((s) => [s.id as string, s]));
  return views.map((v) => toAccountConversation(v, byId, convertContext(c)));
}

conversationsRoutes.get("/", requireScope("read:statuses"), async (c) => {
  const rows = await c.get("services").conversations.list(currentUser(c).account.id, pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.last_status_id));
  return c.json(await render(c, rows));
});

conversationsRoutes.delete("/:id", requireScope("write:conversations"), async (c) => {
  await c.get("services").conversations.remove(currentUser(c).account.id, conversationId(c));
  return c.json({});
});

for (const [action, read] of [["read", true], ["unread", false]] as const) {
  conversationsRoutes.post(`/:id/${action}`, requireScope("write:conversations"), async (c) => {
    const row = await c.get("services").conversations.markRead(currentUser(c).account.id, conversationId(c), read);
    return c.json((await render(c, [row]))[0]);
  });
}
