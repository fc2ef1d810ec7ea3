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
  const rows = await c.get("services").notifications.list(
    currentUser(c).account.id,
    { types: types(c, "types"), excludeTypes: types(c, "exclude_types"), fromAccountId: accountIdParam ? (parseId(accountIdParam) ?? "0") : null },
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
