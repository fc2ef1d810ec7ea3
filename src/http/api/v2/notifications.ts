// /api/v2/notifications: grouped notifications, their unread count, and the notification policy.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { int, readParams } from "../../params.ts";
import { convertContext, renderAccounts, renderStatuses } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { NOTIFICATION_TYPES } from "../../../domain/notifications/notification-service.ts";
import { GROUPABLE_TYPES, type GroupedNotifications } from "../../../domain/notifications/notification-groups.ts";
import { POLICY_FIELDS, POLICY_VALUES, type PolicyField } from "../../../domain/notifications/notification-policy.ts";
import { validationError } from "../../validation-error.ts";
import type { NotificationPolicyRow } from "../../../store/notification-groups.ts";
import type { NotificationFilter } from "../../../store/notifications.ts";
import type { NotificationPolicyValue, NotificationType } from "../../../db/schema.ts";
import { toGroupedNotificationsResults } from "../../../convert/mastodon/notification-group.ts";
import { withSeveranceEventGroups } from "../../../convert/mastodon/severance-event.ts";
import { withAccountWarningGroups } from "../../../convert/mastodon/admin/account-warning.ts";
import { withReportGroups } from "../../../convert/mastodon/report.ts";

export const notificationsV2Routes = new Hono<AppEnv>();

/** A list-valued query parameter (`name[]=a&name[]=b`, `name=a,b`); undefined when absent. */
function listParam(c: Context<AppEnv>, name: string): string[] | undefined {
  const values = [...(c.req.queries(`${name}[]`) ?? []), ...(c.req.queries(name) ?? [])].flatMap((v) => v.split(","));
  return values.length ? values : undefined;
}

const known = (values: string[]) => values.filter((v): v is NotificationType => NOTIFICATION_TYPES.includes(v as NotificationType));

/** The filter, or null when it can match nothing (only types Skein never creates were asked for). */
export function notificationFilter(c: Context<AppEnv>): NotificationFilter | null {
  const types = listParam(c, "types");
  const excludeTypes = listParam(c, "exclude_types");
  const accountParam = c.req.query("account_id");
  if (types && known(types).length === 0) return null;
  return {
    types: types ? known(types) : undefined,
    excludeTypes: excludeTypes ? known(excludeTypes) : undefined,
    fromAccountId: accountParam ? (parseId(accountParam) ?? "0") : null,
    // Filtered notifications (notification requests) only when asked, or for one sender, as Mastodon.
    includeFiltered: accountParam !== undefined || ["true", "1"].includes(c.req.query("include_filtered") ?? ""),
  };
}

function groupedTypes(c: Context<AppEnv>): NotificationType[] {
  const requested = listParam(c, "grouped_types");
  return requested ? known(requested).filter((t) => GROUPABLE_TYPES.includes(t)) : [...GROUPABLE_TYPES];
}

function groupKey(c: Context<AppEnv>): string {
  const key = c.req.param("group_key");
  if (!key || key.length > 200) throw new ApiError(404, "Record not found");
  return key;
}

/** The count limit of unread_count: 100 unless asked, at most 1000. */
function countLimit(c: Context<AppEnv>): number {
  return int(c.req.query(), "limit", { min: 1, max: 1000, default: 100, clamp: true });
}

async function render(c: Context<AppEnv>, result: GroupedNotifications, partialAvatars = false) {
  const statuses = await renderStatuses(c, result.statuses);
  // A status the reader's filters hide takes its notification groups with it.
  const shown = new Set(statuses.map((s) => s.id as string));
  const groups = result.groups.filter((g) => g.statusId === null || shown.has(g.statusId));
  const rendered = toGroupedNotificationsResults({ ...result, groups }, statuses, convertContext(c), { partialAvatars });
  const withEvents = await withSeveranceEventGroups(c.get("services"), currentUser(c).account.id, groups, rendered.notification_groups);
  const withWarnings = await withAccountWarningGroups(c.get("services"), currentUser(c).account.id, groups, withEvents);
  const notificationGroups = await withReportGroups(c.get("services"), groups, withWarnings);
  return { ...rendered, notification_groups: notificationGroups };
}

function toPolicy(policy: NotificationPolicyRow, summary: { requests: number; notifications: number }) {
  return {
    for_not_following: policy.for_not_following,
    for_not_followers: policy.for_not_followers,
    for_new_accounts: policy.for_new_accounts,
    for_private_mentions: policy.for_private_mentions,
    for_limited_accounts: policy.for_limited_accounts,
    summary: { pending_requests_count: summary.requests, pending_notifications_count: summary.notifications },
  };
}

notificationsV2Routes.get("/", requireScope("read:notifications"), async (c) => {
  const me = currentUser(c).account.id;
  const page = pageRequest(c, { defaultLimit: 40, maxLimit: 80 });
  const filter = notificationFilter(c);
  const partialAvatars = c.req.query("expand_accounts") === "partial_avatars";
  if (!filter) return c.json(await render(c, { groups: [], accounts: [], statuses: [] }, partialAvatars));
  const result = await c.get("services").notificationGroups.list(me, filter, groupedTypes(c), page);
  if (result.newestId && result.oldestId) setLinkHeader(c, [result.newestId, result.oldestId]);
  return c.json(await render(c, result, partialAvatars));
});

notificationsV2Routes.get("/unread_count", requireScope("read:notifications"), async (c) => {
  const filter = notificationFilter(c);
  if (!filter) return c.json({ count: 0 });
  const count = await c.get("services").notificationGroups.unreadCount(currentUser(c).account.id, filter, countLimit(c), groupedTypes(c));
  return c.json({ count });
});

notificationsV2Routes.get("/policy", requireScope("read:notifications"), async (c) => {
  const me = currentUser(c).account.id;
  return c.json(toPolicy(await c.get("services").notificationGroups.policy(me), await c.get("services").notificationRequests.summary(me)));
});

// PATCH as documented; PUT too, as Rails routes `update` (masto.js sends PUT).
notificationsV2Routes.on(["PATCH", "PUT"], "/policy", requireScope("write:notifications"), async (c) => {
  const params = await readParams(c);
  const changes: Partial<Record<PolicyField, string>> = {};
  for (const field of POLICY_FIELDS) {
    const value = params[field];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || !POLICY_VALUES.includes(value as NotificationPolicyValue)) {
      return validationError(c, field, "ERR_INCLUSION", `${field} must be one of ${POLICY_VALUES.join(", ")}`);
    }
    changes[field] = value;
  }
  const me = currentUser(c).account.id;
  return c.json(toPolicy(await c.get("services").notificationGroups.updatePolicy(me, changes), await c.get("services").notificationRequests.summary(me)));
});

notificationsV2Routes.get("/:group_key", requireScope("read:notifications"), async (c) => {
  const result = await c.get("services").notificationGroups.get(currentUser(c).account.id, groupKey(c));
  return c.json(await render(c, result));
});

notificationsV2Routes.post("/:group_key/dismiss", requireScope("write:notifications"), async (c) => {
  await c.get("services").notificationGroups.dismiss(currentUser(c).account.id, groupKey(c));
  return c.json({});
});

notificationsV2Routes.get("/:group_key/accounts", requireScope("read:notifications"), async (c) => {
  const accounts = await c.get("services").notificationGroups.accounts(currentUser(c).account.id, groupKey(c));
  return c.json(renderAccounts(c, accounts));
});

/** /api/v1/notifications/unread_count: notifications newer than the notifications marker. */
export async function unreadCountV1(c: Context<AppEnv>) {
  const filter = notificationFilter(c);
  if (!filter) return c.json({ count: 0 });
  return c.json({ count: await c.get("services").notificationGroups.unreadCount(currentUser(c).account.id, filter, countLimit(c)) });
}
