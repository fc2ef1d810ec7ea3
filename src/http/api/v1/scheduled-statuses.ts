// /api/v1/scheduled_statuses: the user's posts waiting for their time (listed, read, moved to
// another time, cancelled), and what POST /api/v1/statuses answers when `scheduled_at` is given.
// The allowed_mentions refusal of a post (422 with `unexpected_accounts`) is answered here too.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, str, type Params } from "../../params.ts";
import { convertContext, renderAccounts } from "../../render.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { toScheduledStatus } from "../../../convert/mastodon/scheduled-status.ts";
import type { NewStatus } from "../../../domain/statuses/status-service.ts";
import type { Visibility } from "../../../db/schema.ts";
import { UnexpectedMentionsError } from "../../../domain/statuses/allowed-mentions.ts";

export const scheduledStatusesRoutes = new Hono<AppEnv>();

function scheduledId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

scheduledStatusesRoutes.get("/", requireScope("read:statuses"), async (c) => {
  const views = await c.get("services").scheduledStatuses.list(currentUser(c).account, pageRequest(c, { defaultLimit: 20, maxLimit: 40 }));
  setLinkHeader(c, views.map((v) => v.row.id));
  const ctx = convertContext(c);
  return c.json(views.map((v) => toScheduledStatus(v, ctx)));
});

scheduledStatusesRoutes.get("/:id", requireScope("read:statuses"), async (c) => {
  const view = await c.get("services").scheduledStatuses.get(currentUser(c).account, scheduledId(c));
  return c.json(toScheduledStatus(view, convertContext(c)));
});

scheduledStatusesRoutes.put("/:id", requireScope("write:statuses"), async (c) => {
  const params = await readParams(c);
  const scheduledAt = str(params, "scheduled_at", 100);
  if (!scheduledAt) throw new ApiError(422, "Validation failed: Scheduled at can't be blank");
  const view = await c.get("services").scheduledStatuses.reschedule(currentUser(c).account, scheduledId(c), scheduledAt);
  return c.json(toScheduledStatus(view, convertContext(c)));
});

scheduledStatusesRoutes.delete("/:id", requireScope("write:statuses"), async (c) => {
  await c.get("services").scheduledStatuses.cancel(currentUser(c).account, scheduledId(c));
  return c.json({});
});

/** `scheduled_at` of POST /api/v1/statuses, or undefined when the post is for now. */
export function scheduledAtParam(params: Params): string | undefined {
  return str(params, "scheduled_at", 100) || undefined;
}

/** POST /api/v1/statuses with `scheduled_at`: the ScheduledStatus entity instead of a Status. */
export async function scheduleStatus(c: Context<AppEnv>, scheduledAt: string, input: NewStatus, defaults: { visibility: Visibility; sensitive: boolean; language: string | null }): Promise<Response> {
  const { account, auth } = currentUser(c);
  const view = await c.get("services").scheduledStatuses.schedule(account, input, auth.application, defaults, scheduledAt);
  return c.json(toScheduledStatus(view, convertContext(c)));
}

/** `allowed_mentions[]`: account ids (strings or numbers); absent → no restriction. */
export function allowedMentionsParam(params: Params): string[] | null {
  const raw = params.allowed_mentions ?? params["allowed_mentions[]"];
  if (raw === undefined || raw === null || raw === "") return null;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > 100) throw new ApiError(422, "Validation failed: allowed_mentions can't contain that many items");
  return list.map((value) => {
    const id = typeof value === "string" || typeof value === "number" ? parseId(String(value)) : null;
    if (!id) throw new ApiError(422, "Validation failed: allowed_mentions must be a list of account ids");
    return id;
  });
}

/** Runs the post; a post refused for its mentions answers 422 with them, as Mastodon does. */
export async function answeringUnexpectedMentions<T>(c: Context<AppEnv>, post: () => Promise<T>): Promise<T | Response> {
  try {
    return await post();
  } catch (error) {
    if (!(error instanceof UnexpectedMentionsError)) throw error;
    return c.json({ error: error.message, unexpected_accounts: renderAccounts(c, error.accounts) }, 422);
  }
}
