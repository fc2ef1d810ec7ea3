// /api/v1/statuses: posting, reading, editing, deleting, and acting on statuses.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, int, readParams, str, type Params } from "../../params.ts";
import { convertContext, renderAccounts, renderStatus, renderStatuses, viewerId } from "../../render.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { userSettings } from "../../../domain/accounts/account-service.ts";
import { VISIBILITIES } from "../../../domain/statuses/status-service.ts";
import type { Visibility } from "../../../db/schema.ts";
import type { NewPoll } from "../../../domain/polls/poll-drafts.ts";
import { LIMITS } from "../../../domain/instance/instance-service.ts";
import { toDeletedStatus, toStatus, toStatusEdits, toStatusSource } from "../../../convert/mastodon/status.ts";
import { convertContextOf } from "../../../convert/mastodon/context.ts";
import { REFRESH_RETRY_SECONDS } from "../../../domain/threads/thread-service.ts";
import type { StatusMediaRequest } from "../../../domain/media/media-service.ts";
import { quoteParams } from "./quotes.ts";
import type { NewStatus } from "../../../domain/statuses/status-service.ts";
import { allowedMentionsParam, answeringUnexpectedMentions, scheduledAtParam, scheduleStatus } from "./scheduled-statuses.ts";

export const statusesRoutes = new Hono<AppEnv>();

function statusId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

function visibilityParam(value: string | undefined): Visibility | undefined {
  if (value === undefined || value === "") return undefined;
  if (!VISIBILITIES.includes(value as Visibility)) throw new ApiError(422, "Validation failed: Visibility is not included in the list");
  return value as Visibility;
}

/** `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]` (or a JSON object); undefined when absent. */
function pollParam(params: Params): NewPoll | undefined {
  const poll = params.poll;
  if (poll === undefined || poll === null || poll === "") return undefined;
  if (typeof poll !== "object" || Array.isArray(poll)) throw new ApiError(422, "poll must be an object");
  const p = poll as Params;
  const options = p.options ?? p["options[]"];
  if (!Array.isArray(options) || !options.every((o) => typeof o === "string")) throw new ApiError(422, "Validation failed: Poll options must be a list of strings");
  if (options.length > 100) throw new ApiError(422, "Validation failed: Poll options can't contain that many items");
  // Seconds; the poll rules refuse one that is too short (or absent).
  const expiresIn = int(p, "expires_in", { min: 0, max: LIMITS.pollMaxExpiration }) ?? null;
  return { options: options as string[], expiresIn, multiple: bool(p, "multiple"), hideTotals: bool(p, "hide_totals") };
}

/** `media_ids[]` (strings or numbers, as clients send them); at most a few more than may be attached, so the error names the limit. */
function mediaIdsParam(params: Params): string[] {
  const raw = params.media_ids ?? params["media_ids[]"];
  if (raw === undefined || raw === null || raw === "") return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > 20) throw new ApiError(422, `Validation failed: You cannot attach more than ${LIMITS.mediaAttachments} files`);
  return list.map((value) => {
    const id = typeof value === "string" || typeof value === "number" ? parseId(String(value)) : null;
    if (!id) throw new ApiError(422, "Validation failed: media_ids must be a list of media attachment ids");
    return id;
  });
}

/** `media_attributes[][id|description|focus]` of an edit (a list, or Rails' indexed object). */
function mediaAttributesParam(params: Params): NonNullable<StatusMediaRequest["attributes"]> {
  const raw = params.media_attributes ?? params["media_attributes[]"];
  if (raw === undefined || raw === null || raw === "") return [];
  const list = Array.isArray(raw) ? raw : typeof raw === "object" ? Object.values(raw as Params) : null;
  if (!list || list.length > 20) throw new ApiError(422, "Validation failed: media_attributes must be a list of objects");
  return list.map((item) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) throw new ApiError(422, "Validation failed: media_attributes must be a list of objects");
    const p = item as Params;
    const id = parseId(str(p, "id", 30) ?? "");
    if (!id) throw new ApiError(422, "Validation failed: media_attributes need an id");
    return { id, description: str(p, "description", 10_000), focus: str(p, "focus", 100) };
  });
}

statusesRoutes.post("/", requireScope("write:statuses"), async (c) => {
  const { user, account, auth } = currentUser(c);
  const params = await readParams(c);
  const mediaIds = mediaIdsParam(params);
  const scheduledAt = scheduledAtParam(params);
  const settings = userSettings(user);
  const inReplyTo = str(params, "in_reply_to_id", 30);
  const key = c.req.header("idempotency-key");
  const input: NewStatus = {
    text: str(params, "status", 100_000),
    spoilerText: str(params, "spoiler_text", 10_000),
    sensitive: bool(params, "sensitive"),
    visibility: visibilityParam(str(params, "visibility", 20)),
    language: str(params, "language", 10),
    inReplyToId: inReplyTo ? (parseId(inReplyTo) ?? "0") : null,
    idempotencyKey: key ? key.slice(0, 200) : null,
    poll: pollParam(params) ?? null,
    media: mediaIds.length ? { ids: mediaIds } : null,
    allowedMentions: allowedMentionsParam(params),
    quote: quoteParams(params, settings.quote_policy),
  };
  const defaults = { visibility: settings.privacy, sensitive: settings.sensitive, language: settings.language };
  // With scheduled_at the post waits (domain/scheduled/), answered with a ScheduledStatus.
  if (scheduledAt) return scheduleStatus(c, scheduledAt, input, defaults);
  const created = await answeringUnexpectedMentions(c, () => c.get("services").statuses.createViewed(account, input, auth.application, defaults));
  if (created instanceof Response) return created;
  // A plain post is shown from what was written; others are read back.
  return c.json(created.view ? toStatus(created.view, convertContext(c)) : await renderStatus(c, created.status));
});

statusesRoutes.get("/", async (c) => {
  const ids = (c.req.queries("id[]") ?? c.req.queries("id") ?? []).map(parseId).filter((id): id is string => id !== null).slice(0, 40);
  const services = c.get("services");
  const rows = [];
  for (const id of ids) {
    const row = await services.statuses.readable(id, viewerId(c)).catch(() => null);
    if (row) rows.push(row);
  }
  return c.json(await renderStatuses(c, rows));
});

statusesRoutes.get("/:id", async (c) => {
  const status = await c.get("services").statuses.readable(statusId(c), viewerId(c));
  return c.json(await renderStatus(c, status));
});

statusesRoutes.delete("/:id", requireScope("write:statuses"), async (c) => {
  const services = c.get("services");
  const { account } = currentUser(c);
  // Load what the answer shows (mentions, tags…) before the rows are gone.
  const [view] = await services.statusViews([await services.statuses.readable(statusId(c), account.id)], account.id);
  // Mastodon keeps the media for a redraft unless delete_media is true.
  await services.statuses.delete(account, view.status.id, { deleteMedia: bool(await readParams(c), "delete_media") === true });
  return c.json(toDeletedStatus(view, convertContextOf(services)));
});

statusesRoutes.put("/:id", requireScope("write:statuses"), async (c) => {
  const params = await readParams(c);
  const status = await c.get("services").statuses.edit(currentUser(c).account, statusId(c), {
    text: str(params, "status", 100_000),
    spoilerText: str(params, "spoiler_text", 10_000),
    sensitive: bool(params, "sensitive"),
    language: str(params, "language", 10),
    // As on Mastodon, an edit carries the whole status: without a poll, the poll is removed;
    // without media_ids, the media are.
    poll: pollParam(params) ?? null,
    media: { ids: mediaIdsParam(params), attributes: mediaAttributesParam(params) },
    quote: quoteParams(params, null),
  });
  return c.json(await renderStatus(c, status));
});

statusesRoutes.get("/:id/context", async (c) => {
  const services = c.get("services");
  const { ancestors, descendants } = await services.statuses.context(statusId(c), viewerId(c));
  // A remote thread is completed in the background (domain/threads); the header tells the client to look again.
  const refresh = await services.threads.contextOpened(statusId(c), viewerId(c), ancestors);
  if (refresh) c.header("Mastodon-Async-Refresh", `id="${refresh.id}", retry=${REFRESH_RETRY_SECONDS}, result_count=${refresh.resultCount}`);
  return c.json({ ancestors: await renderStatuses(c, ancestors), descendants: await renderStatuses(c, descendants) });
});

statusesRoutes.get("/:id/history", async (c) => {
  const services = c.get("services");
  const { status, edits, media } = await services.statuses.history(statusId(c), viewerId(c));
  const [view] = await services.statusViews([status], viewerId(c));
  return c.json(toStatusEdits(status, edits, view.account, convertContextOf(services), media));
});

statusesRoutes.get("/:id/source", requireScope("read:statuses"), async (c) => {
  const status = await c.get("services").statuses.readable(statusId(c), viewerId(c));
  if (status.account_id !== currentUser(c).account.id) throw new ApiError(404, "Record not found");
  return c.json(toStatusSource(status));
});

for (const [path, relation] of [["favourited_by", "favourites"], ["reblogged_by", "reblogs"]] as const) {
  statusesRoutes.get(`/:id/${path}`, async (c) => {
    const page = pageRequest(c, { defaultLimit: 40, maxLimit: 80 });
    const rows = await c.get("services").statuses.accountsWho(relation, statusId(c), viewerId(c), page);
    setLinkHeader(c, rows.map((r) => r.relationId));
    return c.json(renderAccounts(c, rows.map((r) => r.account)));
  });
}

type Action = (c: Context<AppEnv>, id: string) => Promise<import("../../../store/statuses.ts").StatusRow>;
const actions: [string, string, Action][] = [
  ["reblog", "write:statuses", async (c, id) => {
    const params = await readParams(c);
    return c.get("services").statuses.reblog(currentUser(c).account, id, visibilityParam(str(params, "visibility", 20)));
  }],
  ["unreblog", "write:statuses", (c, id) => c.get("services").statuses.unreblog(currentUser(c).account, id)],
  ["favourite", "write:favourites", (c, id) => c.get("services").statuses.favourite(currentUser(c).account, id)],
  ["unfavourite", "write:favourites", (c, id) => c.get("services").statuses.unfavourite(currentUser(c).account, id)],
  ["bookmark", "write:bookmarks", (c, id) => c.get("services").statuses.bookmark(currentUser(c).account, id, true)],
  ["unbookmark", "write:bookmarks", (c, id) => c.get("services").statuses.bookmark(currentUser(c).account, id, false)],
  ["pin", "write:accounts", (c, id) => c.get("services").statuses.pin(currentUser(c).account, id, true)],
  ["unpin", "write:accounts", (c, id) => c.get("services").statuses.pin(currentUser(c).account, id, false)],
  ["mute", "write:mutes", (c, id) => c.get("services").statuses.muteConversation(currentUser(c).account, id, true)],
  ["unmute", "write:mutes", (c, id) => c.get("services").statuses.muteConversation(currentUser(c).account, id, false)],
];
for (const [name, scope, action] of actions) {
  statusesRoutes.post(`/:id/${name}`, requireScope(scope), async (c) => c.json(await renderStatus(c, await action(c, statusId(c)))));
}
