// The figures behind GET /api/v1/instance/activity, counted per week in the database: local posts,
// new users, and users seen (signed in or used a token).
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

export class InstanceActivityStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Local posts (boosts too, as Mastodon counts them) created in [start, end). */
  async localPosts(start: string, end: string): Promise<number> {
    const row = await this.db.selectFrom("statuses").select((eb) => eb.fn.countAll().as("n")).where("local", "=", 1).where("created_at", ">=", start).where("created_at", "<", end).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async registrations(start: string, end: string): Promise<number> {
    const row = await this.db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).where("created_at", ">=", start).where("created_at", "<", end).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Users last seen in [start, end): signed in, or used a token, then. Skein keeps only the latest
   * time of each, so a user counts in the latest week it was seen (for earlier weeks, a lower bound).
   */
  async usersSeen(start: string, end: string): Promise<number> {
    const row = await this.db
      .selectFrom("users as u")
      .select((eb) => eb.fn.countAll().as("n"))
      .where((eb) =>
        eb.or([
          eb.and([eb("u.last_sign_in_at", ">=", start), eb("u.last_sign_in_at", "<", end)]),
          eb.exists(eb.selectFrom("oauth_access_tokens as t").select("t.id").whereRef("t.user_id", "=", "u.id").where("t.last_used_at", ">=", start).where("t.last_used_at", "<", end)),
        ]),
      )
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
