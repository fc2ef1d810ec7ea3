// Mastodon's roles and permission flags. Skein has the three built-in roles (Moderator, Admin,
// Owner) over plain users; each grants Mastodon's permission bits, which the Role entity shows
// as a decimal string and the admin API checks per endpoint.
import type { UserRole } from "../../db/schema.ts";

export const PERMISSIONS = {
  administrator: 1 << 0,
  view_devops: 1 << 1,
  view_audit_log: 1 << 2,
  view_dashboard: 1 << 3,
  manage_reports: 1 << 4,
  manage_federation: 1 << 5,
  manage_settings: 1 << 6,
  manage_blocks: 1 << 7,
  manage_taxonomies: 1 << 8,
  manage_appeals: 1 << 9,
  manage_users: 1 << 10,
  manage_invites: 1 << 11,
  manage_rules: 1 << 12,
  manage_announcements: 1 << 13,
  manage_custom_emojis: 1 << 14,
  manage_webhooks: 1 << 15,
  invite_users: 1 << 16,
  manage_roles: 1 << 17,
  manage_user_access: 1 << 18,
  delete_user_data: 1 << 19,
  view_feeds: 1 << 20,
} as const;

export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.values(PERMISSIONS).reduce((a, b) => a | b, 0);

export interface RoleInfo {
  /** Mastodon's ids for its default roles. */
  id: string;
  name: string;
  permissions: number;
  /** Higher outranks lower: nobody acts on an account whose role is at or above their own. */
  position: number;
  highlighted: boolean;
}

const ROLES: Record<UserRole, RoleInfo> = {
  user: { id: "-99", name: "", permissions: PERMISSIONS.invite_users, position: -1, highlighted: false },
  moderator: {
    id: "1",
    name: "Moderator",
    permissions: PERMISSIONS.view_dashboard | PERMISSIONS.view_audit_log | PERMISSIONS.manage_users | PERMISSIONS.manage_reports | PERMISSIONS.manage_taxonomies | PERMISSIONS.invite_users,
    position: 10,
    highlighted: true,
  },
  admin: { id: "2", name: "Admin", permissions: ALL & ~PERMISSIONS.administrator, position: 100, highlighted: true },
  owner: { id: "3", name: "Owner", permissions: PERMISSIONS.administrator, position: 1000, highlighted: true },
};

export function roleInfo(role: UserRole): RoleInfo {
  return ROLES[role] ?? ROLES.user;
}

/** The role whose Mastodon id is `id` ("1", "2", "3"), if any. */
export function roleById(id: string): UserRole | undefined {
  return (Object.keys(ROLES) as UserRole[]).find((role) => ROLES[role].id === id);
}

/** Whether a user with `role` holds `permission` (administrator holds every one). */
export function hasPermission(role: UserRole, permission: Permission): boolean {
  const bits = roleInfo(role).permissions;
  return (bits & PERMISSIONS.administrator) !== 0 || (bits & PERMISSIONS[permission]) !== 0;
}

/** Whether a moderator with `actor` role may act on an account whose user has `target` role. */
export function outranks(actor: UserRole, target: UserRole | null): boolean {
  return target === null || roleInfo(actor).position > roleInfo(target).position;
}
