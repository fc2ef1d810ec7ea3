// Data access for custom roles (migration 0039) and for who holds which role. The rules — the
// position rule, permissions, what a deleted role's users become — live in
// domain/moderation/role-service.ts; this file only reads and writes rows.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { DB, UserRole } from "../../db/schema.ts";
import type { RolesTable } from "../../db/schema/roles.ts";

export type RoleRow = Selectable<RolesTable>;

export class RoleStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  all(): Promise<RoleRow[]> {
    return this.db.selectFrom("roles").selectAll().orderBy("position", "desc").orderBy("id").execute();
  }

  byId(id: string): Promise<RoleRow | undefined> {
    return this.db.selectFrom("roles").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byName(name: string): Promise<RoleRow | undefined> {
    return this.db.selectFrom("roles").selectAll().where("name", "=", name).executeTakeFirst();
  }

  async insert(row: Insertable<RolesTable>): Promise<void> {
    await this.db.insertInto("roles").values(row).execute();
  }

  async update(id: string, values: Updateable<RolesTable>): Promise<void> {
    await this.db.updateTable("roles").set(values).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("roles").where("id", "=", id).execute();
  }

  /** Gives every user holding `from` the role `to`; returns how many there were. */
  async reassign(from: UserRole, to: UserRole): Promise<number> {
    const result = await this.db.updateTable("users").set({ role: to }).where("role", "=", from).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The local accounts whose users hold a role other than the plain user's (staff: a few rows). */
  holders(): Promise<{ account_id: string; role: UserRole }[]> {
    return this.db.selectFrom("users").select(["account_id", "role"]).where("role", "!=", "user").execute();
  }
}
