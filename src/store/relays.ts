// Data access for relay subscriptions (domain/relays).
import type { Kysely, Selectable } from "kysely";
import type { DB, RelaysTable, RelayState } from "../db/schema.ts";
import { queryTemplate } from "../db/query-templates.ts";

export type RelayRow = Selectable<RelaysTable>;

// Read for every public post (its distribution), of a table of a few rows: kept prepared, for
// PostgreSQL planned it at every post (docs/performance/search.md, "Tenth pass").
const acceptedRelayInboxes = queryTemplate((db: Kysely<DB>, p: { state: RelayState }) => db.selectFrom("relays").select("inbox_url").where("state", "=", p.state), { keepPrepared: true });

export class RelayStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: RelayRow): Promise<void> {
    await this.db.insertInto("relays").values(row).execute();
  }

  async all(): Promise<RelayRow[]> {
    return this.db.selectFrom("relays").selectAll().orderBy("id").execute();
  }

  async byId(id: string): Promise<RelayRow | undefined> {
    return this.db.selectFrom("relays").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async byInbox(inboxUrl: string): Promise<RelayRow | undefined> {
    return this.db.selectFrom("relays").selectAll().where("inbox_url", "=", inboxUrl).executeTakeFirst();
  }

  async byFollowUri(followUri: string): Promise<RelayRow | undefined> {
    return this.db.selectFrom("relays").selectAll().where("follow_uri", "=", followUri).executeTakeFirst();
  }

  async byActor(actorUri: string): Promise<RelayRow | undefined> {
    return this.db.selectFrom("relays").selectAll().where("actor_uri", "=", actorUri).executeTakeFirst();
  }

  async setState(id: string, state: RelayState, actorUri: string | null, now: string): Promise<void> {
    await this.db.updateTable("relays").set({ state, updated_at: now, ...(actorUri ? { actor_uri: actorUri } : {}) }).where("id", "=", id).execute();
  }

  async followSent(id: string, now: string): Promise<void> {
    await this.db.updateTable("relays").set({ follow_sent_at: now }).where("id", "=", id).execute();
  }

  /** Subscriptions with something to send: a Follow not sent (or pending since before `resendBefore`), or an Undo. */
  async due(resendBefore: string): Promise<RelayRow[]> {
    return this.db
      .selectFrom("relays")
      .selectAll()
      .where((eb) => eb.or([
        eb("state", "=", "removing"),
        eb.and([eb("state", "=", "pending"), eb.or([eb("follow_sent_at", "is", null), eb("follow_sent_at", "<", resendBefore)])]),
      ]))
      .orderBy("id")
      .limit(100)
      .execute();
  }

  /** Sets the inbox learned from a LitePub relay's actor. */
  async setInbox(id: string, inboxUrl: string): Promise<void> {
    await this.db.updateTable("relays").set({ inbox_url: inboxUrl }).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("relays").where("id", "=", id).execute();
  }

  /** The inboxes public posts are sent to: relays that accepted the subscription. */
  async acceptedInboxes(): Promise<string[]> {
    const rows = await acceptedRelayInboxes(this.db, { state: "accepted" });
    return rows.map((r) => r.inbox_url);
  }
}
