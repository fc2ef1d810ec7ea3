// Every role this server gives, answered without a query: permission checks are synchronous
// (a middleware, a navigation menu, a converter) and happen on most admin requests, while roles
// change rarely. Each process holds (1) the custom roles (a handful of rows) and (2) which local
// accounts hold a role other than the plain user's (staff: a few rows), for Account.roles badges.
// Both reload when the `roles_version` setting changes: a change made here reloads this process
// at once (RoleService and AccountModeration.setRole call changed()), and other processes — more
// web/worker processes on PostgreSQL, or a `./skein accounts role` beside a SQLite server — see it
// within 2 s (VersionWatch, checked by the request middleware and before queued work asks).
// A user's own role is read from their users row on every request, so giving or taking a built-in
// role needs no reload at all; only a custom role's flags and position come from here.
import type { Stores } from "../../store/stores.ts";
import type { RoleRow } from "../../store/moderation/roles.ts";
import type { UserRole } from "../../db/schema.ts";
import { VersionWatch } from "../settings-version.ts";
import { BUILT_IN_ROLES, builtInRole, customKey, isBuiltIn, permits, ranksAbove, type Permission, type RoleInfo } from "./roles.ts";

/** What converters ask: a role's entry, and the highlighted role an account shows as a badge. */
export interface RoleLookup {
  info(role: UserRole): RoleInfo;
  highlightedOf(accountId: string): RoleInfo | null;
}

export class RoleBook implements RoleLookup {
  private readonly stores: Stores;
  private readonly watch: VersionWatch;
  private custom = new Map<string, RoleInfo>();
  private holders = new Map<string, UserRole>();

  constructor(stores: Stores) {
    this.stores = stores;
    this.watch = new VersionWatch(stores.settings, "roles_version", () => this.load());
  }

  /** Brings the roles up to date if they may be stale; cheap when they are not. */
  async fresh(): Promise<this> {
    await this.watch.fresh();
    return this;
  }

  /** After a change to the roles or to who holds one: tells every process and reloads this one. */
  async changed(): Promise<void> {
    await this.watch.bump();
  }

  /**
   * The entry of `role`. A custom role this process does not know (deleted meanwhile, whose
   * users are being moved to "user") counts as the plain user's: never more than it was given.
   */
  info(role: UserRole): RoleInfo {
    if (isBuiltIn(role)) return builtInRole(role);
    return this.custom.get(role) ?? builtInRole("user");
  }

  /** Whether a user with `role` holds `permission`. */
  has(role: UserRole, permission: Permission): boolean {
    return permits(this.info(role), permission);
  }

  /** Whether a user with `actor` role may act on an account whose user has `target` role (null: no user, a remote account). */
  outranks(actor: UserRole, target: UserRole | null): boolean {
    return ranksAbove(this.info(actor), target === null ? null : this.info(target));
  }

  /** Every role, built-in and custom, highest first. */
  all(): RoleInfo[] {
    return [...BUILT_IN_ROLES.map(builtInRole), ...this.custom.values()].sort((a, b) => b.position - a.position || a.name.localeCompare(b.name));
  }

  /** The custom roles, highest first. */
  customRoles(): RoleInfo[] {
    return [...this.custom.values()].sort((a, b) => b.position - a.position || a.name.localeCompare(b.name));
  }

  /** The keys of every role holding `permission` (whom a staff notification goes to). */
  holding(permission: Permission): UserRole[] {
    return this.all().filter((r) => permits(r, permission)).map((r) => r.key);
  }

  /** The role whose Mastodon id is `id` ("1", "2", "3", or a custom role's), if any. */
  byId(id: string): RoleInfo | undefined {
    return this.all().find((r) => r.id === id);
  }

  /** The role named `name`: a built-in's key ("moderator") or any role's name ("Moderator", a custom one's). */
  byName(name: string): RoleInfo | undefined {
    if (isBuiltIn(name)) return builtInRole(name);
    const lower = name.toLowerCase();
    return this.all().find((r) => r.name.toLowerCase() === lower);
  }

  highlightedOf(accountId: string): RoleInfo | null {
    const role = this.holders.get(accountId);
    if (role === undefined) return null;
    const info = this.info(role);
    return info.highlighted ? info : null;
  }

  private async load(): Promise<void> {
    const [rows, holders] = await Promise.all([this.stores.roles.all(), this.stores.roles.holders()]);
    this.custom = new Map(rows.map((row) => [customKey(row.id), customRoleInfo(row)]));
    this.holders = new Map(holders.map((h) => [h.account_id, h.role]));
  }
}

export function customRoleInfo(row: RoleRow): RoleInfo {
  return {
    key: customKey(row.id),
    id: row.id,
    name: row.name,
    color: row.color,
    permissions: Number(row.permissions),
    position: row.position,
    highlighted: row.highlighted === 1,
  };
}
