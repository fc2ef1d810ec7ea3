// Data access for the server's domain policy: blocks (with their severity and options) and
// allows. The rules — normalising names, what a block of a parent domain covers, allowlist
// mode — live in domain/moderation; this file only reads and writes rows.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { DB, DomainAllowsTable, DomainBlocksTable } from "../../db/schema.ts";
import { paginate, type PageRequest } from "../pagination.ts";

export type DomainBlockRow = Selectable<DomainBlocksTable>;
export type DomainAllowRow = Selectable<DomainAllowsTable>;

export class DomainBlockStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Every block, for the in-memory policy (a few hundred bytes each; 10,000 are a few MB). */
  all(): Promise<DomainBlockRow[]> {
    return this.db.selectFrom("domain_blocks").selectAll().orderBy("id").execute();
  }

  page(page: PageRequest): Promise<DomainBlockRow[]> {
    return paginate(this.db.selectFrom("domain_blocks").selectAll(), "id", page);
  }

  byId(id: string): Promise<DomainBlockRow | undefined> {
    return this.db.selectFrom("domain_blocks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byDomain(domain: string): Promise<DomainBlockRow | undefined> {
    return this.db.selectFrom("domain_blocks").selectAll().where("domain", "=", domain).executeTakeFirst();
  }

  async insert(row: Insertable<DomainBlocksTable>): Promise<void> {
    await this.db.insertInto("domain_blocks").values(row).execute();
  }

  async update(id: string, changes: Updateable<DomainBlocksTable>): Promise<void> {
    await this.db.updateTable("domain_blocks").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("domain_blocks").where("id", "=", id).execute();
  }

  // Batches, for blocklist imports and subscriptions (thousands of rows in one transaction).
  // 13 columns × 500 rows stays far below both engines' parameter limits.

  async insertMany(rows: readonly Insertable<DomainBlocksTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) await this.db.insertInto("domain_blocks").values(rows.slice(i, i + 500)).execute();
  }

  /** The same changes to many blocks. */
  async updateMany(ids: readonly string[], changes: Updateable<DomainBlocksTable>): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) await this.db.updateTable("domain_blocks").set(changes).where("id", "in", ids.slice(i, i + 1000)).execute();
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) await this.db.deleteFrom("domain_blocks").where("id", "in", ids.slice(i, i + 1000)).execute();
  }

  allAllows(): Promise<DomainAllowRow[]> {
    return this.db.selectFrom("domain_allows").selectAll().orderBy("id").execute();
  }

  allowsPage(page: PageRequest): Promise<DomainAllowRow[]> {
    return paginate(this.db.selectFrom("domain_allows").selectAll(), "id", page);
  }

  allowById(id: string): Promise<DomainAllowRow | undefined> {
    return this.db.selectFrom("domain_allows").selectAll().where("id", "=", id).executeTakeFirst();
  }

  allowByDomain(domain: string): Promise<DomainAllowRow | undefined> {
    return this.db.selectFrom("domain_allows").selectAll().where("domain", "=", domain).executeTakeFirst();
  }

  async insertAllow(row: Insertable<DomainAllowsTable>): Promise<void> {
    await this.db.insertInto("domain_allows").values(row).execute();
  }

  async deleteAllow(id: string): Promise<void> {
    await this.db.deleteFrom("domain_allows").where("id", "=", id).execute();
  }
}
