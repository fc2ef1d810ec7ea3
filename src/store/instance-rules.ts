// Data access for the server's rules (GET /api/v1/instance/rules, reports' rule_ids).
import type { Kysely, Selectable } from "kysely";
import type { DB, InstanceRulesTable } from "../db/schema.ts";

export type InstanceRuleRow = Selectable<InstanceRulesTable>;

export class InstanceRuleStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** The rules in force, in their order. */
  current(): Promise<InstanceRuleRow[]> {
    return this.db.selectFrom("instance_rules").selectAll().where("deleted_at", "is", null).orderBy("position").orderBy("id").execute();
  }

  async insert(row: InstanceRuleRow): Promise<void> {
    await this.db.insertInto("instance_rules").values(row).execute();
  }

  async nextPosition(): Promise<number> {
    const row = await this.db.selectFrom("instance_rules").select((eb) => eb.fn.max("position").as("max")).executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }

  /** Marks a rule removed; false if there was no such rule in force. */
  async remove(id: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable("instance_rules").set({ deleted_at: at, updated_at: at }).where("id", "=", id).where("deleted_at", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The rules of these ids, removed ones too (a report names them as they were). */
  byIds(ids: readonly string[]): Promise<InstanceRuleRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("instance_rules").selectAll().where("id", "in", ids).execute();
  }

  /** Of these ids, those naming rules in force. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom("instance_rules").select("id").where("id", "in", ids).where("deleted_at", "is", null).execute();
    return new Set(rows.map((r) => r.id));
  }
}
