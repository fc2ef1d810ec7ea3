// /api/v1/notifications.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { NOTIFICATION_TYPES } from "../../../domain/notifications/notification-service.ts";
import type { NotificationType } from "../../../db/schema.ts";
import { unreadCountV1 } from "../v2/notifications.ts";
import type { NotificationRow } from "../../../store/notifications.ts";
import { renderNotifications as renderNotificationsFor } from "../../../convert/mastodon/notification.ts";
import { toNotificationRequest } from "../../../convert/mastodon/notification-request.ts";
import { MAX_BULK_REQUESTS, type NotificationRequest } from "../../../domain/notifications/notification-requests.ts";
import { readParams } from "../../params.ts";
import { convertContext, renderStatus } from "../../render.ts";

export const notificationsRoutes = new Hono<AppEnv>();

function types(c: Context<AppEnv>, name: string): NotificationType[] | undefined {
  const values = [...(c.req.queries(`${name}[]`) ?? []), ...(c.req.queries(name) ?? [])];
  const known = values.filter((v): v is NotificationType => NOTIFICATION_TYPES.includes(v as NotificationType));
  return values.length ? known : undefined;
}

/** Renders notifications for their recipient; ones whose status is no longer readable are dropped. */
export async function renderNotifications(c: Context<AppEnv>, rows: NotificationRow[]) {
  return renderNotificationsFor(c.get("services"), currentUser(c).account.id, rows);
}

notificationsRoutes.get("/", requireScope("read:notifications"), async (c) => {
  const accountIdParam = c.req.query("account_id");
  // One sender's notifications (a notification request's) include the filtered ones, as Mastodon.
  const includeFiltered = accountIdParam !== undefined || ["true", "1"].includes(c.req.query("include_filtered") ?? "");
  const rows = await c.get("services").notifications.list(
    currentUser(c).account.id,
    { types: types(c, "types"), excludeTypes: types(c, "exclude_types"), fromAccountId: accountIdParam ? (parseId(accountIdParam) ?? "0") : null, includeFiltered },
    pageRequest(c, { defaultLimit: 40, maxLimit: 80 }),
  );
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderNotifications(c, rows));
});

// Counts what is newer than the notifications marker (POST /api/v1/markers).
notificationsRoutes.get("/unread_count", requireScope("read:notifications"), unreadCountV1);

notificationsRoutes.post("/clear", requireScope("write:notifications"), async (c) => {
  await c.get("services").notifications.clear(currentUser(c).account.id);
  return c.json({});
});

// Notification requests (filtered notifications, one request per sender); before "/:id".
async function renderRequests(c: Context<AppEnv>, requests: NotificationRequest[]) {
  const services = c.get("services");
  const me = currentUser(c).account.id;
  const statuses = new Map<string, unknown>();
  for (const id of new Set(requests.map((r) => r.lastStatusId).filter((id): id is string => id !== null))) {
    const row = await services.statuses.readable(id, me).catch(() => null);
    if (row) statuses.set(id, await renderStatus(c, row));
  }
  const ctx = convertContext(c);
  return requests.map((r) => toNotificationRequest(r, r.lastStatusId ? statuses.get(r.lastStatusId) : null, ctx));
}

function requestIds(c: Context<AppEnv>, params: Record<string, unknown>): string[] {
  const raw = params["id"] ?? params["id[]"];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length > MAX_BULK_REQUESTS) throw new ApiError(422, `At most ${MAX_BULK_REQUESTS} ids`);
  return list.map((v) => String(v));
}

notificationsRoutes.get("/requests", requireScope("read:notifications"), async (c) => {
  const requests = await c.get("services").notificationRequests.list(currentUser(c).account.id, pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
  setLinkHeader(c, requests.map((r) => r.lastNotificationId));
  return c.json(await renderRequests(c, requests));
});

// Mastodon merges filtered notifications in the background; here they are always merged.
notificationsRoutes.get("/requests/merged", requireScope("read:notifications"), (c) => c.json({ merged: true }));

for (const action of ["accept", "dismiss"] as const) {
  notificationsRoutes.post(`/requests/${action}`, requireScope("write:notifications"), async (c) => {
    const ids = requestIds(c, await readParams(c));
    await c.get("services").notificationRequests[action](currentUser(c).account.id, ids, true);
    return c.json({});
  });
  notificationsRoutes.post(`/requests/:id/${action}`, requireScope("write:notifications"), async (c) => {
    await c.get("services").notificationRequests[action](currentUser(c).account.id, [c.req.param("id")]);
    return c.json({});
  });
}

notificationsRoutes.get("/requests/:id", requireScope("read:notifications"), async (c) => {
  const request = await c.get("services").notificationRequests.get(currentUser(c).account.id, c.req.param("id"));
  return c.json((await renderRequests(c, [request]))[0]);
});

notificationsRoutes.get("/:id", requireScope("read:notifications"), async (c) => {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  const row = await c.get("services").notifications.get(currentUser(c).account.id, id);
  const [rendered] = await renderNotifications(c, [row]);
  if (!rendered) throw new ApiError(404, "Record not found");
  return c.json(rendered);
});

notificationsRoutes.post("/:id/dismiss", requireScope("write:notifications"), async (c) => {
  const id = parseId(c.req.param("id"));
  if (id) await c.get("services").notifications.dismiss(currentUser(c).account.id, id);
  return c.json({});
});
