// Invites and the moderators' username block list (migration 0015). Queries only.
import type { Kysely, Selectable } from "kysely";
import { sql } from "kysely";
import type { DB, InvitesTable, UsernameBlocksTable } from "../../db/schema.ts";

export type InviteRow = Selectable<InvitesTable>;
export type UsernameBlockRow = Selectable<UsernameBlocksTable>;

export class InviteStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: InviteRow): Promise<void> {
    await this.db.insertInto("invites").values(row).execute();
  }

  async byCode(code: string): Promise<InviteRow | undefined> {
    return this.db.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async byId(id: string): Promise<InviteRow | undefined> {
    return this.db.selectFrom("invites").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** A user's invites, newest first (bounded). */
  async ofUser(userId: string, limit = 200): Promise<InviteRow[]> {
    return this.db.selectFrom("invites").selectAll().where("user_id", "=", userId).orderBy("id", "desc").limit(limit).execute();
  }

  /** Every invite, newest first (bounded), for the CLI. */
  async all(limit = 500): Promise<InviteRow[]> {
    return this.db.selectFrom("invites").selectAll().orderBy("id", "desc").limit(limit).execute();
  }

  async revoke(id: string, at: string): Promise<void> {
    await this.db.updateTable("invites").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).execute();
  }

  /**
   * Counts one use, only while the invite is still usable at `now`: the condition is in the
   * UPDATE itself, so two sign-ups racing for the last use cannot both get it.
   */
  async consume(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable("invites")
      .set({ uses: sql`uses + 1` })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .where((eb) => eb.or([eb("max_uses", "is", null), eb("uses", "<", eb.ref("max_uses"))]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Moves the expiry (tests and the CLI use it to end an invite at a given time). */
  async setExpiry(id: string, expiresAt: string | null): Promise<void> {
    await this.db.updateTable("invites").set({ expires_at: expiresAt }).where("id", "=", id).execute();
  }
}

export class UsernameBlockStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async all(): Promise<UsernameBlockRow[]> {
    return this.db.selectFrom("username_blocks").selectAll().orderBy("normalized").limit(10_000).execute();
  }

  async upsert(row: UsernameBlockRow): Promise<void> {
    await this.db
      .insertInto("username_blocks")
      .values(row)
      .onConflict((oc) => oc.column("normalized").doUpdateSet({ exact: row.exact, username: row.username }))
      .execute();
  }

  async remove(normalized: string): Promise<boolean> {
    const result = await this.db.deleteFrom("username_blocks").where("normalized", "=", normalized).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
