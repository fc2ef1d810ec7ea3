// Mastodon's RelationshipSeveranceEvent: what a moderation event cut for one user (Mastodon 4.3),
// carried by `severed_relationships` notifications as `event`.
import type { Services } from "../../domain/services.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { SeveranceView } from "../../domain/moderation/severed-relationships.ts";

export function toSeveranceEvent(view: SeveranceView) {
  return {
    id: view.event.id,
    type: view.event.type,
    purged: view.event.purged === 1,
    target_name: view.event.target_name,
    followers_count: view.followersCount,
    following_count: view.followingCount,
    created_at: view.event.created_at,
  };
}

/** Adds `event` to the rendered `severed_relationships` notifications among `rendered` (matched by id). */
export async function withSeveranceEvents<T extends { id: string; type: string }>(services: Services, recipientId: string, rows: readonly NotificationRow[], rendered: T[]) {
  const eventOf = new Map(rows.filter((r) => r.relationship_severance_event_id !== null).map((r) => [r.id, r.relationship_severance_event_id!]));
  if (eventOf.size === 0) return rendered;
  const views = await services.moderation.severedRelationships.viewsFor(recipientId, [...eventOf.values()]);
  return rendered.map((n) => {
    if (n.type !== "severed_relationships") return n;
    const view = views.get(eventOf.get(n.id) ?? "");
    return { ...n, event: view ? toSeveranceEvent(view) : null };
  });
}

/** The same for grouped notifications (/api/v2/notifications): `event` on `severed_relationships` groups (never grouped: one notification each). */
export async function withSeveranceEventGroups<T extends { group_key: string; type: string }>(
  services: Services,
  recipientId: string,
  groups: readonly { groupKey: string; notifications: readonly NotificationRow[] }[],
  rendered: T[],
) {
  const rows = new Map(groups.map((g) => [g.groupKey, g.notifications[0]]));
  const withEvents = await withSeveranceEvents(services, recipientId, [...rows.values()].filter((r) => r !== undefined), rendered.map((g) => ({ ...g, id: rows.get(g.group_key)?.id ?? "" })));
  return withEvents.map(({ id: _id, ...group }) => group);
}
