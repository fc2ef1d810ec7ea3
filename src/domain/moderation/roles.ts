// Mastodon's roles and permission flags, and the one place for the rules on them. Skein has the
// three built-in roles (Moderator, Admin, Owner) over plain users, and custom roles an admin makes
// (role-book.ts keeps them in memory, role-service.ts changes them); each grants Mastodon's
// permission bits, which the Role entity shows as a decimal string and the admin API checks per
// endpoint.
import type { BuiltInRole, UserRole } from "../../db/schema.ts";

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
  /** What users.role holds: a built-in's name or "custom:<id>". */
  key: UserRole;
  /** Mastodon's ids for its default roles; a custom role's row id. */
  id: string;
  name: string;
  /** "#rrggbb" or "". */
  color: string;
  permissions: number;
  /** Higher outranks lower: nobody acts on an account whose role is at or above their own. */
  position: number;
  highlighted: boolean;
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = ["user", "moderator", "admin", "owner"];

const ROLES: Record<BuiltInRole, RoleInfo> = {
  user: { key: "user", id: "-99", name: "", color: "", permissions: PERMISSIONS.invite_users, position: -1, highlighted: false },
  moderator: {
    key: "moderator",
    id: "1",
    name: "Moderator",
    color: "",
    permissions: PERMISSIONS.view_dashboard | PERMISSIONS.view_audit_log | PERMISSIONS.manage_users | PERMISSIONS.manage_reports | PERMISSIONS.manage_taxonomies | PERMISSIONS.invite_users,
    position: 10,
    highlighted: true,
  },
  admin: { key: "admin", id: "2", name: "Admin", color: "", permissions: ALL & ~PERMISSIONS.administrator, position: 100, highlighted: true },
  owner: { key: "owner", id: "3", name: "Owner", color: "", permissions: PERMISSIONS.administrator, position: 1000, highlighted: true },
};

export const ALL_PERMISSIONS = ALL;

export function isBuiltIn(role: string): role is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(role);
}

/** A built-in role's entry (custom ones: RoleBook.info, which falls back to this for built-ins). */
export function builtInRole(role: BuiltInRole): RoleInfo {
  return ROLES[role];
}

/** The key users.role holds for the custom role `id`. */
export function customKey(id: string): UserRole {
  return `custom:${id}`;
}

// The two rules every check goes through (RoleBook resolves a user's role to its RoleInfo first).

/** Whether a role holds `permission` (administrator holds every one). */
export function permits(role: RoleInfo, permission: Permission): boolean {
  return (role.permissions & PERMISSIONS.administrator) !== 0 || (role.permissions & PERMISSIONS[permission]) !== 0;
}

/** Whether a holder of `actor` may act on (or give, or edit) `target`: only one ranked strictly below. */
export function ranksAbove(actor: RoleInfo, target: RoleInfo | null): boolean {
  return target === null || actor.position > target.position;
}

/** The permission bits `actor` holds outright (every one for an administrator): what they may grant. */
export function grantable(actor: RoleInfo): number {
  return (actor.permissions & PERMISSIONS.administrator) !== 0 ? ALL : actor.permissions;
}
