// Custom roles (Mastodon's role editor): create, edit, delete, list, assign. Whoever does it needs
// manage_roles and may only touch roles ranked strictly below their own, and only grant the
// permissions they hold themselves (Mastodon's UserRole validations); the operator at the shell
// (CLI_OPERATOR) has no such limit. Every change is in the audit log (target type "UserRole", as
// Mastodon records it) and reloads the roles in every process (role-book.ts). A deleted role's
// users fall back to the plain user role, in the same transaction.
import type { Stores } from "../../store/stores.ts";
import type { UserRole } from "../../db/schema.ts";
import type { AuditLog } from "./audit-log.ts";
import type { AccountModeration, Moderator } from "./account-moderation.ts";
import type { AdminAccountRow } from "../../store/moderation/admin-accounts.ts";
import { customRoleInfo, type RoleBook } from "./role-book.ts";
import { BUILT_IN_ROLES, PERMISSIONS, builtInRole, customKey, grantable, permits, ranksAbove, type Permission, type RoleInfo } from "./roles.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";

export interface RoleInput {
  name: string;
  /** "#rrggbb" or "". */
  color: string;
  permissions: readonly Permission[];
  position: number;
  highlighted: boolean;
}

const MAX_NAME = 64;
/** Positions a custom role may take: above the plain user's (-1). */
const MAX_POSITION = 100_000;

export class RoleService {
  readonly book: RoleBook;
  private readonly stores: Stores;
  private readonly audit: AuditLog;
  private readonly accounts: AccountModeration;

  constructor(stores: Stores, audit: AuditLog, book: RoleBook, accounts: AccountModeration) {
    this.stores = stores;
    this.audit = audit;
    this.book = book;
    this.accounts = accounts;
  }

  /** Every role, built-in and custom, highest first. */
  async list(): Promise<RoleInfo[]> {
    return (await this.book.fresh()).all();
  }

  /** A custom role by its id. */
  async get(id: string): Promise<RoleInfo> {
    const row = await this.stores.roles.byId(id);
    if (!row) throw notFound("No such role");
    return customRoleInfo(row);
  }

  async create(actor: Moderator, input: RoleInput): Promise<RoleInfo> {
    await this.book.fresh();
    const values = await this.checked(actor, input, null);
    const id = newId();
    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      await tx.roles.insert({ id, ...values, created_at: now, updated_at: now });
      await this.audit.record({ actorId: actor.accountId, action: "create", targetType: "UserRole", targetId: id, humanIdentifier: values.name, text: describe(values) }, tx);
    });
    await this.book.changed();
    return this.book.info(customKey(id));
  }

  async update(actor: Moderator, id: string, input: RoleInput): Promise<RoleInfo> {
    await this.book.fresh();
    const current = await this.get(id);
    this.mayTouch(actor, current);
    const values = await this.checked(actor, input, id);
    await this.stores.transaction(async (tx) => {
      await tx.roles.update(id, { ...values, updated_at: nowIso() });
      await this.audit.record({ actorId: actor.accountId, action: "update", targetType: "UserRole", targetId: id, humanIdentifier: values.name, text: describe(values) }, tx);
    });
    await this.book.changed();
    return this.book.info(customKey(id));
  }

  /** Deletes a custom role; its users become plain users. Returns how many there were. */
  async delete(actor: Moderator, id: string): Promise<number> {
    await this.book.fresh();
    const current = await this.get(id);
    this.mayTouch(actor, current);
    let moved = 0;
    await this.stores.transaction(async (tx) => {
      moved = await tx.roles.reassign(current.key, "user");
      await tx.roles.delete(id);
      await this.audit.record({ actorId: actor.accountId, action: "destroy", targetType: "UserRole", targetId: id, humanIdentifier: current.name, text: moved ? `${moved} user(s) back to the user role` : "" }, tx);
    });
    await this.book.changed();
    return moved;
  }

  /** Gives an account a role, built-in or custom (the same rank rules: AccountModeration.setRole). */
  assign(actor: Moderator, accountId: string, role: UserRole): Promise<AdminAccountRow> {
    return this.accounts.setRole(actor, accountId, role);
  }

  /** The role `name` names (a built-in's key, or any role's name, as `./skein accounts role` takes it). */
  async resolve(name: string): Promise<RoleInfo | undefined> {
    return (await this.book.fresh()).byName(name);
  }

  /** A moderator may edit or delete only a role below their own, and only with manage_roles. */
  private mayTouch(actor: Moderator, role: RoleInfo): void {
    if (actor.role === null) return;
    const mine = this.book.info(actor.role);
    if (!permits(mine, "manage_roles") || !ranksAbove(mine, role)) throw forbidden("Only a role ranked below your own can be changed");
  }

  private async checked(actor: Moderator, input: RoleInput, id: string | null) {
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_NAME) throw validationFailed(`A role's name has 1 to ${MAX_NAME} characters`);
    const taken = BUILT_IN_ROLES.some((r) => r === name.toLowerCase() || builtInRole(r).name.toLowerCase() === name.toLowerCase());
    const same = await this.stores.roles.byName(name);
    if (taken || this.book.customRoles().some((r) => r.id !== id && r.name.toLowerCase() === name.toLowerCase()) || (same && same.id !== id)) {
      throw validationFailed(`A role named "${name}" exists already`);
    }
    const color = input.color.trim().toLowerCase();
    if (color !== "" && !/^#[0-9a-f]{6}$/.test(color)) throw validationFailed("A colour is written #rrggbb");
    if (!Number.isInteger(input.position) || input.position < 0 || input.position > MAX_POSITION) throw validationFailed(`A position is a whole number from 0 to ${MAX_POSITION}`);
    const unknown = input.permissions.filter((p) => !(p in PERMISSIONS));
    if (unknown.length) throw validationFailed(`Unknown permission ${unknown.join(", ")}`);
    const permissions = input.permissions.reduce((bits, p) => bits | PERMISSIONS[p], 0);
    if (actor.role !== null) {
      const mine = this.book.info(actor.role);
      if (!permits(mine, "manage_roles")) throw forbidden();
      // Nobody makes a role at or above their own, nor one that may more than they may.
      if (!ranksAbove(mine, { ...mine, position: input.position })) throw forbidden("A role must rank below your own");
      if ((permissions & ~grantable(mine)) !== 0) throw forbidden("A role cannot hold a permission you do not hold");
    }
    return { name, color, permissions, position: input.position, highlighted: input.highlighted ? 1 : 0 };
  }
}

function describe(values: { permissions: number; position: number; highlighted: number }): string {
  const names = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (values.permissions & PERMISSIONS[p]) !== 0);
  return `position ${values.position}${values.highlighted ? ", highlighted" : ""}; ${names.length ? names.join(", ") : "no permissions"}`;
}
